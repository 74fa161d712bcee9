-- name: uplift-upsert-target
-- Addresses a campaign by uplift (or changes how); sends already planned keep their state.
INSERT INTO campaign_uplift_targets (campaign_id, source_campaign_id, budget, model, margin, window_days, created_at)
VALUES ($campaign_id, $source_campaign_id, $budget, $model, $margin, $window_days, $at)
ON CONFLICT (campaign_id) DO UPDATE SET source_campaign_id = excluded.source_campaign_id, budget = excluded.budget,
                                        model = excluded.model, margin = excluded.margin, window_days = excluded.window_days;

-- name: uplift-select-target
-- How a campaign is addressed by uplift (no row: by its audience alone).
SELECT source_campaign_id, budget, model, margin, window_days FROM campaign_uplift_targets WHERE campaign_id = $campaign_id;
