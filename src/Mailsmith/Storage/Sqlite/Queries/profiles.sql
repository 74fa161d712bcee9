-- name: delete-profiles
-- Profiles are derived data: each profile run replaces them whole, inside one transaction.
DELETE FROM profiles;

-- name: insert-profile
INSERT INTO profiles (customer_id, computed_at, as_of, recency_days, frequency, monetary, r_score, f_score, m_score,
                      lifecycle, top_categories, price_band, active_hour, discount_share, price_sensitivity, avg_order_value)
VALUES ($customer_id, $computed_at, $as_of, $recency_days, $frequency, $monetary, $r_score, $f_score, $m_score,
        $lifecycle, $top_categories, $price_band, $active_hour, $discount_share, $price_sensitivity, $avg_order_value);

-- name: select-profiles
SELECT customer_id, computed_at, as_of, recency_days, frequency, monetary, r_score, f_score, m_score,
       lifecycle, top_categories, price_band, active_hour, discount_share, price_sensitivity, avg_order_value
FROM profiles ORDER BY customer_id;
