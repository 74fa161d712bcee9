-- name: insert-segment
-- A new segment; the primary key refuses a second one of the same name (any case).
INSERT INTO segments (name, expression, description, created_at, updated_at)
VALUES ($name, $expression, $description, $at, $at);

-- name: update-segment
-- Replacing a segment's expression keeps its name and creation time.
UPDATE segments SET expression = $expression, description = $description, updated_at = $at WHERE name = $name;

-- name: select-segment
SELECT name, expression, description, created_at, updated_at FROM segments WHERE name = $name;

-- name: select-segments
SELECT name, expression, description, created_at, updated_at FROM segments ORDER BY name COLLATE NOCASE;

-- name: delete-segment
DELETE FROM segments WHERE name = $name;
