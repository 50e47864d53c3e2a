-- Friends, blocks, presence fields and notifications.
-- (tests/api/schema.rs checks that the folders hold the same migrations).
--
-- A pending request carries pending_key = "sender:recipient"; the unique index on
-- it allows one pending request per direction without a partial index (MySQL has
-- none). Friendships are stored in both directions so "my friends" is one lookup.
-- Each user's notifications are numbered by users.inbox_seq (advanced under the
-- user's row lock, like a conversation's ev) so the stream can resume from a seq.
CREATE TABLE friend_requests (
    id            VARCHAR(36) NOT NULL PRIMARY KEY,
    sender_id     VARCHAR(36) NOT NULL,
    recipient_id  VARCHAR(36) NOT NULL,
    status        VARCHAR(16) NOT NULL,
    pending_key   VARCHAR(73) NULL,
    created_at    BIGINT      NOT NULL,
    updated_at    BIGINT      NOT NULL,
    FOREIGN KEY (sender_id) REFERENCES users (id),
    FOREIGN KEY (recipient_id) REFERENCES users (id)
);
CREATE UNIQUE INDEX uq_friend_requests_pending ON friend_requests (pending_key);
CREATE INDEX ix_friend_requests_recipient ON friend_requests (recipient_id, status);
CREATE INDEX ix_friend_requests_sender ON friend_requests (sender_id, status);

CREATE TABLE friendships (
    user_id    VARCHAR(36) NOT NULL,
    friend_id  VARCHAR(36) NOT NULL,
    created_at BIGINT      NOT NULL,
    PRIMARY KEY (user_id, friend_id),
    FOREIGN KEY (user_id) REFERENCES users (id),
    FOREIGN KEY (friend_id) REFERENCES users (id)
);

CREATE TABLE blocks (
    blocker_id VARCHAR(36) NOT NULL,
    blocked_id VARCHAR(36) NOT NULL,
    created_at BIGINT      NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id),
    FOREIGN KEY (blocker_id) REFERENCES users (id),
    FOREIGN KEY (blocked_id) REFERENCES users (id)
);
CREATE INDEX ix_blocks_blocked ON blocks (blocked_id);

CREATE TABLE notifications (
    id               VARCHAR(36) NOT NULL PRIMARY KEY,
    user_id          VARCHAR(36) NOT NULL,
    seq              BIGINT      NOT NULL,
    kind             VARCHAR(24) NOT NULL,
    actor_id         VARCHAR(36) NOT NULL,
    conversation_id  VARCHAR(36) NULL,
    message_id       VARCHAR(36) NULL,
    request_id       VARCHAR(36) NULL,
    created_at       BIGINT      NOT NULL,
    read_at          BIGINT      NULL,
    FOREIGN KEY (user_id) REFERENCES users (id)
);
CREATE UNIQUE INDEX uq_notifications_seq ON notifications (user_id, seq);

ALTER TABLE users ADD COLUMN presence_mode VARCHAR(16) NOT NULL DEFAULT 'available';
ALTER TABLE users ADD COLUMN last_seen_at BIGINT NULL;
ALTER TABLE users ADD COLUMN inbox_seq BIGINT NOT NULL DEFAULT 0;
