-- Accounts and sessions. Portable column forms on every backend: ids are UUIDv7
-- text, times are UTC milliseconds, enums are text. Keep the three dialects in step
-- (tests/api/schema.rs checks that the folders hold the same migrations).
-- PostgreSQL: the same statements as SQLite.
CREATE TABLE users (
    id              VARCHAR(36)   NOT NULL PRIMARY KEY,
    username        VARCHAR(32)   NOT NULL,
    username_lower  VARCHAR(32)   NOT NULL,
    email           VARCHAR(254)  NULL,
    email_lower     VARCHAR(254)  NULL,
    password_hash   VARCHAR(255)  NOT NULL,
    full_name       VARCHAR(100)  NOT NULL,
    bio             VARCHAR(500)  NOT NULL DEFAULT '',
    status_text     VARCHAR(100)  NOT NULL DEFAULT '',
    search_text     VARCHAR(200)  NOT NULL,
    role            VARCHAR(16)   NOT NULL,
    created_at      BIGINT        NOT NULL,
    updated_at      BIGINT        NOT NULL,
    deactivated_at  BIGINT        NULL
);
CREATE UNIQUE INDEX uq_users_username ON users (username_lower);
CREATE UNIQUE INDEX uq_users_email ON users (email_lower);

CREATE TABLE sessions (
    id             VARCHAR(36)  NOT NULL PRIMARY KEY,
    user_id        VARCHAR(36)  NOT NULL,
    created_at     BIGINT       NOT NULL,
    last_used_at   BIGINT       NOT NULL,
    expires_at     BIGINT       NOT NULL,
    revoked_at     BIGINT       NULL,
    revoke_reason  VARCHAR(32)  NULL,
    user_agent     VARCHAR(255) NOT NULL DEFAULT '',
    ip             VARCHAR(64)  NOT NULL DEFAULT '',
    FOREIGN KEY (user_id) REFERENCES users (id)
);
CREATE INDEX ix_sessions_user ON sessions (user_id);

CREATE TABLE refresh_tokens (
    token_hash  VARCHAR(64)  NOT NULL PRIMARY KEY,
    session_id  VARCHAR(36)  NOT NULL,
    created_at  BIGINT       NOT NULL,
    used_at     BIGINT       NULL,
    FOREIGN KEY (session_id) REFERENCES sessions (id)
);
CREATE INDEX ix_refresh_tokens_session ON refresh_tokens (session_id);
