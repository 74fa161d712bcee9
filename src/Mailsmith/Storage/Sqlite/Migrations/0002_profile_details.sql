-- Migration 2: the richer profile (issue 3): CLV, RFM group, cluster, affinities, discount, sentiment, language and
-- send time per customer; per-product review sentiment; one row per profile run with its store-wide results.
-- Profiles stay derived data, replaced whole by each run.

-- The table is rebuilt as an ordinary rowid table: a profile row is now several hundred bytes, and SQLite's
-- WITHOUT ROWID layout is meant for small rows (wide rows in the primary-key b-tree made writing 1M profiles take 48 s).
CREATE TABLE profiles_v2 (
    customer_id           TEXT NOT NULL UNIQUE,
    computed_at           INTEGER NOT NULL,
    as_of                 INTEGER NOT NULL,
    recency_days          REAL,
    frequency             INTEGER NOT NULL,
    monetary              TEXT NOT NULL,
    r_score               INTEGER NOT NULL,
    f_score               INTEGER NOT NULL,
    m_score               INTEGER NOT NULL,
    lifecycle             TEXT NOT NULL,
    top_categories        TEXT NOT NULL,   -- '|' separated, strongest first
    price_band            TEXT NOT NULL,   -- budget | mid | premium | unknown
    active_hour           INTEGER,         -- 0..23 in the customer's local time
    discount_share        REAL NOT NULL DEFAULT 0,
    price_sensitivity     REAL NOT NULL DEFAULT 0,
    avg_order_value       TEXT,
    rfm_segment           TEXT,
    cluster               INTEGER,
    cluster_label         TEXT,
    p_alive               REAL,
    expected_purchases_30 REAL,
    expected_purchases_90 REAL,
    expected_purchases_365 REAL,
    expected_order_value  TEXT,            -- invariant decimal, store currency
    clv_365               TEXT,            -- invariant decimal, store currency
    next_order_date       TEXT,            -- yyyy-MM-dd
    category_affinity     TEXT,            -- JSON object {"Beauty": 0.4, "Beauty > Skincare": 0.3}
    brand_affinity        TEXT,            -- JSON object
    discount_sensitivity  REAL,
    shrunk_discount_share REAL,
    review_sentiment      REAL,
    review_count          INTEGER NOT NULL DEFAULT 0,
    preferred_language    TEXT,
    best_hour_of_week     INTEGER,         -- 0..167, Monday 00:00 = 0, customer's own time zone
    best_hour_confidence  REAL,
    send_hours            BLOB             -- sparse histogram: 5 bytes per hour (hour, float32 LE)
);
INSERT INTO profiles_v2 (customer_id, computed_at, as_of, recency_days, frequency, monetary, r_score, f_score, m_score,
                         lifecycle, top_categories, price_band, active_hour, discount_share, price_sensitivity, avg_order_value)
SELECT customer_id, computed_at, as_of, recency_days, frequency, monetary, r_score, f_score, m_score,
       lifecycle, top_categories, price_band, active_hour, discount_share, price_sensitivity, avg_order_value
FROM profiles;
DROP TABLE profiles;
ALTER TABLE profiles_v2 RENAME TO profiles;

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
