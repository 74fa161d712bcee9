-- name: bounces-insert-report
-- A report read again (the same mailbox imported twice, a webhook retried) is ignored: nothing else happens for it.
INSERT INTO delivery_reports (report_key, recipient, kind, status, diagnostic, send_id, campaign_id, matched_by, source, reported_at, imported_at)
VALUES ($report_key, $recipient, $kind, $status, $diagnostic, $send_id, $campaign_id, $matched_by, $source, $reported_at, $imported_at)
ON CONFLICT (report_key, recipient) DO NOTHING;

-- name: bounces-count-by-kind
-- Reports stored per kind (tests and the campaign view count them).
SELECT kind, count(*) FROM delivery_reports GROUP BY kind ORDER BY kind;
