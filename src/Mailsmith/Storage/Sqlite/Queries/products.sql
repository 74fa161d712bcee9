-- name: select-products
SELECT product_id, title, description, category, brand, price, currency, in_stock, image_url, url, tags
FROM products
ORDER BY product_id;

-- name: select-product-texts
-- Localized titles and descriptions, joined to products in memory.
SELECT product_id, locale, title, description FROM product_texts;

-- name: count-products
SELECT count(*) FROM products;
