-- Full-text search over message bodies (GET /search/messages): an InnoDB FULLTEXT
-- index. The body becomes case- and accent-insensitive (utf8mb4_unicode_ci; nothing
-- compares bodies for equality), since a binary collation makes full-text search
-- case-sensitive. InnoDB skips words under 3 characters and its stop words.
ALTER TABLE messages MODIFY body VARCHAR(4000) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL;
ALTER TABLE messages ADD FULLTEXT INDEX ft_messages_body (body);
