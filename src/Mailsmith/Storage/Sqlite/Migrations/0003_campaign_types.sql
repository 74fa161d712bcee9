-- Issue 5: campaigns may be any of the 12 campaign types (Compose/ComposedEmail.cs CampaignTypes.All), not only the
-- first four. SQLite cannot alter a CHECK, so the table is rebuilt. Migrations run in one transaction with foreign keys
-- on; deferring them lets sends keep pointing at campaign ids while the rows are copied back (the count of violations
-- from the implicit delete is cancelled by the re-inserts, and commit checks it).
PRAGMA defer_foreign_keys = ON;

CREATE TEMP TABLE campaigns_0003 AS SELECT * FROM campaigns;

DROP TABLE campaigns;

CREATE TABLE campaigns (
    campaign_id TEXT PRIMARY KEY,
    type        TEXT NOT NULL CHECK (type IN (
                    'welcome', 'browse_abandonment', 'abandoned_cart', 'post_purchase', 'winback', 'new_arrivals',
                    'price_drop', 'back_in_stock', 'birthday', 'replenishment', 'recommendations', 'promotion')),
    name        TEXT NOT NULL,
    audience    TEXT NOT NULL DEFAULT 'default',
    status      TEXT NOT NULL DEFAULT 'draft',
    variants    TEXT NOT NULL,       -- JSON: [{"name":"A","weight":1}]
    seed        INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO campaigns (campaign_id, type, name, audience, status, variants, seed, created_at, updated_at)
SELECT campaign_id, type, name, audience, status, variants, seed, created_at, updated_at FROM campaigns_0003;

DROP TABLE campaigns_0003;
