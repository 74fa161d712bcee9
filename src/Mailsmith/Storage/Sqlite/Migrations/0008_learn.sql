-- Migration 8: what the learning loop stores (docs/learn.md).
--   bandit_campaigns     a campaign whose variants are allocated by batched Thompson sampling in the send path;
--                        winner and stopped_at are set once Scott's value-remaining stop fired (sticky: every later
--                        send gets the winner).
--   bandit_batches       every allocation decision: per batch and segment the probability of each variant, the
--                        counts it was decided from and how many sends it assigned (allocation over time).
--   phrase_choices       which phrase variant filled each Compose slot of a send, with the probability of that draw,
--                        so phrase slots learn as arms (per slot, not per whole subject line).
--   customer_send_hours  per customer and hour of the week (0 = Monday 00:00 local .. 167) of *delivery*: messages
--                        delivered then, how many were clicked by a person, how many led to a purchase within the
--                        window; rebuilt from sends + engagement_events + orders by `learn send-time update`.
CREATE TABLE bandit_campaigns (
    campaign_id       TEXT PRIMARY KEY REFERENCES campaigns(campaign_id),
    metric            TEXT NOT NULL CHECK (metric IN ('click', 'conversion')),
    per_segment       INTEGER NOT NULL DEFAULT 0,
    exploration_floor REAL NOT NULL CHECK (exploration_floor >= 0 AND exploration_floor <= 1),
    winner            TEXT,
    stopped_at        INTEGER,
    stop_reason       TEXT,
    created_at        INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE bandit_batches (
    campaign_id TEXT NOT NULL REFERENCES campaigns(campaign_id),
    batch       INTEGER NOT NULL,
    segment     TEXT NOT NULL,
    variant     TEXT NOT NULL,
    probability REAL NOT NULL,
    trials      INTEGER NOT NULL,
    successes   INTEGER NOT NULL,
    assigned    INTEGER NOT NULL,
    decided_at  INTEGER NOT NULL,
    reason      TEXT,
    PRIMARY KEY (campaign_id, batch, segment, variant)
) WITHOUT ROWID;

CREATE TABLE phrase_choices (
    send_id     INTEGER NOT NULL REFERENCES sends(send_id),
    slot        TEXT NOT NULL,
    variant_id  TEXT NOT NULL,
    probability REAL,
    PRIMARY KEY (send_id, slot)
) WITHOUT ROWID;

CREATE TABLE customer_send_hours (
    customer_id  TEXT NOT NULL,
    hour_of_week INTEGER NOT NULL CHECK (hour_of_week BETWEEN 0 AND 167),
    delivered    INTEGER NOT NULL,
    clicked      INTEGER NOT NULL,
    purchased    INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (customer_id, hour_of_week)
) WITHOUT ROWID;
