-- SQLite's 0015 makes ix_messages_ev partial (changed messages only), which took
-- ~14 µs of CPU off a send there. PostgreSQL keeps the whole index: the same change
-- measured no difference in ingest beyond noise (BENCHMARKS.md, ingest), and the
-- replay stays one index range (store/changes.rs). Nothing to change.
SELECT 1;
