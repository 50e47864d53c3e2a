-- Uploaded files: one row per upload, attached to at most one message (the
-- message_id is set by the send that takes it, in the send's transaction).
-- The content lives in the blob store under a key made from the id.
CREATE TABLE uploads (
    id               VARCHAR(36)  NOT NULL PRIMARY KEY,
    uploader_id      VARCHAR(36)  NOT NULL,
    kind             VARCHAR(8)   NOT NULL,
    mime             VARCHAR(100) NOT NULL,
    name             VARCHAR(255) NOT NULL,
    size             BIGINT       NOT NULL,
    width            BIGINT       NULL,
    height           BIGINT       NULL,
    has_thumb        BIGINT       NOT NULL,
    created_at       BIGINT       NOT NULL,
    message_id       VARCHAR(36)  NULL,
    conversation_id  VARCHAR(36)  NULL,
    FOREIGN KEY (uploader_id) REFERENCES users (id)
);
CREATE INDEX ix_uploads_uploader ON uploads (uploader_id);
CREATE INDEX ix_uploads_message ON uploads (message_id, created_at);

-- A message's attachments as JSON, frozen at send time, so every read of a
-- message (history, events, resume) carries them without another query.
ALTER TABLE messages ADD COLUMN attachments VARCHAR(4000) NULL;
