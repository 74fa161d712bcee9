-- Migration 5: what the tracking server needs to record engagement exactly once and explain it.
--   event_key       the 16-byte id given to a tracking event when it was received, stored only for events replayed
--                   from the local spool (after a failed commit): the replay inserts with OR IGNORE on it, so a replay
--                   interrupted before its spool file was deleted never stores an event twice. Events committed
--                   directly leave it NULL and cost the unique index nothing.
--   client          a keyed hash of the client's IP address (never the address itself), to find one machine
--                   opening many messages at once.
--   machine_reason  why an open or click was flagged as a machine's (user_agent, after_delivery, head_request, burst).
--   order_id        the order a conversion stands for: one order is attributed once.
--   currency        the currency of a conversion's revenue.
ALTER TABLE engagement_events ADD COLUMN event_key BLOB;
ALTER TABLE engagement_events ADD COLUMN client TEXT;
ALTER TABLE engagement_events ADD COLUMN machine_reason TEXT;
ALTER TABLE engagement_events ADD COLUMN order_id TEXT;
ALTER TABLE engagement_events ADD COLUMN currency TEXT;
CREATE UNIQUE INDEX ux_engagement_key ON engagement_events(event_key) WHERE event_key IS NOT NULL;
CREATE UNIQUE INDEX ux_engagement_conversion ON engagement_events(order_id) WHERE type = 'conversion';
-- One unsubscribe per message: a replayed one-click POST changes nothing.
CREATE UNIQUE INDEX ux_engagement_unsubscribe ON engagement_events(send_id) WHERE type = 'unsubscribe';
CREATE INDEX ix_engagement_customer ON engagement_events(customer_id, occurred_at);

-- The preference centre: campaign types a customer muted, and a pause of all marketing mail until a moment.
CREATE TABLE customer_preferences (
    customer_id  TEXT PRIMARY KEY,
    muted_types  TEXT NOT NULL DEFAULT '',   -- '|' separated campaign types
    paused_until INTEGER,
    updated_at   INTEGER NOT NULL
) WITHOUT ROWID;
