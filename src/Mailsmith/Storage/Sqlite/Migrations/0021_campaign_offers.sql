-- Migration 21: a campaign's offer (docs/compose.md "Offers"): the discount every email of the campaign may state, and
-- the only one. A code, a percentage or an amount off (in a currency, default the products' own), and the last day it
-- is valid. Written in the same transaction as the campaign.
CREATE TABLE campaign_offers (
    campaign_id TEXT PRIMARY KEY REFERENCES campaigns(campaign_id),
    code        TEXT,
    percent     INTEGER CHECK (percent IS NULL OR (percent >= 1 AND percent <= 90)),
    amount      TEXT,
    currency    TEXT,
    expires     TEXT,
    CHECK (percent IS NOT NULL OR amount IS NOT NULL)
) WITHOUT ROWID;
