-- Full-text search over message bodies (GET /search/messages): a GIN index on the
-- 'simple' text search configuration (no stemming, no stop words: messages come in
-- any language), for text messages only. Queries use the same expression.
CREATE INDEX ix_messages_fts ON messages USING GIN (to_tsvector('simple', body)) WHERE kind = 'text';
