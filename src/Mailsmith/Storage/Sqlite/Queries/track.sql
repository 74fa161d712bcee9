-- name: track-insert-engagement
-- One open or click from the tracking server. The send row supplies campaign, customer and variant, and must match
-- the token's: a token of another database records nothing. A request within $quick_ms of delivery is a machine's
-- (image proxies and scanners fetch on arrival). OR IGNORE on event_key makes a spool replay idempotent.
-- The tracking server's writer (Track/EngagementWriter.cs) repeats everything from SELECT on for up to 32 events,
-- joined by UNION ALL, each copy's parameters renamed ($type_0, $type_1, …) except the shared $quick_ms.
INSERT OR IGNORE INTO engagement_events (send_id, campaign_id, customer_id, variant, type, occurred_at, url, user_agent,
                                         is_machine, machine_reason, event_key, client)
SELECT s.send_id, s.campaign_id, s.customer_id, s.variant, $type, $at, $url, $user_agent,
       CASE WHEN $machine_reason IS NOT NULL OR (s.sent_at IS NOT NULL AND $at - s.sent_at BETWEEN 0 AND $quick_ms) THEN 1 ELSE 0 END,
       coalesce($machine_reason, CASE WHEN s.sent_at IS NOT NULL AND $at - s.sent_at BETWEEN 0 AND $quick_ms THEN 'after_delivery' END),
       $event_key, $client
FROM sends s
WHERE s.send_id = $send_id AND s.campaign_id = $campaign_id AND s.customer_id = $customer_id;

-- name: track-insert-unsubscribe
-- One unsubscribe per message (unique index): a replayed POST inserts nothing and the customer stays unsubscribed.
INSERT OR IGNORE INTO engagement_events (send_id, campaign_id, customer_id, variant, type, occurred_at, user_agent, event_key, client)
SELECT s.send_id, s.campaign_id, s.customer_id, s.variant, 'unsubscribe', $at, $user_agent, $event_key, $client
FROM sends s
WHERE s.send_id = $send_id AND s.campaign_id = $campaign_id AND s.customer_id = $customer_id;

-- name: track-upsert-preferences
INSERT INTO customer_preferences (customer_id, muted_types, paused_until, updated_at)
VALUES ($customer_id, $muted_types, $paused_until, $at)
ON CONFLICT (customer_id) DO UPDATE SET muted_types = excluded.muted_types, paused_until = excluded.paused_until,
                                        updated_at = excluded.updated_at
-- A spooled change replayed late must not undo a newer one.
WHERE excluded.updated_at >= customer_preferences.updated_at;

-- name: select-preferences
SELECT customer_id, muted_types, paused_until, updated_at FROM customer_preferences WHERE customer_id = $customer_id;

-- name: select-all-preferences
-- The send path reads every preference once per campaign run.
SELECT customer_id, muted_types, paused_until, updated_at FROM customer_preferences;

-- name: select-send
SELECT send_id, campaign_id, customer_id, variant, assignment_probability, idempotency_key, message_id, state, reason,
       attempts, planned_at, scheduled_for, sent_at, updated_at
FROM sends WHERE send_id = $send_id;

-- name: select-send-by-message-id
SELECT send_id, campaign_id, customer_id, variant, assignment_probability, idempotency_key, message_id, state, reason,
       attempts, planned_at, scheduled_for, sent_at, updated_at
FROM sends WHERE message_id = $message_id;

-- name: select-latest-send-to-email
-- A provider's bounce or complaint without our Message-ID belongs to the latest message sent to that address.
SELECT s.send_id, s.campaign_id, s.customer_id, s.variant, s.assignment_probability, s.idempotency_key, s.message_id, s.state,
       s.reason, s.attempts, s.planned_at, s.scheduled_for, s.sent_at, s.updated_at
FROM sends s JOIN customers c ON c.customer_id = s.customer_id
WHERE c.email = lower($email) AND s.sent_at IS NOT NULL
ORDER BY s.sent_at DESC, s.send_id DESC LIMIT 1;

-- name: select-customer
SELECT customer_id, email, first_name, last_name, locale, time_zone, signup_at, birthday, consent, consent_at, unsubscribed_at
FROM customers WHERE customer_id = $customer_id;

-- name: insert-feedback-engagement
-- A bounce or complaint reported later (provider webhook, DSN): once per message and type.
INSERT INTO engagement_events (send_id, campaign_id, customer_id, variant, type, occurred_at, url, event_key)
SELECT s.send_id, s.campaign_id, s.customer_id, s.variant, $type, $at, $reason, $event_key
FROM sends s
WHERE s.send_id = $send_id
  AND NOT EXISTS (SELECT 1 FROM engagement_events e WHERE e.send_id = s.send_id AND e.type = $type);

-- name: count-engagement-total
-- Tests and the server benchmark compare this with the number of requests answered.
SELECT count(*) FROM engagement_events WHERE type = $type;

-- name: select-campaign-opens
-- Every open of a campaign with its client, for burst detection (done in code: a sliding window per client).
SELECT engagement_id, send_id, client, ifnull(user_agent, ''), occurred_at, is_machine
FROM engagement_events WHERE campaign_id = $campaign_id AND type = 'open' AND client IS NOT NULL
ORDER BY occurred_at;

-- name: select-campaign-human-clicks
SELECT send_id, max(occurred_at) FROM engagement_events
WHERE campaign_id = $campaign_id AND type = 'click' AND is_machine = 0 GROUP BY send_id;

-- name: flag-machine-open
UPDATE engagement_events SET is_machine = 1, machine_reason = $reason WHERE engagement_id = $engagement_id AND is_machine = 0;

-- name: select-attribution-candidates
-- Orders not yet attributed, of customers who have a human touch (click, or open when $opens = 1), each with its
-- last such touch in the window before the order (last-touch attribution).
SELECT o.order_id, o.customer_id, o.ordered_at, o.total, o.currency, t.send_id, t.campaign_id, t.variant
FROM orders o
JOIN engagement_events t ON t.engagement_id = (
    -- Through the customer's messages (ix_sends_customer, then ix_engagement_send): engagement_events has no index by
    -- customer, because every tracking event would land on a random page of it (migration 19, docs/benchmarks.md).
    SELECT e.engagement_id FROM sends s JOIN engagement_events e ON e.send_id = s.send_id
    WHERE s.customer_id = o.customer_id AND e.customer_id = o.customer_id AND e.is_machine = 0
      AND (e.type = 'click' OR ($opens = 1 AND e.type = 'open'))
      AND e.occurred_at <= o.ordered_at AND e.occurred_at >= o.ordered_at - $window_ms
    ORDER BY e.occurred_at DESC, e.engagement_id DESC LIMIT 1)
WHERE o.customer_id IN (SELECT DISTINCT customer_id FROM engagement_events WHERE type IN ('click', 'open') AND is_machine = 0)
  AND NOT EXISTS (SELECT 1 FROM engagement_events c WHERE c.type = 'conversion' AND c.order_id = o.order_id)
ORDER BY o.ordered_at, o.order_id;

-- name: select-order-line-amounts
-- Revenue of an order without a total: the sum of its lines, added up as decimals in code.
SELECT quantity, unit_price FROM order_lines WHERE order_id = $order_id;

-- name: insert-conversion
INSERT OR IGNORE INTO engagement_events (send_id, campaign_id, customer_id, variant, type, occurred_at, revenue, currency, order_id)
VALUES ($send_id, $campaign_id, $customer_id, $variant, 'conversion', $at, $revenue, $currency, $order_id);

-- name: report-sends
-- One row per message of a campaign with what came back; the report adds them up per variant in code.
SELECT s.send_id, s.variant, s.state, s.reason, s.sent_at,
       coalesce(sum(e.type = 'open' AND e.is_machine = 0), 0),
       coalesce(sum(e.type = 'open' AND e.is_machine = 1), 0),
       coalesce(sum(e.type = 'click' AND e.is_machine = 0), 0),
       coalesce(sum(e.type = 'unsubscribe'), 0),
       coalesce(sum(e.type = 'complaint'), 0),
       coalesce(sum(e.type = 'bounce'), 0),
       coalesce(sum(e.type = 'conversion'), 0),
       group_concat(CASE WHEN e.type = 'conversion' THEN ifnull(e.revenue, '0') || ' ' || ifnull(e.currency, '') END, '|')
FROM sends s LEFT JOIN engagement_events e ON e.send_id = s.send_id
WHERE s.campaign_id = $campaign_id
GROUP BY s.send_id
ORDER BY s.send_id;
