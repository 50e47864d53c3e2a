-- Reaching people who are away. email_notify: which missed messages a digest
-- mail reports ('off', 'mentions' = direct messages and mentions, 'all').
-- away_since: when the user's last connection closed (NULL while connected or
-- never connected); last_digest_at: when the last digest was queued. A member
-- may mute a conversation until a time (9999-12-31 for good): no push, no mail.
ALTER TABLE users ADD COLUMN email_notify VARCHAR(16) NOT NULL DEFAULT 'mentions';
ALTER TABLE users ADD COLUMN away_since BIGINT NULL;
ALTER TABLE users ADD COLUMN last_digest_at BIGINT NULL;
ALTER TABLE members ADD COLUMN muted_until BIGINT NULL;
CREATE INDEX ix_conversations_activity ON conversations (last_activity_at);
