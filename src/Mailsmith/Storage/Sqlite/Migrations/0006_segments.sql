-- Migration 6: saved dynamic segments (docs/segments.md). A segment stores its expression, never its members: it is
-- evaluated against the current profiles whenever it is used, so it follows the data. Only expressions that parsed
-- and type-checked are stored (the library checks before inserting). Names compare without case.
CREATE TABLE segments (
    name        TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
    expression  TEXT NOT NULL,
    description TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) WITHOUT ROWID;
