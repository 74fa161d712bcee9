-- name: insert-campaign
INSERT INTO campaigns (campaign_id, type, name, audience, status, variants, seed, created_at, updated_at)
VALUES ($campaign_id, $type, $name, $audience, $status, $variants, $seed, $at, $at);

-- name: insert-campaign-offer
INSERT INTO campaign_offers (campaign_id, code, percent, amount, currency, expires)
VALUES ($campaign_id, $code, $percent, $amount, $currency, $expires);

-- name: select-campaign
SELECT c.campaign_id, c.type, c.name, c.audience, c.status, c.variants, c.seed, c.created_at, c.updated_at,
       o.campaign_id, o.code, o.percent, o.amount, o.currency, o.expires
FROM campaigns c LEFT JOIN campaign_offers o ON o.campaign_id = c.campaign_id
WHERE c.campaign_id = $campaign_id;

-- name: select-campaigns
SELECT c.campaign_id, c.type, c.name, c.audience, c.status, c.variants, c.seed, c.created_at, c.updated_at,
       o.campaign_id, o.code, o.percent, o.amount, o.currency, o.expires
FROM campaigns c LEFT JOIN campaign_offers o ON o.campaign_id = c.campaign_id
ORDER BY c.created_at, c.campaign_id;

-- name: update-campaign-status
UPDATE campaigns SET status = $status, updated_at = $at WHERE campaign_id = $campaign_id;

-- name: count-campaigns
-- Used to number new campaign ids (cmp-0001, cmp-0002, …).
SELECT count(*) FROM campaigns;
