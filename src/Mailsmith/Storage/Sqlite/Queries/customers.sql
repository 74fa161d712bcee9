-- name: select-customers
-- Every customer with consent and unsubscribe state; Profile and Compose read the whole table once per run.
SELECT customer_id, email, first_name, last_name, locale, time_zone, signup_at, birthday, consent, consent_at, unsubscribed_at
FROM customers
ORDER BY customer_id;

-- name: count-customers
SELECT count(*) FROM customers;

-- name: mark-unsubscribed
-- Unsubscribing is sticky: a later import of the same customer never clears it.
UPDATE customers SET unsubscribed_at = coalesce(unsubscribed_at, $at) WHERE customer_id = $customer_id;

-- name: select-suppressed-emails
-- Bounced, complained or manually suppressed addresses (lower-cased).
SELECT email FROM suppressions;

-- name: insert-suppression
INSERT INTO suppressions (email, reason, created_at) VALUES (lower($email), $reason, $at)
ON CONFLICT (email) DO NOTHING;
