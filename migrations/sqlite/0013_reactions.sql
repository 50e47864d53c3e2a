-- Reactions: one row per (message, user, emoji). A change bumps the conversation's
-- ev and sets the message's ev to it, so it is streamed and replayed like an edit
-- (message.updated). messages.reacted counts the rows, so reading a page of
-- messages looks reactions up only for messages that have some.
CREATE TABLE reactions (
    message_id      VARCHAR(36) NOT NULL,
    user_id         VARCHAR(36) NOT NULL,
    emoji           VARCHAR(32) NOT NULL,
    conversation_id VARCHAR(36) NOT NULL,
    created_at      BIGINT      NOT NULL,
    PRIMARY KEY (message_id, user_id, emoji),
    FOREIGN KEY (message_id) REFERENCES messages (id)
);
ALTER TABLE messages ADD COLUMN reacted BIGINT NOT NULL DEFAULT 0;
