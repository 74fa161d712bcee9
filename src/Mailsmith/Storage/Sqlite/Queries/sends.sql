-- name: plan-send
-- Planning is idempotent: the idempotency key is unique, so planning a campaign twice keeps the first row,
-- its variant and its Message-ID.
INSERT INTO sends (campaign_id, customer_id, variant, assignment_probability, idempotency_key, message_id,
                   state, reason, planned_at, scheduled_for, updated_at)
VALUES ($campaign_id, $customer_id, $variant, $assignment_probability, $idempotency_key, $message_id,
        $state, $reason, $at, $scheduled_for, $at)
ON CONFLICT (idempotency_key) DO NOTHING;

-- name: select-send-by-key
SELECT send_id, campaign_id, customer_id, variant, assignment_probability, idempotency_key, message_id, state, reason,
       attempts, planned_at, scheduled_for, sent_at, updated_at
FROM sends WHERE idempotency_key = $idempotency_key;

-- name: select-sends-for-campaign
SELECT send_id, campaign_id, customer_id, variant, assignment_probability, idempotency_key, message_id, state, reason,
       attempts, planned_at, scheduled_for, sent_at, updated_at
FROM sends WHERE campaign_id = $campaign_id ORDER BY send_id;

-- name: mark-send-sending
-- Claimed before the attempt: after a crash, rows left in 'sending' are exactly the messages that were in flight.
UPDATE sends SET state = 'sending', sending_at = $at, attempts = attempts + 1, updated_at = $at
WHERE send_id = $send_id AND state IN ('planned', 'deferred', 'sending');

-- name: mark-send-sent
UPDATE sends SET state = 'sent', sent_at = $at, reason = NULL, updated_at = $at WHERE send_id = $send_id;

-- name: mark-send-failed
UPDATE sends SET state = $state, reason = $reason, updated_at = $at WHERE send_id = $send_id;

-- name: count-sends-by-state
SELECT state, count(*) FROM sends WHERE campaign_id = $campaign_id GROUP BY state ORDER BY state;

-- name: select-customers-sent-type
-- Customers who already received a campaign of this type (another campaign): a welcome is sent once per customer.
SELECT DISTINCT s.customer_id
FROM sends s JOIN campaigns c ON c.campaign_id = s.campaign_id
WHERE c.type = $type AND s.state = 'sent' AND s.campaign_id <> $campaign_id;
