-- Upload expiry (issue #18): a session expires when no request has touched it (PATCH, PUT, GET of its status) for
-- uploads.expireAfter, not when it was started long ago, so that a slow chunked push of a large layer is not cut off.
-- Existing sessions count as touched when they started.
ALTER TABLE uploads ADD COLUMN touched_at BIGINT NOT NULL DEFAULT 0;
UPDATE uploads SET touched_at = started_at;
DROP INDEX uploads_by_start;
CREATE INDEX uploads_by_touch ON uploads (touched_at);
