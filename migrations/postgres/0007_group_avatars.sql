-- A group's picture: the id of its file in the blob store (as users.avatar_id).
ALTER TABLE conversations ADD COLUMN avatar_id VARCHAR(36) NULL;
