#!/usr/bin/env bash
# A throw-away PostgreSQL server on loopback for the tests (issue 19).
#   bash .ci/postgres.sh start DIR   installs Debian's postgresql when no server binaries are there (as
#                                    root, apt-get update first), creates a cluster in DIR (owned by the
#                                    postgres user: PostgreSQL refuses to run as root), starts it on
#                                    127.0.0.1 on a free port and prints the line to eval:
#                                    export CC_TEST_POSTGRES='Host=127.0.0.1;Port=…;Username=postgres;Database=postgres'
#   bash .ci/postgres.sh stop DIR    stops it and removes DIR.
# Tests make a database of their own on it per test and drop it afterwards. fsync is off: the data is
# thrown away, and the suite runs on 2 cores. With CC_POSTGRES_DURABLE=1 (the load benchmark) the server
# keeps PostgreSQL's durable defaults (fsync, synchronous_commit, full_page_writes on), so that its
# writes compare with SQLite's synchronous=FULL.
set -euo pipefail
command=${1:?usage: postgres.sh start|stop DIR}
dir=${2:?usage: postgres.sh start|stop DIR}

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "$command" in
start)
  bin=$(find_bin)
  if [ -z "$bin" ] || [ ! -x "$bin/pg_ctl" ]; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "postgres.sh: no PostgreSQL server binaries under /usr/lib/postgresql and not root to install them" >&2
      exit 1
    fi
    echo "postgres.sh: installing Debian's postgresql" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq postgresql >&2
    bin=$(find_bin)
  fi
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  as_postgres "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale -N >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2; exit 1; }
  durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  [ "${CC_POSTGRES_DURABLE:-}" = 1 ] && durability=""
  for port in $(seq 55432 55532); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then continue; fi  # taken
    if as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir $durability -c max_connections=200" \
        start >&2; then
      echo "export CC_TEST_POSTGRES='Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres'"
      exit 0
    fi
  done
  echo "postgres.sh: the server did not start; its log:" >&2
  cat "$dir/server.log" >&2 || true
  exit 1
  ;;
stop)
  bin=$(find_bin)
  if [ -n "$bin" ] && [ -f "$dir/data/postmaster.pid" ]; then
    as_postgres "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >&2 || true
  fi
  rm -rf "$dir"
  ;;
*)
  echo "usage: postgres.sh start|stop DIR" >&2
  exit 2
  ;;
esac
