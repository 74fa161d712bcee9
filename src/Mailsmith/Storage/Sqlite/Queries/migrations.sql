-- name: create-schema-migrations
-- The bookkeeping table of applied migrations; created before anything else so a fresh file can be migrated.
CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL);

-- name: select-schema-version
SELECT coalesce(max(version), 0) FROM schema_migrations;

-- name: insert-schema-migration
-- Written in the migration's own transaction: a migration is applied and recorded together, or neither.
INSERT INTO schema_migrations (version, name, applied_at) VALUES ($version, $name, $at);

-- name: select-applied-migrations
-- Which migrations a database has: one reserved number may land after a higher one, so gaps are filled.
SELECT version FROM schema_migrations;
