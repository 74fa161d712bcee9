-- Migration 12: bounces and complaints that arrive after sending as mail (docs/delivery.md "Bounces and complaints").
--   delivery_reports  one row per report and recipient read from a DSN (RFC 3464) or ARF (RFC 5965) message, whether
--                     from `bounces import --mbox` or the server's /api/webhooks/dsn. The key makes a rerun over the
--                     same mailbox add nothing: report_key is the report's own Message-ID, else a SHA-256 of its bytes.
--                     Soft bounces are kept here only (they suppress nothing and are no engagement event); hard
--                     bounces and complaints also suppress the address and add a bounce/complaint engagement event
--                     on the message they concern (send_id, null when no message of ours matched).
CREATE TABLE delivery_reports (
    report_key   TEXT NOT NULL,
    recipient    TEXT NOT NULL,     -- the address reported on, lower case ('' when the report names none)
    kind         TEXT NOT NULL CHECK (kind IN ('hard_bounce', 'soft_bounce', 'complaint')),
    status       TEXT,              -- the DSN Status (5.1.1) or the ARF Feedback-Type (abuse)
    diagnostic   TEXT,              -- Diagnostic-Code, else Action and Status
    send_id      INTEGER REFERENCES sends(send_id),
    campaign_id  TEXT,
    matched_by   TEXT NOT NULL CHECK (matched_by IN ('token', 'message_id', 'recipient', 'none')),
    source       TEXT NOT NULL,     -- the mbox file, or 'webhook'
    reported_at  INTEGER NOT NULL,  -- the report's Arrival-Date or Date, else when it was read
    imported_at  INTEGER NOT NULL,
    PRIMARY KEY (report_key, recipient)
) WITHOUT ROWID;
CREATE INDEX ix_delivery_reports_campaign ON delivery_reports(campaign_id, kind);
