-- Email: when a user's address was verified (a reset link only goes to a
-- verified address), one-time tokens sent by mail, and the durable outbox that
-- mail is sent from (a mail server that is down loses nothing; a restart does
-- not send twice).
ALTER TABLE users ADD COLUMN email_verified_at BIGINT NULL;

-- purpose: 'reset' (password reset) or 'verify' (the address in email).
-- Only the SHA-256 of a token is kept; used_at makes each single use.
CREATE TABLE account_tokens (
    token_hash  VARCHAR(64)   NOT NULL PRIMARY KEY,
    purpose     VARCHAR(16)   NOT NULL,
    user_id     VARCHAR(36)   NOT NULL,
    email       VARCHAR(254)  NULL,
    created_at  BIGINT        NOT NULL,
    expires_at  BIGINT        NOT NULL,
    used_at     BIGINT        NULL,
    FOREIGN KEY (user_id) REFERENCES users (id)
);
CREATE INDEX ix_account_tokens_user ON account_tokens (user_id, purpose, created_at);

-- One row per mail. params holds what the template needs (JSON) and is emptied
-- once sent, so no link outlives its delivery here. next_at is when to try next,
-- NULL once sent or given up; claimed_until is a node's lease while it sends.
CREATE TABLE mail_outbox (
    id             VARCHAR(36)   NOT NULL PRIMARY KEY,
    kind           VARCHAR(32)   NOT NULL,
    user_id        VARCHAR(36)   NULL,
    to_addr        VARCHAR(254)  NOT NULL,
    params         VARCHAR(4000) NOT NULL,
    created_at     BIGINT        NOT NULL,
    attempts       BIGINT        NOT NULL,
    next_at        BIGINT        NULL,
    claimed_until  BIGINT        NULL,
    sent_at        BIGINT        NULL,
    last_error     VARCHAR(500)  NULL
);
CREATE INDEX ix_mail_outbox_next ON mail_outbox (next_at);
CREATE INDEX ix_mail_outbox_user ON mail_outbox (user_id, kind, created_at);
