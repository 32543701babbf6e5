-- Pactum's store, PostgreSQL dialect. Kept equivalent to ../sqlite/0001_store.sql:
-- the same tables, columns, keys and indexes, so both backends answer alike.
-- Times are seconds since the Unix epoch, always passed in by the host.
--
-- JSON is stored as TEXT (checked with a cast to JSONB), not as JSONB: JSONB
-- rewrites numbers and reorders keys (1e15 comes back as 1000000000000000,
-- an integer to the host), and an entity must read back exactly as written,
-- as it does from SQLite. Counters are BIGINT so both backends decode them
-- as the same 64-bit integers.

-- GENERATED ALWAYS AS IDENTITY never hands out a dp-keyid twice.
CREATE TABLE entities (
    id         BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    status     TEXT    NOT NULL CHECK (status IN ('unverified', 'active', 'inactive')),
    data       TEXT    NOT NULL CHECK (jsonb_typeof(data::jsonb) = 'object'),
    -- Bumped on every change of data or status: the ETag. Writers lock the
    -- entity's row (SELECT ... FOR UPDATE), so writes of one entity queue
    -- across hosts.
    version    BIGINT  NOT NULL CHECK (version >= 1),
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL
);

-- (ext_type, ext_key) is unique across entities; one key per type per entity.
CREATE TABLE external_keys (
    ext_type  TEXT   NOT NULL,
    ext_key   TEXT   NOT NULL,
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    PRIMARY KEY (ext_type, ext_key),
    UNIQUE (entity_id, ext_type)
);

-- Every normalized unique value held by an entity, currently (pending =
-- false) or as a pending change waiting for its code (pending = true). The
-- primary key is what makes two concurrent claims of one value impossible,
-- across every host on the database.
CREATE TABLE unique_values (
    field     TEXT    NOT NULL,
    value     TEXT    NOT NULL,
    entity_id BIGINT  NOT NULL REFERENCES entities (id),
    pending   BOOLEAN NOT NULL,
    PRIMARY KEY (field, value)
);
CREATE INDEX unique_values_by_entity ON unique_values (entity_id, field);

-- A verified field's new value waiting for its code; one per entity and field.
CREATE TABLE pending_changes (
    entity_id    BIGINT NOT NULL REFERENCES entities (id),
    field        TEXT   NOT NULL,
    channel      TEXT   NOT NULL,
    value        TEXT   NOT NULL CHECK (jsonb_typeof(value::jsonb) IS NOT NULL),
    -- The pending row this change holds in unique_values, if any (NULL when
    -- the field is not unique, or on create, where the value is current).
    unique_value TEXT,
    -- The caller's hash of the code; the code itself is never stored.
    code_hash    BYTEA  NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    attempts     BIGINT NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    PRIMARY KEY (entity_id, field)
);

-- Each dispatched code, for the cooldown (per entity and field) and the
-- window limit (per entity). Rows older than both are pruned.
CREATE TABLE verification_requests (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity_id    BIGINT NOT NULL REFERENCES entities (id),
    field        TEXT   NOT NULL,
    requested_at BIGINT NOT NULL
);
CREATE INDEX verification_requests_by_entity ON verification_requests (entity_id, requested_at);

-- The transactional outbox: written with the change it announces, drained by
-- workers. A claim leases a row by moving next_attempt_at into the future;
-- claims use FOR UPDATE SKIP LOCKED, so workers on several hosts never take
-- the same row at once.
CREATE TABLE outbox (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity_id       BIGINT REFERENCES entities (id),
    channel         TEXT   NOT NULL,
    recipient       TEXT   NOT NULL,
    -- Opaque: the host's sealed message. Never a plain code.
    payload         BYTEA  NOT NULL,
    created_at      BIGINT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    sent_at         BIGINT,
    abandoned_at    BIGINT,
    last_error      TEXT
);
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE sent_at IS NULL AND abandoned_at IS NULL;

-- Who changed what, committed with the change itself.
CREATE TABLE audit (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        BIGINT NOT NULL,
    app       TEXT   NOT NULL,
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    action    TEXT   NOT NULL CHECK (action IN ('create', 'update', 'deactivate', 'verify')),
    -- JSON arrays of JSON Pointers: the members changed, and the verified
    -- fields whose code was dispatched.
    fields    TEXT   NOT NULL CHECK (jsonb_typeof(fields::jsonb) = 'array'),
    pending   TEXT   NOT NULL CHECK (jsonb_typeof(pending::jsonb) = 'array')
);
CREATE INDEX audit_by_entity ON audit (entity_id, at);
