#!/usr/bin/env bash
# Runs a command with a private PostgreSQL server on a free loopback port, then stops it.
#
#   scripts/with-postgres.sh COMMAND [ARGS...]
#
# The server lives in a fresh temporary directory (initdb, trust authentication for the local
# superuser `postgres`, TCP on 127.0.0.1 only, Unix socket in the same directory) and is removed
# afterwards, whatever the command's outcome. The command sees
#   GENOMEFED_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:PORT/postgres
# and its exit status is this script's. PostgreSQL refuses to run as root, so as root the server
# runs as the `postgres` system user (Debian's postgresql package creates it) via runuser.
# Used by the hub tests (CTest), which fail rather than skip when this variable is set but the
# server is unusable.
set -euo pipefail
pg_bin=${GENOMEFED_PG_BIN:-}
if [ -z "$pg_bin" ]; then
  for v in 17 16 15 14 13; do
    if [ -x "/usr/lib/postgresql/$v/bin/initdb" ]; then pg_bin=/usr/lib/postgresql/$v/bin; break; fi
  done
fi
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
  echo "with-postgres: PostgreSQL server binaries not found (apt-get install postgresql; scripts/install-deps.sh does)" >&2
  exit 1
fi
[ $# -ge 1 ] || { echo "usage: $0 COMMAND [ARGS...]" >&2; exit 2; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/genomefed-pg.XXXXXX")
as_pg=()
if [ "$(id -u)" = 0 ]; then
  chown postgres: "$dir"
  chmod 700 "$dir"
  as_pg=(runuser -u postgres --)
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')

cleanup() {
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM

"${as_pg[@]}" "$pg_bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 \
  --no-locale --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
if ! "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null; then
  cat "$dir/server.log" >&2 || true
  exit 1
fi
export GENOMEFED_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$port/postgres"
set +e
"$@"
status=$?
set -e
exit $status
