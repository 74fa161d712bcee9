-- name: insert-engagement
INSERT INTO engagement_events (send_id, campaign_id, customer_id, variant, type, occurred_at, url, revenue, user_agent, is_machine)
VALUES ($send_id, $campaign_id, $customer_id, $variant, $type, $occurred_at, $url, $revenue, $user_agent, $is_machine);

-- name: count-engagement-by-type
SELECT type, count(*) FROM engagement_events WHERE campaign_id = $campaign_id GROUP BY type ORDER BY type;

-- name: select-engagement-for-campaign
-- Learn's report and models read a campaign's engagement whole; the index on (campaign_id, type) serves it.
SELECT send_id, campaign_id, customer_id, variant, type, occurred_at, url, revenue, user_agent, is_machine
FROM engagement_events WHERE campaign_id = $campaign_id ORDER BY occurred_at, engagement_id;
