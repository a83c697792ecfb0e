-- The consent ledger; see migrations/sqlite/0001_ledger.sql for the notes.
CREATE TABLE events (
    seq         BIGINT PRIMARY KEY,
    event_id    TEXT   NOT NULL UNIQUE,
    consent_id  TEXT   NOT NULL,
    kind        TEXT   NOT NULL,
    received_ms BIGINT NOT NULL,
    sent        BIGINT NOT NULL,
    config_hash TEXT   NOT NULL,
    revision    BIGINT NOT NULL,
    method      TEXT   NOT NULL,
    given       BIGINT NOT NULL,
    updated     BIGINT NOT NULL,
    categories  TEXT   NOT NULL,
    gpc         BIGINT NOT NULL,
    page        TEXT   NOT NULL,
    ip          TEXT,
    hash        TEXT   NOT NULL
);
CREATE INDEX events_consent ON events (consent_id, seq);
CREATE INDEX events_received ON events (received_ms);
CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only';
END;
$$;
CREATE TRIGGER events_append_only BEFORE UPDATE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only();

CREATE TABLE erasures (
    seq       BIGINT PRIMARY KEY,
    hash      TEXT   NOT NULL,
    erased_ms BIGINT NOT NULL,
    reason    TEXT   NOT NULL
);

CREATE TABLE chain_head (
    id   BIGINT PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT   NOT NULL
);
INSERT INTO chain_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE snapshots (
    hash          TEXT   PRIMARY KEY,
    lang          TEXT   NOT NULL,
    config        TEXT   NOT NULL,
    registered_ms BIGINT NOT NULL
);

CREATE TABLE audit (
    id     BIGSERIAL PRIMARY KEY,
    at_ms  BIGINT NOT NULL,
    actor  TEXT   NOT NULL,
    action TEXT   NOT NULL,
    detail TEXT   NOT NULL
);
