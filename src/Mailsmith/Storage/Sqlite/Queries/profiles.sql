-- name: delete-profiles
-- Profiles are derived data: each profile run replaces them whole, inside one transaction.
DELETE FROM profiles;

-- name: drop-profile-indexes
-- A profile run rewrites every row: the secondary index is dropped first and rebuilt once after the rows are in
-- (create-profile-indexes), which is cheaper than updating it row by row. Same definition as migration 0002.
DROP INDEX IF EXISTS ix_profiles_rfm_segment;

-- name: create-profile-indexes
CREATE INDEX IF NOT EXISTS ix_profiles_rfm_segment ON profiles(rfm_segment);

-- name: insert-profile
-- The writer repeats the VALUES tuple for 64 rows per statement (MailsmithStore.ProfileInsert); keep it the last clause.
INSERT INTO profiles (customer_id, computed_at, as_of, recency_days, frequency, monetary, r_score, f_score, m_score,
                      lifecycle, top_categories, price_band, active_hour, discount_share, price_sensitivity, avg_order_value,
                      rfm_segment, cluster, cluster_label, p_alive, expected_purchases_30, expected_purchases_90, expected_purchases_365,
                      expected_order_value, clv_365, next_order_date, category_affinity, brand_affinity, discount_sensitivity,
                      shrunk_discount_share, review_sentiment, review_count, preferred_language, best_hour_of_week,
                      best_hour_confidence, send_hours)
VALUES ($customer_id, $computed_at, $as_of, $recency_days, $frequency, $monetary, $r_score, $f_score, $m_score,
        $lifecycle, $top_categories, $price_band, $active_hour, $discount_share, $price_sensitivity, $avg_order_value,
        $rfm_segment, $cluster, $cluster_label, $p_alive, $expected_purchases_30, $expected_purchases_90, $expected_purchases_365,
        $expected_order_value, $clv_365, $next_order_date, $category_affinity, $brand_affinity, $discount_sensitivity,
        $shrunk_discount_share, $review_sentiment, $review_count, $preferred_language, $best_hour_of_week,
        $best_hour_confidence, $send_hours);

-- name: select-profiles
-- Loads every stored profile back (segments, reports and campaigns read them without recomputing).
SELECT customer_id, computed_at, as_of, recency_days, frequency, monetary, r_score, f_score, m_score,
       lifecycle, top_categories, price_band, active_hour, discount_share, price_sensitivity, avg_order_value,
       rfm_segment, cluster, cluster_label, p_alive, expected_purchases_30, expected_purchases_90, expected_purchases_365,
       expected_order_value, clv_365, next_order_date, category_affinity, brand_affinity, discount_sensitivity,
       shrunk_discount_share, review_sentiment, review_count, preferred_language, best_hour_of_week,
       best_hour_confidence, send_hours
FROM profiles ORDER BY customer_id;

-- name: delete-product-sentiment
-- Derived with the profiles: replaced whole by each run.
DELETE FROM product_sentiment;

-- name: insert-product-sentiment
INSERT INTO product_sentiment (product_id, reviews, scored, mean_sentiment, mean_rating)
VALUES ($product_id, $reviews, $scored, $mean_sentiment, $mean_rating);

-- name: select-product-sentiment
SELECT product_id, reviews, scored, mean_sentiment, mean_rating FROM product_sentiment ORDER BY product_id;

-- name: insert-profile-run
INSERT INTO profile_runs (computed_at, as_of, customers, fingerprint, summary)
VALUES ($computed_at, $as_of, $customers, $fingerprint, $summary);

-- name: select-latest-profile-run
-- The last run decides whether a new one is needed (same fingerprint: nothing changed) and feeds the report.
SELECT computed_at, as_of, customers, fingerprint, summary FROM profile_runs ORDER BY run_id DESC LIMIT 1;

-- name: select-profile-engagement
-- Human opens and clicks per customer, the email half of the send-time profile. Machine opens (privacy proxies) say
-- nothing about when a person reads mail.
SELECT customer_id, type, occurred_at FROM engagement_events
WHERE type IN ('open', 'click') AND is_machine = 0;

-- name: select-profile-fingerprint
-- Cheap summary of everything a profile run reads; when it and the options are unchanged, the stored profiles stand.
SELECT (SELECT count(*) FROM customers) || ':' || (SELECT ifnull(max(signup_at), 0) FROM customers) || ':' ||
       (SELECT count(*) FROM orders) || ':' || (SELECT ifnull(max(ordered_at), 0) FROM orders) || ':' ||
       (SELECT count(*) FROM order_lines) || ':' ||
       (SELECT count(*) FROM events) || ':' || (SELECT ifnull(max(event_id), 0) FROM events) || ':' ||
       (SELECT count(*) FROM reviews) || ':' || (SELECT count(*) FROM products) || ':' ||
       (SELECT count(*) FROM engagement_events) || ':' || (SELECT ifnull(max(engagement_id), 0) FROM engagement_events);
