-- Shared pacing: request start times booked per ATS account (Store.Pacer).
CREATE TABLE atskit_pacing (
    account  TEXT NOT NULL,
    start_at BIGINT NOT NULL
);
CREATE INDEX atskit_pacing_account ON atskit_pacing (account, start_at);
