-- Migration 1: the store's data, derived profiles, and the campaign/outbox/engagement spine.
-- Timestamps are INTEGER milliseconds since the Unix epoch, UTC (sortable, compact, fast to read back).
-- Money is TEXT holding an invariant-culture decimal: SQLite has no decimal type and REAL would round.

CREATE TABLE customers (
    customer_id     TEXT PRIMARY KEY,
    email           TEXT NOT NULL,
    first_name      TEXT,
    last_name       TEXT,
    locale          TEXT NOT NULL,
    time_zone       TEXT,
    signup_at       INTEGER,
    birthday        TEXT,               -- yyyy-MM-dd
    consent         INTEGER NOT NULL DEFAULT 0,
    consent_at      INTEGER,
    unsubscribed_at INTEGER             -- set by tracking or an unsubscribe event; import never clears it
) WITHOUT ROWID;
CREATE INDEX ix_customers_email ON customers(email);

CREATE TABLE products (
    product_id  TEXT PRIMARY KEY,
    title       TEXT NOT NULL,
    description TEXT,
    category    TEXT NOT NULL,
    brand       TEXT,
    price       TEXT NOT NULL,
    currency    TEXT NOT NULL,
    in_stock    INTEGER NOT NULL DEFAULT 1,
    image_url   TEXT,
    url         TEXT,
    tags        TEXT                -- '|' separated, as in the CSV
) WITHOUT ROWID;

CREATE TABLE product_texts (
    product_id  TEXT NOT NULL,
    locale      TEXT NOT NULL,
    title       TEXT,
    description TEXT,
    PRIMARY KEY (product_id, locale)
) WITHOUT ROWID;

CREATE TABLE orders (
    order_id        TEXT PRIMARY KEY,
    customer_id     TEXT NOT NULL,
    ordered_at      INTEGER NOT NULL,
    total           TEXT,
    currency        TEXT,
    discount_code   TEXT,
    discount_amount TEXT
) WITHOUT ROWID;
CREATE INDEX ix_orders_customer ON orders(customer_id, ordered_at);

CREATE TABLE order_lines (
    order_id   TEXT NOT NULL,
    product_id TEXT NOT NULL,
    quantity   INTEGER NOT NULL,
    unit_price TEXT NOT NULL,
    PRIMARY KEY (order_id, product_id)
) WITHOUT ROWID;
CREATE INDEX ix_order_lines_product ON order_lines(product_id);

-- Events have no id of their own: the natural key (customer, type, time, product, query) makes re-import idempotent.
-- product_id and query are '' when absent so the key is a plain unique index.
CREATE TABLE events (
    event_id    INTEGER PRIMARY KEY,
    customer_id TEXT NOT NULL,
    type        TEXT NOT NULL,
    occurred_at INTEGER NOT NULL,
    product_id  TEXT NOT NULL DEFAULT '',
    query       TEXT NOT NULL DEFAULT '',
    campaign_id TEXT
);
CREATE UNIQUE INDEX ux_events_natural ON events(customer_id, type, occurred_at, product_id, query);

CREATE TABLE reviews (
    customer_id TEXT NOT NULL,
    product_id  TEXT NOT NULL,
    rating      INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    text        TEXT,
    created_at  INTEGER
);
CREATE UNIQUE INDEX ux_reviews_natural ON reviews(customer_id, product_id, ifnull(created_at, -1));
CREATE INDEX ix_reviews_product ON reviews(product_id);

-- Derived by the Profile stage; rebuilt on every profile run.
CREATE TABLE profiles (
    customer_id      TEXT PRIMARY KEY,
    computed_at      INTEGER NOT NULL,
    as_of            INTEGER NOT NULL,
    recency_days     REAL,
    frequency        INTEGER NOT NULL,
    monetary         TEXT NOT NULL,
    r_score          INTEGER NOT NULL,
    f_score          INTEGER NOT NULL,
    m_score          INTEGER NOT NULL,
    lifecycle        TEXT NOT NULL,
    top_categories   TEXT NOT NULL,   -- '|' separated, strongest first
    price_band       TEXT NOT NULL,   -- budget | mid | premium | unknown
    active_hour      INTEGER,         -- 0..23 in the customer's local time
    discount_share   REAL NOT NULL DEFAULT 0,
    price_sensitivity REAL NOT NULL DEFAULT 0,
    avg_order_value  TEXT
) WITHOUT ROWID;

CREATE TABLE campaigns (
    campaign_id TEXT PRIMARY KEY,
    type        TEXT NOT NULL CHECK (type IN ('welcome', 'abandoned_cart', 'winback', 'recommendations')),
    name        TEXT NOT NULL,
    audience    TEXT NOT NULL DEFAULT 'default',
    status      TEXT NOT NULL DEFAULT 'draft',
    variants    TEXT NOT NULL,       -- JSON: [{"name":"A","weight":1}]
    seed        INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE sends (
    send_id                INTEGER PRIMARY KEY,
    campaign_id            TEXT NOT NULL REFERENCES campaigns(campaign_id),
    customer_id            TEXT NOT NULL,
    variant                TEXT NOT NULL,
    assignment_probability REAL NOT NULL CHECK (assignment_probability > 0 AND assignment_probability <= 1),
    idempotency_key        TEXT NOT NULL UNIQUE,
    message_id             TEXT NOT NULL UNIQUE,
    state                  TEXT NOT NULL CHECK (state IN ('planned', 'sending', 'sent', 'deferred', 'failed', 'suppressed')),
    reason                 TEXT,           -- why suppressed, deferred or failed
    attempts               INTEGER NOT NULL DEFAULT 0,
    planned_at             INTEGER NOT NULL,
    scheduled_for          INTEGER,
    sending_at             INTEGER,
    sent_at                INTEGER,
    updated_at             INTEGER NOT NULL,
    UNIQUE (campaign_id, customer_id)
);
CREATE INDEX ix_sends_state ON sends(campaign_id, state, send_id);
CREATE INDEX ix_sends_customer ON sends(customer_id, sent_at);

CREATE TABLE engagement_events (
    engagement_id INTEGER PRIMARY KEY,
    send_id       INTEGER REFERENCES sends(send_id),
    campaign_id   TEXT NOT NULL,
    customer_id   TEXT NOT NULL,
    variant       TEXT,
    type          TEXT NOT NULL CHECK (type IN ('open', 'click', 'unsubscribe', 'conversion', 'bounce', 'complaint')),
    occurred_at   INTEGER NOT NULL,
    url           TEXT,
    revenue       TEXT,
    user_agent    TEXT,
    is_machine    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ix_engagement_campaign ON engagement_events(campaign_id, type);
CREATE INDEX ix_engagement_send ON engagement_events(send_id);

-- Addresses that must never be mailed again (bounces, complaints, manual); checked by every send path.
CREATE TABLE suppressions (
    email      TEXT PRIMARY KEY,
    reason     TEXT NOT NULL,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;
