-- Retention policies (issue #18): when a manifest was last pulled (a GET by tag or by digest), epoch milliseconds;
-- NULL when it was not pulled since this column exists. Written in batches off the request path, and only when the
-- stored time is older than the precision retention needs (see io.berth.server.retention.PullTimes), so that a hot
-- manifest costs no write per pull.
ALTER TABLE manifests ADD COLUMN pulled_at BIGINT;
