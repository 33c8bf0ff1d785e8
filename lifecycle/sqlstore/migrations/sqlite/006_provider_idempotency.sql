CREATE TABLE atskit_provider_idempotency (
    account     TEXT NOT NULL,
    contract    TEXT NOT NULL,
    digest      TEXT NOT NULL,
    token       TEXT NOT NULL,
    done        INTEGER NOT NULL DEFAULT 0,
    resource_id TEXT NOT NULL DEFAULT '',
    answer      BLOB,
    lease_until INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    PRIMARY KEY (account, contract, digest)
);
CREATE INDEX atskit_provider_idempotency_expiry ON atskit_provider_idempotency (expires_at);
CREATE INDEX atskit_provider_idempotency_resource ON atskit_provider_idempotency (account, contract, resource_id);
