-- The first account made on a server becomes its administrator: the sign-in page
-- of a server with no users offers to create it. Its one row (id 1) is claimed in
-- the same transaction as the account that claims it, so exactly one account
-- ever does, however many register at once. A server that already has users
-- (upgraded from an earlier release) has the row already.
CREATE TABLE first_account (
    id      INTEGER     NOT NULL PRIMARY KEY,
    user_id VARCHAR(36) NULL
);
INSERT INTO first_account (id, user_id) SELECT 1, NULL FROM users LIMIT 1;
