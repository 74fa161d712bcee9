-- Migration 4: what sending over SMTP needs.
--   campaigns.window_start/window_end  the moments between which the campaign's messages are delivered (set by the
--                                      first `send`); each message goes at its recipient's best hour inside it.
--   send_leases                        one sender per campaign at a time (the CLI and the server's scheduler may both
--                                      run): a lease names its holder (host and process id) and expires, so a holder
--                                      killed with kill -9 is taken over at once on the same host, or after expiry.
ALTER TABLE campaigns ADD COLUMN window_start INTEGER;
ALTER TABLE campaigns ADD COLUMN window_end INTEGER;

CREATE TABLE send_leases (
    campaign_id TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,      -- host:pid
    expires_at  INTEGER NOT NULL
) WITHOUT ROWID;

-- Due messages of a campaign, by state and time.
CREATE INDEX ix_sends_due ON sends(campaign_id, state, scheduled_for);
