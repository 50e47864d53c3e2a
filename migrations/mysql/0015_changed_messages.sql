-- SQLite's 0015 makes ix_messages_ev partial (changed messages only). MariaDB has
-- no partial indexes, so it keeps the whole one and its replay stays one index
-- range (store/changes.rs). Nothing to change.
DO 0;
