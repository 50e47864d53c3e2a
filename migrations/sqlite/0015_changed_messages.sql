-- A resume replays a conversation's changes after an ev. A message never changed
-- since it was sent has ev = created_ev, and created_ev grows with seq within a
-- conversation, so such messages are found by seq (uq_messages_seq); only messages
-- changed after they were created (edited, deleted, restored, reacted to) need an
-- index by ev. Indexing only those keeps a send from writing a leaf of this index
-- per conversation per commit (store/changes.rs; BENCHMARKS.md, ingest: ~14 µs of
-- CPU per send). Existing messages are indexed as the index is built.
DROP INDEX ix_messages_ev;
CREATE INDEX ix_messages_changed ON messages (conversation_id, ev) WHERE ev > created_ev;
