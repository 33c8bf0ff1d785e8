CREATE TABLE atskit_webhook_deliveries (
    connection TEXT NOT NULL,
    key_hash   TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (connection, key_hash)
);
CREATE INDEX atskit_webhook_deliveries_expiry ON atskit_webhook_deliveries (expires_at);
