#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on loopback for the store tests and
# prints the DSN to use. Installs PostgreSQL from Debian's packages when the
# machine has none. Safe to run twice: an already running server is reused.
set -euo pipefail
PGPORT="${PGPORT:-54329}"
PGDATA_DIR="${PGDATA_DIR:-/tmp/atskit-pg}"

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
if [ -z "$bindir" ]; then
  echo "ci: installing PostgreSQL from Debian's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
fi

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
  useradd --system --home-dir /var/lib/postgresql postgres
fi

if ! as_pg "$bindir/pg_isready" -h 127.0.0.1 -p "$PGPORT" -q 2>/dev/null; then
  rm -rf "$PGDATA_DIR"
  mkdir -p "$PGDATA_DIR"
  [ "$(id -u)" = 0 ] && chown postgres "$PGDATA_DIR"
  as_pg "$bindir/initdb" -D "$PGDATA_DIR" -U postgres -A trust --no-sync >/dev/null
  as_pg "$bindir/pg_ctl" -D "$PGDATA_DIR" -l "$PGDATA_DIR/server.log" -w \
    -o "-h 127.0.0.1 -p $PGPORT -k $PGDATA_DIR -c fsync=off -c max_connections=200" start >&2
fi
as_pg "$bindir/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='atskit'" | grep -q 1 ||
  as_pg "$bindir/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres atskit
echo "postgres://postgres@127.0.0.1:$PGPORT/atskit?sslmode=disable"
