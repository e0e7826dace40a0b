-- Quotas (issue #18): one row per repository or namespace whose quota a transaction checks, locked (FOR UPDATE on
-- PostgreSQL) before the transaction measures and adds content, so that two pushes into one scope check one after
-- the other and neither can take the scope past its limit (see io.berth.server.meta.QuotaCheck). Rows are made on
-- first use and hold nothing else; the key is 'repository:<name>' or 'namespace:<name>'.
CREATE TABLE quota_locks (
    scope_key ${bytewise_text} NOT NULL PRIMARY KEY
);
