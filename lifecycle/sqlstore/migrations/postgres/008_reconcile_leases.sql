-- Reconcile leases: which replica reconciles a connection in the current
-- interval of Engine.Run (lifecycle.ReconcileLeaser). lease_until is in
-- Unix nanoseconds of the claiming replica's clock.
CREATE TABLE atskit_reconcile_leases (
    connection  TEXT PRIMARY KEY,
    owner       TEXT NOT NULL,
    lease_until BIGINT NOT NULL
);
