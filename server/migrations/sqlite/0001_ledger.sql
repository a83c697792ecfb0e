-- The consent ledger. `events` is append-only (updates are refused by a
-- trigger); a removal is either recorded in `erasures` (retention, a
-- visitor's erasure request) or caught by `consentry-server verify`.
CREATE TABLE events (
    seq         INTEGER PRIMARY KEY,      -- position in the hash chain, from 1
    event_id    TEXT    NOT NULL UNIQUE,  -- chosen by the browser: idempotency
    consent_id  TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    received_ms INTEGER NOT NULL,
    sent        INTEGER NOT NULL,
    config_hash TEXT    NOT NULL,
    revision    INTEGER NOT NULL,
    method      TEXT    NOT NULL,
    given       INTEGER NOT NULL,
    updated     INTEGER NOT NULL,
    categories  TEXT    NOT NULL,
    gpc         INTEGER NOT NULL,
    page        TEXT    NOT NULL,
    ip          TEXT,
    hash        TEXT    NOT NULL
);
CREATE INDEX events_consent ON events (consent_id, seq);
CREATE INDEX events_received ON events (received_ms);
CREATE TRIGGER events_append_only BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;

CREATE TABLE erasures (
    seq       INTEGER PRIMARY KEY,
    hash      TEXT    NOT NULL,
    erased_ms INTEGER NOT NULL,
    reason    TEXT    NOT NULL
);

CREATE TABLE chain_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT    NOT NULL
);
INSERT INTO chain_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE snapshots (
    hash          TEXT    PRIMARY KEY,
    lang          TEXT    NOT NULL,
    config        TEXT    NOT NULL,
    registered_ms INTEGER NOT NULL
);

CREATE TABLE audit (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms  INTEGER NOT NULL,
    actor  TEXT    NOT NULL,
    action TEXT    NOT NULL,
    detail TEXT    NOT NULL
);
