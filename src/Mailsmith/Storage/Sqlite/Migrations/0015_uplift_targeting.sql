-- Migration 15: a campaign addressed by uplift (docs/learn.md "Targeting by uplift"): the earlier campaign whose
-- randomized holdout experiment trains the two-model learner, the most messages to send, the learner, the margin an
-- uplift must clear to count as persuadable, and the attribution window of a purchase.
CREATE TABLE campaign_uplift_targets (
    campaign_id        TEXT PRIMARY KEY REFERENCES campaigns(campaign_id),
    source_campaign_id TEXT NOT NULL REFERENCES campaigns(campaign_id),
    budget             INTEGER NOT NULL CHECK (budget >= 0),
    model              TEXT NOT NULL CHECK (model IN ('logistic', 'lightgbm')),
    margin             REAL NOT NULL CHECK (margin >= 0),
    window_days        REAL NOT NULL CHECK (window_days > 0),
    created_at         INTEGER NOT NULL
) WITHOUT ROWID;
