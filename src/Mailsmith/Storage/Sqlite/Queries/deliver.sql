-- name: deliver-select-due
-- The next page of messages a sender may deliver now, by send id (a restart resumes from the top: sent rows drop out).
-- Rows left in 'sending' by a crash come back first in their turn: they were in flight and are sent again with the
-- same Message-ID. $ignore_schedule (send --now) takes planned and deferred rows whatever their time.
SELECT send_id, campaign_id, customer_id, variant, assignment_probability, idempotency_key, message_id, state, reason,
       attempts, planned_at, scheduled_for, sent_at, updated_at
FROM sends
WHERE campaign_id = $campaign_id AND send_id > $after
  AND (state = 'sending'
       OR (state IN ('planned', 'deferred') AND ($ignore_schedule = 1 OR scheduled_for IS NULL OR scheduled_for <= $now)))
ORDER BY send_id
LIMIT $limit;

-- name: deliver-claim
-- Claimed before the attempt, in the same transaction as the sender's previous outcome: after a crash, rows in
-- 'sending' are exactly the messages that were in flight, at most one per connection.
UPDATE sends SET state = 'sending', sending_at = $at, attempts = attempts + 1, updated_at = $at
WHERE send_id = $send_id AND state IN ('planned', 'deferred', 'sending');

-- name: deliver-mark-sent
UPDATE sends SET state = 'sent', sent_at = $at, reason = NULL, updated_at = $at WHERE send_id = $send_id;

-- name: deliver-mark-outcome
-- deferred (with the moment it is due again), failed, suppressed, or planned with a schedule (its best hour).
UPDATE sends SET state = $state, reason = $reason, scheduled_for = coalesce($scheduled_for, scheduled_for), updated_at = $at
WHERE send_id = $send_id AND state <> 'sent';

-- name: deliver-select-unscheduled
-- Planned messages that have no delivery time yet: the send-time rules give them one.
SELECT send_id, campaign_id, customer_id, variant, assignment_probability, idempotency_key, message_id, state, reason,
       attempts, planned_at, scheduled_for, sent_at, updated_at
FROM sends WHERE campaign_id = $campaign_id AND state = 'planned' AND scheduled_for IS NULL ORDER BY send_id;

-- name: deliver-select-recent-sent
-- Marketing messages sent to each customer since $since by other campaigns: the frequency cap counts them.
SELECT customer_id, sent_at FROM sends
WHERE state = 'sent' AND sent_at >= $since AND campaign_id <> $campaign_id;

-- name: deliver-select-unmailable
-- Customers who must not be mailed, read again before every page so a change made while a campaign is going out
-- (an unsubscribe on the server, a withdrawn consent imported) holds back the rest of their messages.
SELECT customer_id, 'no_consent' FROM customers WHERE consent = 0
UNION ALL
SELECT customer_id, 'unsubscribed' FROM customers WHERE consent <> 0 AND unsubscribed_at IS NOT NULL
UNION ALL
SELECT DISTINCT e.customer_id, 'unsubscribed' FROM events e JOIN customers c ON c.customer_id = e.customer_id
WHERE e.type = 'unsubscribe' AND c.consent <> 0 AND c.unsubscribed_at IS NULL AND (c.consent_at IS NULL OR e.occurred_at >= c.consent_at);

-- name: deliver-set-window
-- The campaign's delivery window is fixed by its first send and kept by later ones.
UPDATE campaigns SET window_start = coalesce(window_start, $start), window_end = coalesce(window_end, $end), updated_at = $at
WHERE campaign_id = $campaign_id;

-- name: deliver-select-window
SELECT window_start, window_end FROM campaigns WHERE campaign_id = $campaign_id;

-- name: deliver-select-lease
SELECT holder, expires_at FROM send_leases WHERE campaign_id = $campaign_id;

-- name: deliver-upsert-lease
INSERT INTO send_leases (campaign_id, holder, expires_at) VALUES ($campaign_id, $holder, $expires_at)
ON CONFLICT (campaign_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at;

-- name: deliver-delete-lease
DELETE FROM send_leases WHERE campaign_id = $campaign_id AND holder = $holder;

-- name: deliver-select-campaigns-due
-- Campaigns the scheduler delivers: started by a send (they have a window), not paused, with a message due.
SELECT c.campaign_id FROM campaigns c
WHERE c.window_start IS NOT NULL AND c.status = 'sending'
  AND EXISTS (SELECT 1 FROM sends s WHERE s.campaign_id = c.campaign_id
              AND (s.state = 'sending' OR (s.state IN ('planned', 'deferred') AND (s.scheduled_for IS NULL OR s.scheduled_for <= $now))))
ORDER BY c.campaign_id;

-- name: deliver-count-open
-- Messages of the campaign not yet in a final state (planned, deferred or in flight).
SELECT count(*) FROM sends WHERE campaign_id = $campaign_id AND state IN ('planned', 'deferred', 'sending');
