-- Stateless uploads (issue #19): any node may serve any PATCH or PUT of an upload.
-- claimed_by / claimed_until: the one request writing to the session (a token per request) and until when its claim
--   holds (epoch ms, renewed while it runs); a claim whose node died lapses then. NULL / 0 when free.
-- hash_state / hash_length: the SHA-256 state after the session's first hash_length bytes, saved at the end of every
--   append, so that another node continues the hash without reading the bytes back (-1: none saved).
ALTER TABLE uploads ADD COLUMN claimed_by ${bytewise_text};
ALTER TABLE uploads ADD COLUMN claimed_until BIGINT NOT NULL DEFAULT 0;
ALTER TABLE uploads ADD COLUMN hash_state ${binary};
ALTER TABLE uploads ADD COLUMN hash_length BIGINT NOT NULL DEFAULT -1;
