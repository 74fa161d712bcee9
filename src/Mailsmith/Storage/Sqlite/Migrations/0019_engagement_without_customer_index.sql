-- Migration 19: engagement_events loses its index by customer.
-- Every open and click the tracking server stores landed on a random leaf page of ix_engagement_customer, and that
-- page went to the WAL again in every group commit: about one WAL page (4 KB) per 300-byte event, a quarter of the
-- tracking server's rate at 20,000 events/s (docs/benchmarks.md, "Tracking writer and the WAL"). Its one reader, the
-- last-touch attribution of orders, now finds a customer's touches through the customer's messages
-- (ix_sends_customer, then ix_engagement_send).
DROP INDEX IF EXISTS ix_engagement_customer;
