-- Web push. A subscription is one browser on one device, made while signed in
-- (session_id: logging out removes it). endpoint_hash (SHA-256) is the unique
-- key, since MySQL cannot index a 1000-character column.
CREATE TABLE push_subscriptions (
    id             VARCHAR(36)   NOT NULL PRIMARY KEY,
    user_id        VARCHAR(36)   NOT NULL,
    session_id     VARCHAR(36)   NOT NULL,
    endpoint       VARCHAR(1000) NOT NULL,
    endpoint_hash  VARCHAR(64)   NOT NULL,
    p256dh         VARCHAR(200)  NOT NULL,
    auth           VARCHAR(100)  NOT NULL,
    user_agent     VARCHAR(255)  NOT NULL,
    created_at     BIGINT        NOT NULL,
    FOREIGN KEY (user_id) REFERENCES users (id)
);
CREATE UNIQUE INDEX uq_push_endpoint ON push_subscriptions (endpoint_hash);
CREATE INDEX ix_push_user ON push_subscriptions (user_id);

-- Pushes waiting to be delivered, one per subscription, like the mail outbox:
-- payload is the JSON the notification shows (encrypted only when sent), next_at
-- NULL once delivered or given up, claimed_until a node's lease.
CREATE TABLE push_queue (
    id               VARCHAR(36)   NOT NULL PRIMARY KEY,
    subscription_id  VARCHAR(36)   NOT NULL,
    payload          VARCHAR(2000) NOT NULL,
    created_at       BIGINT        NOT NULL,
    attempts         BIGINT        NOT NULL,
    next_at          BIGINT        NULL,
    claimed_until    BIGINT        NULL,
    sent_at          BIGINT        NULL,
    last_error       VARCHAR(500)  NULL
);
CREATE INDEX ix_push_queue_next ON push_queue (next_at);
