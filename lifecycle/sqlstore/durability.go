package sqlstore

import "strings"

// sqliteSynchronous returns the DSN suffix that sets SQLite's synchronous
// pragma to FULL, unless dsn already sets it (the host's choice wins).
//
// In WAL mode, synchronous=NORMAL does not sync the log on each commit: a
// commit survives a crash of the process but not a power loss or kernel
// panic, which can roll back the last transactions. The store commits a
// webhook's effects before the handler answers 200, and an ATS does not
// redeliver what it saw acknowledged, so a commit lost after the 200 is an
// event lost for good. FULL syncs the log on every commit, so an
// acknowledged delivery is on disk. The cost is one fsync per commit
// (typically 0.1–2 ms on SSDs, more on network disks); a host that accepts
// losing the last moments of work on power loss for throughput can pass
// "_pragma=synchronous(NORMAL)" in its DSN.
func sqliteSynchronous(dsn string) string {
	if strings.Contains(strings.ToLower(dsn), "synchronous(") {
		return ""
	}
	return "&_pragma=synchronous(FULL)"
}
