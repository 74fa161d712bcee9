-- name: insert-campaign
INSERT INTO campaigns (campaign_id, type, name, audience, status, variants, seed, created_at, updated_at)
VALUES ($campaign_id, $type, $name, $audience, $status, $variants, $seed, $at, $at);

-- name: select-campaign
SELECT campaign_id, type, name, audience, status, variants, seed, created_at, updated_at FROM campaigns WHERE campaign_id = $campaign_id;

-- name: select-campaigns
SELECT campaign_id, type, name, audience, status, variants, seed, created_at, updated_at FROM campaigns ORDER BY created_at, campaign_id;

-- name: update-campaign-status
UPDATE campaigns SET status = $status, updated_at = $at WHERE campaign_id = $campaign_id;

-- name: count-campaigns
-- Used to number new campaign ids (cmp-0001, cmp-0002, …).
SELECT count(*) FROM campaigns;
