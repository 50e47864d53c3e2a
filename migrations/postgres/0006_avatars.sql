-- A profile picture: the id of its file in the blob store (a 256×256 JPEG made
-- from the picture sent, cropped square). NULL: initials are shown.
ALTER TABLE users ADD COLUMN avatar_id VARCHAR(36) NULL;
