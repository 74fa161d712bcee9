-- name: select-events
-- Behavioural events in time order; Profile and Recommend stream them once per run.
SELECT customer_id, type, occurred_at, product_id, query, campaign_id
FROM events
ORDER BY occurred_at, event_id;

-- name: count-events
SELECT count(*) FROM events;

-- name: max-activity-time
-- The latest moment the store's data knows of: the default "now" for profiles, so results do not drift with the wall clock.
SELECT max(t) FROM (SELECT max(occurred_at) AS t FROM events UNION ALL SELECT max(ordered_at) FROM orders UNION ALL SELECT max(signup_at) FROM customers);
