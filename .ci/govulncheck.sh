#!/usr/bin/env bash
# Runs govulncheck against a vulnerability database built from the
# golang.org/x/vulndb module, fetched through the Go module proxy (the same
# route as every other dependency, so CI needs no access to vuln.go.dev).
# Exits non-zero when the module calls a known-vulnerable function
# (govulncheck exits 3), including in the Go standard library of the
# toolchain go.mod pins.
#
#   ATSKIT_VULNDB_VERSION   vulndb module version (default: latest)
#   ATSKIT_GOVULNCHECK      govulncheck version (default below)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"

vulndb_version="${ATSKIT_VULNDB_VERSION:-latest}"
govulncheck_version="${ATSKIT_GOVULNCHECK:-v1.9.0}"

# Resolve and download the database module (GOFLAGS=-mod=mod: a module
# outside go.mod, fetched without touching go.mod or go.sum).
vulndb_dir="$(GOFLAGS=-mod=mod go mod download -json "golang.org/x/vulndb@${vulndb_version}" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
if [ -z "$vulndb_dir" ] || [ ! -d "$vulndb_dir/data/osv" ]; then
  echo "govulncheck: could not obtain golang.org/x/vulndb@${vulndb_version} from the module proxy" >&2
  exit 1
fi
echo "vulnerability database: golang.org/x/vulndb $(basename "$vulndb_dir" | sed 's/.*@//') ($(ls "$vulndb_dir/data/osv" | wc -l) entries)"

# The module holds OSV entries; govulncheck reads the indexed v1 layout,
# which vulndb's own indexdb command writes.
db="$(mktemp -d)"
trap 'rm -rf "$db"' EXIT
GOFLAGS=-mod=mod go run "golang.org/x/vulndb/cmd/indexdb@$(basename "$vulndb_dir" | sed 's/.*@//')" \
  -vulns "$vulndb_dir/data/osv" -out "$db"

go version
GOFLAGS=-mod=mod go run "golang.org/x/vuln/cmd/govulncheck@${govulncheck_version}" -db "file://$db" ./...
