-- Conversations, members and messages.
-- Two counters per conversation, both advanced under the conversation row's write
-- lock so commit order equals counter order:
--   last_seq: message sequence numbers, 1, 2, 3... with no gaps;
--   last_ev:  every change a member can see (message created, edited, deleted,
--             restored; rename; membership; read marker). Entities keep the ev of
--             their latest change, so "everything changed after ev N" is one
--             indexed query per table: that is what resume replays.
-- (tests/api/schema.rs checks that the folders hold the same migrations).
CREATE TABLE conversations (
    id               VARCHAR(36)  NOT NULL PRIMARY KEY,
    kind             VARCHAR(8)   NOT NULL,
    name             VARCHAR(100) NULL,
    direct_key       VARCHAR(73)  NULL,
    created_by       VARCHAR(36)  NOT NULL,
    created_at       BIGINT       NOT NULL,
    last_seq         BIGINT       NOT NULL,
    last_ev          BIGINT       NOT NULL,
    meta_ev          BIGINT       NOT NULL,
    last_activity_at BIGINT       NOT NULL,
    FOREIGN KEY (created_by) REFERENCES users (id)
);
CREATE UNIQUE INDEX uq_conversations_direct ON conversations (direct_key);

CREATE TABLE members (
    conversation_id  VARCHAR(36)  NOT NULL,
    user_id          VARCHAR(36)  NOT NULL,
    role             VARCHAR(8)   NOT NULL,
    joined_at        BIGINT       NOT NULL,
    left_at          BIGINT       NULL,
    left_seq         BIGINT       NULL,
    last_read_seq    BIGINT       NOT NULL,
    read_ev          BIGINT       NOT NULL,
    PRIMARY KEY (conversation_id, user_id),
    FOREIGN KEY (conversation_id) REFERENCES conversations (id),
    FOREIGN KEY (user_id) REFERENCES users (id)
);
CREATE INDEX ix_members_user ON members (user_id);

CREATE TABLE messages (
    id               VARCHAR(36)   NOT NULL PRIMARY KEY,
    conversation_id  VARCHAR(36)   NOT NULL,
    seq              BIGINT        NOT NULL,
    ev               BIGINT        NOT NULL,
    created_ev       BIGINT        NOT NULL,
    sender_id        VARCHAR(36)   NOT NULL,
    client_msg_id    VARCHAR(64)   NOT NULL,
    kind             VARCHAR(8)    NOT NULL,
    body             VARCHAR(4000) NOT NULL,
    reply_to         VARCHAR(36)   NULL,
    created_at       BIGINT        NOT NULL,
    edited_at        BIGINT        NULL,
    deleted_at       BIGINT        NULL,
    FOREIGN KEY (conversation_id) REFERENCES conversations (id),
    FOREIGN KEY (sender_id) REFERENCES users (id)
);
CREATE UNIQUE INDEX uq_messages_seq ON messages (conversation_id, seq);
CREATE UNIQUE INDEX uq_messages_client ON messages (sender_id, client_msg_id);
CREATE INDEX ix_messages_ev ON messages (conversation_id, ev);
