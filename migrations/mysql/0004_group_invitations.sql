-- Who may add a user to a group directly: everyone, friends (the default) or
-- nobody; anyone else's addition becomes an invitation the user accepts or
-- declines, and shows nothing of the user until accepted.
ALTER TABLE users ADD COLUMN group_invites VARCHAR(16) NOT NULL DEFAULT 'friends';

CREATE TABLE group_invitations (
    conversation_id  VARCHAR(36) NOT NULL,
    user_id          VARCHAR(36) NOT NULL,
    invited_by       VARCHAR(36) NOT NULL,
    created_at       BIGINT      NOT NULL,
    PRIMARY KEY (conversation_id, user_id),
    FOREIGN KEY (conversation_id) REFERENCES conversations (id),
    FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX ix_group_invitations_user ON group_invitations (user_id);
