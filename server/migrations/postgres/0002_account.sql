-- Consent that follows the account; see migrations/sqlite/0002_account.sql.
CREATE TABLE account_links (
    account    TEXT   NOT NULL,
    consent_id TEXT   NOT NULL,
    linked_ms  BIGINT NOT NULL,
    PRIMARY KEY (account, consent_id)
);
CREATE INDEX account_links_consent ON account_links (consent_id);

CREATE TABLE campaigns (
    campaign TEXT   PRIMARY KEY,
    opens    BIGINT NOT NULL DEFAULT 0,
    clicks   BIGINT NOT NULL DEFAULT 0
);
