#!/usr/bin/env bash
# A small cluster on one machine (issue 19): one PostgreSQL database, a worker and two web nodes.
#
#   tests/cluster/run.sh          # start: PostgreSQL, the database, the api (Release), three nodes
#   tests/cluster/run.sh stop     # kill the nodes and stop PostgreSQL (its data goes with it)
#
# 1. Starts PostgreSQL from Debian's packages on 127.0.0.1 through .ci/postgres.sh (it installs them when
#    missing, as root) in tests/cluster/.cache/postgres, and creates the database `community`.
# 2. Builds the api once, in Release, into tests/cluster/.cache/api.
# 3. Generates the three keys once into tests/cluster/.cache/keys/ (kept between runs, gitignored) and
#    passes them to every node as Keys__TokenSigning, Keys__IdentityHash and Keys__Seal, so a token
#    signed by one node is good on the others and every node seals and hashes alike.
# 4. Starts the worker (--role worker, port 5083, /healthz only) with Seed__Demo=true: it migrates the
#    new database and seeds the demo street; then, once it answers /healthz, the two web nodes
#    (--role web, ports 5081 and 5082) with Seed__Demo=false. Every node: Database__Provider=postgres,
#    ConnectionStrings__Postgres with Maximum Pool Size=30, Development (dev-login on, to try it),
#    rate limits off, jobs in PostgreSQL (schema hangfire) shared by all three.
# 5. Waits until all three answer, prints the URLs, the PIDs, the log files and how to stop.
#
# Ports: WEB1_PORT, WEB2_PORT, WORKER_PORT (5081, 5082, 5083). Node output: tests/cluster/.cache/logs/.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE="$HERE/.cache"
PG_DIR="$CACHE/postgres"
LOGS="$CACHE/logs"
PIDS="$CACHE/pids"
WEB1_PORT=${WEB1_PORT:-5081}
WEB2_PORT=${WEB2_PORT:-5082}
WORKER_PORT=${WORKER_PORT:-5083}
say() { printf '%s\n' "$*" >&2; }

stop_nodes() {
  [[ -f "$PIDS" ]] || return 0
  local pid
  while read -r _ pid; do kill "$pid" 2>/dev/null || true; done <"$PIDS"
  while read -r _ pid; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done <"$PIDS"
  rm -f "$PIDS"
}

if [[ "${1:-start}" == "stop" ]]; then
  stop_nodes
  bash "$REPO/.ci/postgres.sh" stop "$PG_DIR"
  say "Stopped the nodes and PostgreSQL."
  exit 0
fi
[[ "${1:-start}" == "start" ]] || { say "usage: tests/cluster/run.sh [start|stop]"; exit 2; }
if [[ -f "$PIDS" ]]; then
  say "A cluster is already running (tests/cluster/.cache/pids); stop it first: tests/cluster/run.sh stop"
  exit 1
fi
for port in "$WEB1_PORT" "$WEB2_PORT" "$WORKER_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then say "Port $port is taken."; exit 1; fi
done
command -v curl >/dev/null || { say "curl is missing."; exit 1; }

mkdir -p "$CACHE" "$LOGS" "$CACHE/files"
# A start that fails half-way leaves nothing running.
started=0
on_exit() { local code=$?; if [[ $code -ne 0 && $started -eq 0 ]]; then stop_nodes; bash "$REPO/.ci/postgres.sh" stop "$PG_DIR" 2>/dev/null || true; fi; exit $code; }
trap on_exit EXIT

say "Starting PostgreSQL (Debian's packages, installed when missing) on 127.0.0.1…"
[[ ! -d "$PG_DIR" ]] || bash "$REPO/.ci/postgres.sh" stop "$PG_DIR"   # left over from a run that was not stopped
server=$(bash "$REPO/.ci/postgres.sh" start "$PG_DIR")
eval "$server"
PG_PORT=$(sed -E 's/.*Port=([0-9]+).*/\1/' <<<"$CC_TEST_POSTGRES")
PSQL=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)/psql
"$PSQL" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qAt -v ON_ERROR_STOP=1 \
  -c "CREATE DATABASE community ENCODING 'UTF8' TEMPLATE template0;" >/dev/null
CONNECTION="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=community;Maximum Pool Size=30"

say "Building the api (Release)…"
dotnet build "$REPO/api/CommunityConnect.Api/CommunityConnect.Api.csproj" -c Release -o "$CACHE/api" -v quiet -nologo >"$LOGS/build.log" 2>&1 \
  || { cat "$LOGS/build.log" >&2; exit 1; }

# The keys, once: base64 of 48 random bytes each (README "Configuration": at least 32 bytes).
mkdir -p "$CACHE/keys"; chmod 700 "$CACHE/keys"
for key in TokenSigning IdentityHash Seal; do
  [[ -s "$CACHE/keys/$key.key" ]] || (umask 077; head -c 48 /dev/urandom | base64 -w0 >"$CACHE/keys/$key.key")
done

start_node() { # name role port seed
  (
    cd "$CACHE/api"
    export ASPNETCORE_ENVIRONMENT=Development
    export Database__Provider=postgres ConnectionStrings__Postgres="$CONNECTION" Database__Path="$CACHE/files/community.db"
    export Keys__TokenSigning="$(cat "$CACHE/keys/TokenSigning.key")" Keys__IdentityHash="$(cat "$CACHE/keys/IdentityHash.key")"
    export Keys__Seal="$(cat "$CACHE/keys/Seal.key")"
    export Seed__Demo="$4" Seed__DemoContent="$4" Auth__DevLogin=true RateLimiting__Enabled=false
    exec setsid dotnet CommunityConnect.Api.dll --urls "http://127.0.0.1:$3" --role "$2"
  ) </dev/null >"$LOGS/$1.log" 2>&1 &
  echo "$1 $!" >>"$PIDS"
}
wait_node() { # name port pid
  for _ in $(seq 1 1200); do
    curl -sf -o /dev/null "http://127.0.0.1:$2/healthz" && return 0
    kill -0 "$3" 2>/dev/null || { tail -n 40 "$LOGS/$1.log" >&2; say "$1 stopped (log: $LOGS/$1.log)."; exit 1; }
    sleep 0.1
  done
  tail -n 40 "$LOGS/$1.log" >&2; say "$1 did not answer /healthz within 120 s."; exit 1
}
pid_of() { awk -v n="$1" '$1 == n { print $2 }' "$PIDS"; }

say "Starting the worker (it migrates the database and seeds the demo street)…"
start_node worker worker "$WORKER_PORT" true
wait_node worker "$WORKER_PORT" "$(pid_of worker)"
say "Starting the two web nodes…"
start_node web-1 web "$WEB1_PORT" false
start_node web-2 web "$WEB2_PORT" false
wait_node web-1 "$WEB1_PORT" "$(pid_of web-1)"
wait_node web-2 "$WEB2_PORT" "$(pid_of web-2)"
started=1

cat <<EOF
The cluster answers:
  web-1   http://127.0.0.1:$WEB1_PORT   (api, /docs, /jobs)   pid $(pid_of web-1)   log $LOGS/web-1.log
  web-2   http://127.0.0.1:$WEB2_PORT   (api, /docs, /jobs)   pid $(pid_of web-2)   log $LOGS/web-2.log
  worker  http://127.0.0.1:$WORKER_PORT   (/healthz only, runs the jobs)   pid $(pid_of worker)   log $LOGS/worker.log
  PostgreSQL  127.0.0.1:$PG_PORT, database community (psql -h 127.0.0.1 -p $PG_PORT -U postgres community)

Try it: a token from one node is good on the other.
  TOKEN=\$(curl -s -X POST 127.0.0.1:$WEB1_PORT/v1/auth/dev-login -H 'content-type: application/json' -d '{"handle":"tenant"}' | sed -E 's/.*"token":"([^"]+)".*/\1/')
  curl -s 127.0.0.1:$WEB2_PORT/v1/me -H "authorization: Bearer \$TOKEN"

Stop it (the nodes, then PostgreSQL and its data): tests/cluster/run.sh stop
EOF
