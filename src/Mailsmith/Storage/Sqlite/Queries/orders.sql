-- name: select-orders
SELECT order_id, customer_id, ordered_at, total, currency, discount_code, discount_amount
FROM orders
ORDER BY customer_id, ordered_at;

-- name: select-order-lines
SELECT order_id, product_id, quantity, unit_price FROM order_lines;

-- name: count-orders
SELECT count(*) FROM orders;
