-- Migration 2: the richer profile (issue 3): CLV, RFM group, cluster, affinities, discount, sentiment, language and
-- send time per customer; per-product review sentiment; one row per profile run with its store-wide results.
-- Profiles stay derived data, replaced whole by each run.

ALTER TABLE profiles ADD COLUMN rfm_segment TEXT;
ALTER TABLE profiles ADD COLUMN cluster INTEGER;
ALTER TABLE profiles ADD COLUMN cluster_label TEXT;
ALTER TABLE profiles ADD COLUMN p_alive REAL;
ALTER TABLE profiles ADD COLUMN expected_purchases_30 REAL;
ALTER TABLE profiles ADD COLUMN expected_purchases_90 REAL;
ALTER TABLE profiles ADD COLUMN expected_purchases_365 REAL;
ALTER TABLE profiles ADD COLUMN expected_order_value TEXT;     -- invariant decimal, store currency
ALTER TABLE profiles ADD COLUMN clv_365 TEXT;                  -- invariant decimal, store currency
ALTER TABLE profiles ADD COLUMN next_order_date TEXT;          -- yyyy-MM-dd
ALTER TABLE profiles ADD COLUMN category_affinity TEXT;        -- JSON object {"Beauty": 0.4, "Beauty > Skincare": 0.3}
ALTER TABLE profiles ADD COLUMN brand_affinity TEXT;           -- JSON object
ALTER TABLE profiles ADD COLUMN discount_sensitivity REAL;
ALTER TABLE profiles ADD COLUMN shrunk_discount_share REAL;
ALTER TABLE profiles ADD COLUMN review_sentiment REAL;
ALTER TABLE profiles ADD COLUMN review_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE profiles ADD COLUMN preferred_language TEXT;
ALTER TABLE profiles ADD COLUMN best_hour_of_week INTEGER;     -- 0..167, Monday 00:00 = 0, customer's own time zone
ALTER TABLE profiles ADD COLUMN best_hour_confidence REAL;
ALTER TABLE profiles ADD COLUMN send_hours BLOB;               -- sparse histogram: 5 bytes per hour (hour, float32 LE)

CREATE INDEX ix_profiles_rfm_segment ON profiles(rfm_segment);

CREATE TABLE product_sentiment (
    product_id     TEXT PRIMARY KEY,
    reviews        INTEGER NOT NULL,
    scored         INTEGER NOT NULL,   -- reviews with text
    mean_sentiment REAL,               -- −1..1, null when no review has text
    mean_rating    REAL NOT NULL
) WITHOUT ROWID;

CREATE TABLE profile_runs (
    run_id      INTEGER PRIMARY KEY,
    computed_at INTEGER NOT NULL,
    as_of       INTEGER NOT NULL,
    customers   INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,         -- what the run read (row counts, latest times, options): equal means nothing changed
    summary     TEXT NOT NULL          -- JSON: ProfileRunSummary (CLV fit, clusters, send-time prior, warnings, timings)
);
