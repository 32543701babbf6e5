-- Pactum's store, PostgreSQL dialect. Kept equivalent to ../sqlite/0001_store.sql.
-- Not wired yet: the PostgreSQL backend will embed it with
-- sqlx::migrate!("./migrations/postgres").
-- Times are seconds since the Unix epoch, always passed in by the host.

-- GENERATED ALWAYS AS IDENTITY never hands out a dp-keyid twice.
CREATE TABLE entities (
    id         BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    status     TEXT    NOT NULL CHECK (status IN ('unverified', 'active', 'inactive')),
    data       JSONB   NOT NULL CHECK (jsonb_typeof(data) = 'object'),
    version    BIGINT  NOT NULL CHECK (version >= 1),
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL
);

CREATE TABLE external_keys (
    ext_type  TEXT   NOT NULL,
    ext_key   TEXT   NOT NULL,
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    PRIMARY KEY (ext_type, ext_key),
    UNIQUE (entity_id, ext_type)
);

-- The primary key is what makes two concurrent claims of one value
-- impossible, across every host on the database.
CREATE TABLE unique_values (
    field     TEXT    NOT NULL,
    value     TEXT    NOT NULL,
    entity_id BIGINT  NOT NULL REFERENCES entities (id),
    pending   BOOLEAN NOT NULL,
    PRIMARY KEY (field, value)
);
CREATE INDEX unique_values_by_entity ON unique_values (entity_id, field);

CREATE TABLE pending_changes (
    entity_id    BIGINT  NOT NULL REFERENCES entities (id),
    field        TEXT    NOT NULL,
    channel      TEXT    NOT NULL,
    value        JSONB   NOT NULL,
    unique_value TEXT,
    code_hash    BYTEA   NOT NULL,
    created_at   BIGINT  NOT NULL,
    expires_at   BIGINT  NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    PRIMARY KEY (entity_id, field)
);

CREATE TABLE verification_requests (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity_id    BIGINT NOT NULL REFERENCES entities (id),
    field        TEXT   NOT NULL,
    requested_at BIGINT NOT NULL
);
CREATE INDEX verification_requests_by_entity ON verification_requests (entity_id, requested_at);

-- Claimed with FOR UPDATE SKIP LOCKED, so workers on several hosts never
-- take the same row at once.
CREATE TABLE outbox (
    id              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity_id       BIGINT  REFERENCES entities (id),
    channel         TEXT    NOT NULL,
    recipient       TEXT    NOT NULL,
    payload         BYTEA   NOT NULL,
    created_at      BIGINT  NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT  NOT NULL,
    sent_at         BIGINT,
    abandoned_at    BIGINT,
    last_error      TEXT
);
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE sent_at IS NULL AND abandoned_at IS NULL;

CREATE TABLE audit (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        BIGINT NOT NULL,
    app       TEXT   NOT NULL,
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    action    TEXT   NOT NULL CHECK (action IN ('create', 'update', 'deactivate', 'verify')),
    fields    JSONB  NOT NULL,
    pending   JSONB  NOT NULL
);
CREATE INDEX audit_by_entity ON audit (entity_id, at);
