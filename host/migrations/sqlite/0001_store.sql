-- Pactum's store, SQLite dialect. Kept equivalent to ../postgres/0001_store.sql.
-- Times are seconds since the Unix epoch, always passed in by the host.
-- STRICT tables: a value of the wrong type is an error, not a silent cast.

-- The accounts. AUTOINCREMENT so a dp-keyid is never handed out twice, even
-- after the highest row is gone (a plain rowid may be reused).
CREATE TABLE entities (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    status     TEXT    NOT NULL CHECK (status IN ('unverified', 'active', 'inactive')),
    data       TEXT    NOT NULL CHECK (json_valid(data) AND json_type(data) = 'object'),
    -- Bumped on every change of data or status: the ETag.
    version    INTEGER NOT NULL CHECK (version >= 1),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- (ext_type, ext_key) is unique across entities; one key per type per entity.
CREATE TABLE external_keys (
    ext_type  TEXT    NOT NULL,
    ext_key   TEXT    NOT NULL,
    entity_id INTEGER NOT NULL REFERENCES entities (id),
    PRIMARY KEY (ext_type, ext_key),
    UNIQUE (entity_id, ext_type)
) STRICT;

-- Every normalized unique value held by an entity, currently (pending = 0)
-- or as a pending change waiting for its code (pending = 1). The primary key
-- is what makes two concurrent claims of one value impossible.
CREATE TABLE unique_values (
    field     TEXT    NOT NULL,
    value     TEXT    NOT NULL,
    entity_id INTEGER NOT NULL REFERENCES entities (id),
    pending   INTEGER NOT NULL CHECK (pending IN (0, 1)),
    PRIMARY KEY (field, value)
) STRICT;
CREATE INDEX unique_values_by_entity ON unique_values (entity_id, field);

-- A verified field's new value waiting for its code; one per entity and field.
CREATE TABLE pending_changes (
    entity_id    INTEGER NOT NULL REFERENCES entities (id),
    field        TEXT    NOT NULL,
    channel      TEXT    NOT NULL,
    value        TEXT    NOT NULL CHECK (json_valid(value)),
    -- The pending row this change holds in unique_values, if any (NULL when
    -- the field is not unique, or on create, where the value is current).
    unique_value TEXT,
    -- The caller's hash of the code; the code itself is never stored.
    code_hash    BLOB    NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    PRIMARY KEY (entity_id, field)
) STRICT;

-- Each dispatched code, for the cooldown (per entity and field) and the
-- window limit (per entity). Rows older than both are pruned.
CREATE TABLE verification_requests (
    id           INTEGER PRIMARY KEY,
    entity_id    INTEGER NOT NULL REFERENCES entities (id),
    field        TEXT    NOT NULL,
    requested_at INTEGER NOT NULL
) STRICT;
CREATE INDEX verification_requests_by_entity ON verification_requests (entity_id, requested_at);

-- The transactional outbox: written with the change it announces, drained by
-- a worker. A claim leases a row by moving next_attempt_at into the future.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id       INTEGER REFERENCES entities (id),
    channel         TEXT    NOT NULL,
    recipient       TEXT    NOT NULL,
    -- Opaque: the host's sealed message. Never a plain code.
    payload         BLOB    NOT NULL,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    sent_at         INTEGER,
    abandoned_at    INTEGER,
    last_error      TEXT
) STRICT;
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE sent_at IS NULL AND abandoned_at IS NULL;

-- Who changed what, committed with the change itself.
CREATE TABLE audit (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        INTEGER NOT NULL,
    app       TEXT    NOT NULL,
    entity_id INTEGER NOT NULL REFERENCES entities (id),
    action    TEXT    NOT NULL CHECK (action IN ('create', 'update', 'deactivate', 'verify')),
    -- JSON arrays of JSON Pointers: the members changed, and the verified
    -- fields whose code was dispatched.
    fields    TEXT    NOT NULL CHECK (json_valid(fields)),
    pending   TEXT    NOT NULL CHECK (json_valid(pending))
) STRICT;
CREATE INDEX audit_by_entity ON audit (entity_id, at);
