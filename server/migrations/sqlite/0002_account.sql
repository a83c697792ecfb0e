-- Consent that follows the account (issue 17). A receipt that carries a
-- valid account token links its consent id to the account; the account's
-- latest decision is the newest event of its linked consent ids. At most
-- 64 consent ids per account are kept (the oldest link goes first).
CREATE TABLE account_links (
    account    TEXT    NOT NULL,
    consent_id TEXT    NOT NULL,
    linked_ms  INTEGER NOT NULL,
    PRIMARY KEY (account, consent_id)
);
CREATE INDEX account_links_consent ON account_links (consent_id);

-- Email opens and clicks per campaign, counted only when the account's
-- latest decision allows [ledger] email_category. Counts only: nothing
-- about who opened, and nothing at all about those who did not consent.
CREATE TABLE campaigns (
    campaign TEXT    PRIMARY KEY,
    opens    INTEGER NOT NULL DEFAULT 0,
    clicks   INTEGER NOT NULL DEFAULT 0
);
