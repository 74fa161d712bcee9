-- name: select-reviews
SELECT customer_id, product_id, rating, text, created_at FROM reviews ORDER BY product_id, created_at;

-- name: count-reviews
SELECT count(*) FROM reviews;
