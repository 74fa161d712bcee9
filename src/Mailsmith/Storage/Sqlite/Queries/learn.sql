-- name: learn-select-bandit
-- The bandit settings and stop state of one campaign (no row: the campaign is not a bandit).
SELECT metric, per_segment, exploration_floor, winner, stop_reason FROM bandit_campaigns WHERE campaign_id = $campaign_id;

-- name: learn-upsert-bandit
-- Turns a campaign into a bandit (or changes its settings); a stop already reached is kept.
INSERT INTO bandit_campaigns (campaign_id, metric, per_segment, exploration_floor, created_at)
VALUES ($campaign_id, $metric, $per_segment, $exploration_floor, $at)
ON CONFLICT (campaign_id) DO UPDATE SET metric = excluded.metric, per_segment = excluded.per_segment,
                                        exploration_floor = excluded.exploration_floor;

-- name: learn-stop-bandit
-- Scott's stop fired: from now on every send of the campaign gets the winner.
UPDATE bandit_campaigns SET winner = $winner, stopped_at = $at, stop_reason = $reason WHERE campaign_id = $campaign_id AND winner IS NULL;

-- name: learn-bandit-outcomes
-- Every delivered message of a campaign with whether a person responded (a human click, or an attributed conversion)
-- and the revenue attributed to it: the counts the next batch is decided from.
SELECT s.customer_id, s.variant,
       EXISTS (SELECT 1 FROM engagement_events e WHERE e.send_id = s.send_id AND e.type = $type AND e.is_machine = 0) AS responded,
       (SELECT coalesce(sum(CAST(e.revenue AS REAL)), 0) FROM engagement_events e WHERE e.send_id = s.send_id AND e.type = 'conversion') AS revenue
FROM sends s
WHERE s.campaign_id = $campaign_id AND s.state = 'sent';

-- name: learn-next-batch
SELECT coalesce(max(batch), 0) + 1 FROM bandit_batches WHERE campaign_id = $campaign_id;

-- name: learn-insert-batch
INSERT INTO bandit_batches (campaign_id, batch, segment, variant, probability, trials, successes, assigned, decided_at, reason)
VALUES ($campaign_id, $batch, $segment, $variant, $probability, $trials, $successes, $assigned, $at, $reason);

-- name: learn-select-batches
-- Allocation over time, for the experiment report.
SELECT batch, segment, variant, probability, trials, successes, assigned, decided_at, reason
FROM bandit_batches WHERE campaign_id = $campaign_id ORDER BY batch, segment, variant;

-- name: learn-reassign-send
-- The bandit's variant for a message not yet attempted; a message already claimed, attempted or sent keeps its own.
UPDATE sends SET variant = $variant, assignment_probability = $probability, updated_at = $at
WHERE send_id = $send_id AND state = 'planned' AND attempts = 0;

-- name: learn-insert-phrase-choice
INSERT OR REPLACE INTO phrase_choices (send_id, slot, variant_id, probability) VALUES ($send_id, $slot, $variant_id, $probability);

-- name: learn-phrase-outcomes
-- Per phrase slot and variant of a campaign's delivered messages: how many, and how many got a human click or a conversion.
SELECT c.slot, c.variant_id, count(*) AS trials,
       sum(EXISTS (SELECT 1 FROM engagement_events e WHERE e.send_id = s.send_id AND e.type = $type AND e.is_machine = 0)) AS successes
FROM phrase_choices c JOIN sends s ON s.send_id = c.send_id
WHERE s.campaign_id = $campaign_id AND s.state = 'sent'
GROUP BY c.slot, c.variant_id;

-- name: learn-phrase-outcomes-before
-- The same counts from every earlier campaign of a campaign's type (variant ids are per locale, type and slot),
-- with only sends and responses from before the campaign was created: fixed for the campaign's lifetime, so a retry
-- re-renders the same words, and the next campaign learns from the previous ones.
SELECT c.slot, c.variant_id, count(*) AS trials,
       sum(EXISTS (SELECT 1 FROM engagement_events e WHERE e.send_id = s.send_id AND e.type = $type AND e.is_machine = 0
                   AND e.occurred_at < $before)) AS successes
FROM phrase_choices c
JOIN sends s ON s.send_id = c.send_id
JOIN campaigns k ON k.campaign_id = s.campaign_id
WHERE k.type = $campaign_type AND s.campaign_id <> $campaign_id AND s.state = 'sent' AND s.sent_at < $before
GROUP BY c.slot, c.variant_id;

-- name: learn-phrase-ipw
-- Per phrase slot and variant of a campaign type's delivered messages with a recorded draw probability p: Σ 1/p and
-- Σ clicked/p, the Hájek inverse-propensity click rate of `learn phrases` (docs/learn.md "Phrase slots as arms").
SELECT c.slot, c.variant_id, sum(1.0 / c.probability) AS weight,
       sum(CASE WHEN EXISTS (SELECT 1 FROM engagement_events e WHERE e.send_id = s.send_id AND e.type = 'click' AND e.is_machine = 0
                             AND e.occurred_at < $before) THEN 1.0 / c.probability ELSE 0.0 END) AS clicked
FROM phrase_choices c
JOIN sends s ON s.send_id = c.send_id
JOIN campaigns k ON k.campaign_id = s.campaign_id
WHERE k.type = $campaign_type AND s.state = 'sent' AND s.sent_at < $before AND c.probability > 0
GROUP BY c.slot, c.variant_id;

-- name: learn-delivery-outcomes
-- Every delivered message with its customer's time zone, whether a person clicked it, and when: the input of the
-- send-time profile learned from outcomes (purchases are matched to orders in code, within the window).
SELECT s.customer_id, s.sent_at, c.time_zone,
       EXISTS (SELECT 1 FROM engagement_events e WHERE e.send_id = s.send_id AND e.type = 'click' AND e.is_machine = 0) AS clicked
FROM sends s JOIN customers c ON c.customer_id = s.customer_id
WHERE s.state = 'sent' AND s.sent_at IS NOT NULL;

-- name: learn-clear-send-hours
DELETE FROM customer_send_hours;

-- name: learn-insert-send-hour
INSERT INTO customer_send_hours (customer_id, hour_of_week, delivered, clicked, purchased, updated_at)
VALUES ($customer_id, $hour_of_week, $delivered, $clicked, $purchased, $at);

-- name: learn-select-send-hours
SELECT customer_id, hour_of_week, delivered, clicked, purchased FROM customer_send_hours ORDER BY customer_id, hour_of_week;
