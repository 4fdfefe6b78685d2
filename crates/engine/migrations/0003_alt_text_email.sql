-- Alt text of each attached picture (per post: the same file can be described
-- differently in two posts), and the e-mail a network shows for an account
-- (LinkedIn's OpenID userinfo).
ALTER TABLE post_media ADD COLUMN alt_text TEXT;
ALTER TABLE accounts ADD COLUMN email TEXT;
