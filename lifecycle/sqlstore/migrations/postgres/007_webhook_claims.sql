-- A delivery's claim is provisional (confirmed = 0) until the handler
-- stored its events; such a row's expires_at is the end of its lease.
-- Rows written before this migration are confirmed claims.
ALTER TABLE atskit_webhook_deliveries ADD COLUMN confirmed SMALLINT NOT NULL DEFAULT 1;
