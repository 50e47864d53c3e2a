-- Delivery receipts: how far a member's devices have received the conversation
-- (a client says so once a message reached it), carried like the read marker:
-- stored with the ev of its last move, replayed on resume, never moving back.
ALTER TABLE members ADD COLUMN last_delivered_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE members ADD COLUMN delivered_ev BIGINT NOT NULL DEFAULT 0;
