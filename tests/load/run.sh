#!/usr/bin/env bash
# The load benchmark (issue 18): the api against a naive peer, in one run, on one machine.
#
#   tests/load/run.sh                 # all scenarios, 32 connections, 10 s each
#   DURATION=5 tests/load/run.sh      # shorter
#   FRESH=1 tests/load/run.sh         # seed a new database even if the cached one fits
#   ROWS="feed reply" tests/load/run.sh   # only these rows (the ceiling and the naive insert always run)
#   ENGINE=postgres tests/load/run.sh # the api on PostgreSQL (issue 19): the same seeded data, moved into a
#                                     # PostgreSQL server on loopback with the api's move-to-postgres command;
#                                     # results to tests/load/RESULTS.postgres.md
#   PROFILE=1 ROWS="chat-message" tests/load/run.sh   # also sample the api's CPU during each api row with
#                                     # perf (Debian's linux-perf; the runtime writes its JIT symbol map): the
#                                     # flat and inclusive top functions go to tests/load/.cache/profiles/
#
# 1. Builds the api and the naive peer (tests/load/NaivePeer) in Release.
# 2. Makes the seeded database once: the api migrates it and seeds the demo street, then
#    tests/load/seed.sql adds 49 communities, 19,600 residents, 100,000 threads, 1,000,000 replies
#    and 100,000 repair tickets with their cases, an owners register of 10,000 units with 1,000
#    owners in the app and their open conversations, in bulk SQL (sqlite3); then the api, started
#    once more, creates BALLOTS open ballots on that register (so their voter tokens are the api's
#    own HMACs) through its endpoint. The database is kept in
#    tests/load/.cache/ and reused while the migrations and seed.sql are unchanged.
# 3. Starts the api (Release, rate limits off, logging at Warning) on a copy of it, and the naive peer
#    beside it, both on 127.0.0.1. The environment is Staging (API_ENVIRONMENT=Development to compare):
#    Development's settings (dev-login, the demo seed) set one by one, without what the framework adds
#    in Development alone (the developer exception page, DI scope validation on every resolve).
# 4. Measures with wrk (1 thread, CONNECTIONS connections, DURATION s each, installed from
#    Debian's packages when missing): the plaintext ceiling, the naive read and insert, then the
#    api's feed, a thread page, the repair list, a ballot's tally, posting a reply, creating a
#    repair ticket, a chat message, a vote, and a 90/10 read/write mix. Replies and tickets rotate
#    over 64 residents' tokens and 64 threads; chat messages and votes over the 1,000 owners (each
#    owner votes once per ballot, moving to the next ballot after all 1,000 have voted).
# With ENGINE=postgres, step 3 starts PostgreSQL from Debian's packages (.ci/postgres.sh, installed when
# missing, with its durable defaults: fsync and synchronous_commit on), moves the seeded copy into it
# with `CommunityConnect.Api.dll move-to-postgres`, and starts the api on it; the naive peer adds a
# naive PostgreSQL insert (a pooled connection and a transaction per request) as that engine's baseline.
# 5. Checks that every write answered 2xx is in the database afterwards, and prints one table
#    (requests/s, p50, p99, ratio) with the api's peak RSS and its start-to-first-answer time;
#    writes it to tests/load/RESULTS.md.
set -euo pipefail

DURATION=${DURATION:-10}
ENGINE=${ENGINE:-sqlite}
API_ENVIRONMENT=${API_ENVIRONMENT:-Staging}
[[ "$ENGINE" == sqlite || "$ENGINE" == postgres ]] || { echo "ENGINE must be sqlite or postgres." >&2; exit 2; }
CONNECTIONS=${CONNECTIONS:-32}
BALLOTS=${BALLOTS:-64}
API_PORT=${API_PORT:-5181}
PEER_PORT=${PEER_PORT:-5182}
API="http://127.0.0.1:${API_PORT}"
PEER="http://127.0.0.1:${PEER_PORT}"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE="$HERE/.cache"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cc-load.XXXXXX")
PIDS=()
POSTGRES_DIR=""

cleanup() {
  local code=$?
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  [[ -z "$POSTGRES_DIR" ]] || bash "$REPO/.ci/postgres.sh" stop "$POSTGRES_DIR" >/dev/null 2>&1 || true
  rm -rf "$WORK"
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
say() { printf '%s\n' "$*" >&2; }

need() { # command, Debian package
  command -v "$1" >/dev/null && return 0
  [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null || { say "$1 is missing: install Debian's $2."; exit 1; }
  say "Installing $2 (Debian package)…"
  apt-get install -y -qq "$2" >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "$2" >/dev/null 2>&1; }
  command -v "$1" >/dev/null || { say "Could not install $2."; exit 1; }
}
need wrk wrk
need sqlite3 sqlite3
need curl curl
[[ -z "${PROFILE:-}" ]] || need perf linux-perf

say "Building the api and the naive peer (Release)…"
dotnet build "$REPO/api/CommunityConnect.Api/CommunityConnect.Api.csproj" -c Release -o "$WORK/api" -v quiet -nologo >"$WORK/build.log" 2>&1 \
  || { cat "$WORK/build.log" >&2; exit 1; }
dotnet build "$HERE/NaivePeer/NaivePeer.csproj" -c Release -o "$WORK/peer" -v quiet -nologo >>"$WORK/build.log" 2>&1 \
  || { cat "$WORK/build.log" >&2; exit 1; }

start_api() { # database path; sets API_PID and START_MS (start to first answer, ms)
  local started
  started=$(date +%s%N)
  (
    cd "$WORK/api"
    export ASPNETCORE_ENVIRONMENT="$API_ENVIRONMENT" Database__Path="$1" RateLimiting__Enabled=false
    export Auth__DevLogin=true Seed__Demo=true Seed__DemoContent=true
    [[ -z "${API_POSTGRES:-}" ]] || export Database__Provider=postgres ConnectionStrings__Postgres="$API_POSTGRES"
    export Logging__LogLevel__Default=Warning Logging__LogLevel__Hangfire=Warning
    [[ -z "${PROFILE:-}" ]] || export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0
    exec dotnet CommunityConnect.Api.dll --urls "$API"
  ) >>"$WORK/api.log" 2>&1 &
  API_PID=$!
  PIDS+=("$API_PID")
  for _ in $(seq 1 3000); do
    curl -sf -o /dev/null "$API/healthz" && { START_MS=$(( ($(date +%s%N) - started) / 1000000 )); return 0; }
    kill -0 "$API_PID" 2>/dev/null || { cat "$WORK/api.log" >&2; say "The api stopped."; exit 1; }
    sleep 0.02
  done
  say "The api did not answer /healthz within 60 s."; exit 1
}
login() { # handle → token
  local token
  token=$(curl -sf -X POST "$API/v1/auth/dev-login" -H 'content-type: application/json' -d "{\"handle\":\"$1\"}" | sed -E 's/.*"token":"([^"]+)".*/\1/')
  [[ -n "$token" ]] || { say "dev-login gave no token for $1."; exit 1; }
  printf '%s' "$token"
}
stop_api() {
  kill "$API_PID" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$API_PID" 2>/dev/null || break; sleep 0.1; done
}

# The seeded database, cached by the hash of what made it.
STAMP=$( (cat "$REPO"/api/CommunityConnect.Api/Infrastructure/Data/Migrations/*.sql "$REPO"/api/CommunityConnect.Api/Infrastructure/Data/DemoData.cs \
  "$HERE/seed.sql"; echo "ballots=$BALLOTS") | sha256sum | cut -c1-16)
SEEDED="$CACHE/seeded-$STAMP.db"
if [[ -n "${FRESH:-}" || ! -f "$SEEDED" ]]; then
  rm -rf "$CACHE"; mkdir -p "$CACHE"
  say "Seeding a new database (migrations, demo street, then seed.sql; a minute or two)…"
  start_api "$CACHE/seeding.db"
  stop_api
  t0=$(date +%s)
  sqlite3 -bail "$CACHE/seeding.db" <"$HERE/seed.sql" >/dev/null 2>"$WORK/seed.log" || { cat "$WORK/seed.log" >&2; exit 1; }
  sqlite3 "$CACHE/seeding.db" "PRAGMA foreign_key_check;" >"$WORK/seed.log"
  [[ ! -s "$WORK/seed.log" ]] || { say "seed.sql broke foreign keys:"; head "$WORK/seed.log" >&2; exit 1; }
  say "Creating $BALLOTS ballots on community 101's register of 10,000 units through the api…"
  start_api "$CACHE/seeding.db"
  committee=$(login load_owners)
  for b in $(seq 1 "$BALLOTS"); do
    curl -sf -o /dev/null -X POST "$API/v1/communities/101/ballots" -H "authorization: Bearer $committee" -H 'content-type: application/json' \
      -d "{\"title\":\"压测表决$b:小区管理规约修订\",\"description\":\"压测\",\"matter\":\"rules\",\"closesAt\":\"2099-12-31T00:00:00Z\"}" \
      || { say "Creating ballot $b failed."; exit 1; }
  done
  stop_api
  sqlite3 "$CACHE/seeding.db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
  mv "$CACHE/seeding.db" "$SEEDED"; rm -f "$CACHE"/seeding.db-*
  say "Seeded in $(( $(date +%s) - t0 )) s."
else
  say "Reusing the seeded database $SEEDED."
fi
cp "$SEEDED" "$WORK/community.db"
count() { sqlite3 "$WORK/community.db" "$1"; }   # the seeded data, as it was before the run
db() { count "$1"; }                              # the api's database, as it is now
PEER_POSTGRES=()
if [[ "$ENGINE" == postgres ]]; then
  POSTGRES_DIR=$(mktemp -d "${TMPDIR:-/tmp}/cc-load-postgres.XXXXXX")
  say "Starting PostgreSQL (durable defaults) on loopback…"
  server=$(CC_POSTGRES_DURABLE=1 bash "$REPO/.ci/postgres.sh" start "$POSTGRES_DIR") || { say "PostgreSQL did not start."; exit 1; }
  eval "$server"
  PSQL=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)/psql
  PORT=$(sed -E 's/.*Port=([0-9]+).*/\1/' <<<"$CC_TEST_POSTGRES")
  "$PSQL" -h 127.0.0.1 -p "$PORT" -U postgres -qc "CREATE DATABASE cc_load;" -c "CREATE DATABASE cc_naive;"
  API_POSTGRES="Host=127.0.0.1;Port=$PORT;Username=postgres;Database=cc_load;Maximum Pool Size=64"
  say "Moving the seeded database into PostgreSQL (move-to-postgres)…"
  t0=$(date +%s)
  (cd "$WORK/api" && dotnet CommunityConnect.Api.dll move-to-postgres --from "$WORK/community.db" --to "$API_POSTGRES") >"$WORK/move.log" 2>&1 \
    || { cat "$WORK/move.log" >&2; say "The move failed."; exit 1; }
  say "Moved in $(( $(date +%s) - t0 )) s."
  "$PSQL" -h 127.0.0.1 -p "$PORT" -U postgres -d cc_load -qc "VACUUM ANALYZE;"
  db() { "$PSQL" -h 127.0.0.1 -p "$PORT" -U postgres -d cc_load -tAc "$1"; }
  PEER_POSTGRES=(--PostgresWrite "Host=127.0.0.1;Port=$PORT;Username=postgres;Database=cc_naive")
fi
say "Seeded: $(count "SELECT COUNT(*) FROM communities") communities, $(count "SELECT COUNT(*) FROM threads") threads, $(count "SELECT COUNT(*) FROM thread_replies") replies, $(count "SELECT COUNT(*) FROM repair_tickets") repair tickets."

start_api "$WORK/community.db"
(
  cd "$WORK/peer"
  exec dotnet NaivePeer.dll --urls "$PEER" --ReadDb "$WORK/community.db" --WriteDb "$WORK/naive.db" "${PEER_POSTGRES[@]}"
) >"$WORK/peer.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 1 300); do curl -sf -o /dev/null "$PEER/plain" && break; sleep 0.1; done

# Tokens of 64 residents of community 101 (a load community), the threads they reply to, a unit of each for repairs.
sqlite3 -separator ' ' "$WORK/community.db" \
  "SELECT u.handle, m.unit_id FROM users u JOIN memberships m ON m.user_id = u.id WHERE m.community_id = 101 AND m.role = 'resident' ORDER BY u.id LIMIT 64;" >"$WORK/residents"
: >"$WORK/tokens.lua"
while read -r handle unit; do
  printf '{ "%s", %s },\n' "$(login "$handle")" "$unit" >>"$WORK/tokens.lua"
done <"$WORK/residents"
# The 1,000 owners (voters) with their open conversation each.
sqlite3 -separator ' ' "$WORK/community.db" \
  "SELECT u.handle, c.id FROM users u JOIN conversations c ON c.user_id = u.id WHERE u.handle LIKE 'load_owner_%' ORDER BY u.id;" >"$WORK/owners"
: >"$WORK/owners.lua"
say "Logging in the $(wc -l <"$WORK/owners") owners…"
# Eight logins at a time (one at a time took minutes on a busy machine); a failed login ends the run.
export API
login_owner() { # handle conversation → one Lua table row
  local token
  token=$(curl -sf -X POST "$API/v1/auth/dev-login" -H 'content-type: application/json' -d "{\"handle\":\"$1\"}" | sed -E 's/.*"token":"([^"]+)".*/\1/')
  [[ -n "$token" ]] || { echo "dev-login gave no token for $1." >&2; exit 255; }
  printf '{ "%s", %s },\n' "$token" "$2"
}
export -f login_owner
xargs -P 8 -n 2 bash -c 'login_owner "$0" "$1"' <"$WORK/owners" >"$WORK/owners.lua" || { say "Logging in the owners failed."; exit 1; }
[[ $(wc -l <"$WORK/owners.lua") -eq $(wc -l <"$WORK/owners") ]] || { say "Not every owner could log in."; exit 1; }
BALLOT_IDS=$(count "SELECT group_concat(id, ', ') FROM (SELECT id FROM ballots WHERE community_id = 101 AND state = 'open' ORDER BY id);")
[[ -n "$BALLOT_IDS" ]] || { say "The seeded database has no open ballot in community 101."; exit 1; }
THREADS=$(count "SELECT group_concat(id, ', ') FROM (SELECT id FROM threads WHERE community_id = 101 ORDER BY id DESC LIMIT 64);")
THREAD=$(count "SELECT MAX(id) FROM threads WHERE community_id = 101;")

# One wrk script for every api scenario: SCENARIO picks what each request is.
cat >"$WORK/api.lua" <<LUA
local users = {
$(cat "$WORK/tokens.lua")
}
local owners = {
$(cat "$WORK/owners.lua")
}
local threads = { $THREADS }
local ballots = { $BALLOT_IDS }
local scenario = os.getenv("SCENARIO")
-- START carries on from the warm-up's requests, so the measured run's votes are new ones.
local n = tonumber(os.getenv("START") or "0")
local function reply(i)
  return wrk.format("POST", "/v1/threads/" .. threads[i % #threads + 1] .. "/replies",
    { ["Authorization"] = "Bearer " .. users[i % #users + 1][1], ["Content-Type"] = "application/json" },
    '{"body":"压测回复:我家也是这样,请物业看一下。"}')
end
local function get(path, i)
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. users[i % #users + 1][1] })
end
request = function()
  n = n + 1
  if scenario == "feed" then return get("/v1/communities/101/threads?limit=20", n)
  elseif scenario == "thread" then return get("/v1/threads/$THREAD", n)
  elseif scenario == "repairs" then return get("/v1/communities/101/repairs?limit=20", n)
  elseif scenario == "tally" then return get("/v1/ballots/" .. ballots[1] .. "/tally", n)
  elseif scenario == "reply" then return reply(n)
  elseif scenario == "chat" then
    local owner = owners[n % #owners + 1]
    return wrk.format("POST", "/v1/conversations/" .. owner[2] .. "/messages",
      { ["Authorization"] = "Bearer " .. owner[1], ["Content-Type"] = "application/json" },
      '{"text":"3号楼电梯坏了,按钮按了没反应,老人上下楼很不方便。"}')
  elseif scenario == "vote" then
    -- Every owner once per ballot: the n-th vote is owner n mod 1,000 on ballot n div 1,000.
    local owner = owners[n % #owners + 1]
    local ballot = ballots[math.floor(n / #owners) % #ballots + 1]
    local choices = { "yes", "no", "abstain" }
    return wrk.format("POST", "/v1/ballots/" .. ballot .. "/votes",
      { ["Authorization"] = "Bearer " .. owner[1], ["Content-Type"] = "application/json" },
      '{"choice":"' .. choices[n % 3 + 1] .. '"}')
  elseif scenario == "repair" then
    local user = users[n % #users + 1]
    return wrk.format("POST", "/v1/communities/101/repairs",
      { ["Authorization"] = "Bearer " .. user[1], ["Content-Type"] = "application/json" },
      '{"category":"water","description":"压测报修:卫生间水龙头一直滴水。","unitId":' .. user[2] .. '}')
  elseif scenario == "mix" then
    if n % 10 == 0 then return reply(n) end
    return get("/v1/communities/101/threads?limit=20", n)
  end
end
LUA

if [[ -n "${PROFILE:-}" ]]; then
  PROFILES="$CACHE/profiles"; rm -rf "$PROFILES"; mkdir -p "$PROFILES"
fi
RESULTS="$WORK/results"
: >"$RESULTS"
ROWS=${ROWS:-}
measure() { # name, url, scenario-or-method, note
  local name=$1 url=$2 mode=$3 out="$WORK/wrk-$1.txt"
  if [[ -n "$ROWS" && " $ROWS plaintext naive-insert naive-insert-postgres " != *" $name "* ]]; then return 0; fi
  say "Measuring $name…"
  if [[ "$mode" == GET || "$mode" == POST ]]; then
    printf 'wrk.method = "%s"\n' "$mode" >"$WORK/plain.lua"
    wrk -t1 -c"$CONNECTIONS" -d2s -s "$WORK/plain.lua" "$url" >/dev/null
    wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s --latency -s "$WORK/plain.lua" "$url" >"$out"
  else
    SCENARIO=$mode wrk -t1 -c"$CONNECTIONS" -d2s -s "$WORK/api.lua" "$url" >"$out.warm"
    local warm
    warm=$(awk '/requests in/ {print $1}' "$out.warm")
    local tracer=
    if [[ -n "${PROFILE:-}" ]]; then
      perf record -q -F 499 -g -p "$API_PID" -o "$PROFILES/$name.perf.data" -- sleep "$DURATION" >"$PROFILES/$name.record.log" 2>&1 &
      tracer=$!
    fi
    START=$(( warm + 2 * CONNECTIONS )) SCENARIO=$mode wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s --latency -s "$WORK/api.lua" "$url" >"$out"
    if [[ -n "$tracer" ]]; then
      wait "$tracer" || true
      { echo "# $name: where the CPU was (self)"
        perf report -i "$PROFILES/$name.perf.data" --no-children --sort dso,symbol -g none --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' | head -60
        echo "# $name: inclusive (children)"
        perf report -i "$PROFILES/$name.perf.data" --children --sort symbol -g none --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' | head -100
      } >"$PROFILES/$name.top.txt" || true
      say "  profile: $PROFILES/$name.top.txt"
    fi
  fi
  local rps p50 p99 total bad
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p50=$(awk '$1 == "50%" {print $2}' "$out")
  p99=$(awk '$1 == "99%" {print $2}' "$out")
  total=$(awk '/requests in/ {print $1}' "$out")
  bad=$(awk '/Non-2xx or 3xx responses:/ {print $5}' "$out")
  printf '%s %s %s %s %s %s\n' "$name" "$rps" "$p50" "$p99" "$total" "${bad:-0}" >>"$RESULTS"
}
ok_count() { # the 2xx answers of a measured scenario, warm-up included
  local f total bad sum=0
  [[ -f "$WORK/wrk-$1.txt" ]] || return 0
  for f in "$WORK/wrk-$1.txt" "$WORK/wrk-$1.txt.warm"; do
    total=$(awk '/requests in/ {print $1}' "$f"); bad=$(awk '/Non-2xx or 3xx responses:/ {print $5}' "$f")
    sum=$(( sum + total - ${bad:-0} ))
  done
  echo "$sum"
}

measure plaintext "$PEER/plain" GET
measure naive-read "$PEER/read" GET
measure naive-insert "$PEER/insert" POST
[[ "$ENGINE" != postgres ]] || measure naive-insert-postgres "$PEER/insert-postgres" POST
measure feed "$API" feed
measure thread-page "$API" thread
measure repair-list "$API" repairs
measure ballot-tally "$API" tally
replies_before=$(db "SELECT COUNT(*) FROM thread_replies")
measure reply "$API" reply
replies_after=$(db "SELECT COUNT(*) FROM thread_replies")
tickets_before=$(db "SELECT COUNT(*) FROM repair_tickets")
measure repair-ticket "$API" repair
tickets_after=$(db "SELECT COUNT(*) FROM repair_tickets")
messages_before=$(db "SELECT SUM(turn) FROM conversations WHERE community_id = 101")
measure chat-message "$API" chat
messages_after=$(db "SELECT SUM(turn) FROM conversations WHERE community_id = 101")
votes_before=$(db "SELECT COUNT(*) FROM ballot_entries")
measure vote "$API" vote
votes_after=$(db "SELECT COUNT(*) FROM ballot_entries")
measure mix-90-10 "$API" mix
HWM=$(awk '/^VmHWM:/ {print $2}' "/proc/$API_PID/status")

# Every write answered 2xx must be in the database (wrk may cut off requests in flight at its end,
# which the api still commits, so the database may hold more, never fewer).
CHECKS=""
check() { # what, answered, stored
  [[ -n "$2" ]] || return 0
  if (( $3 >= $2 )); then CHECKS+="- $1: $2 answered 2xx, $3 in the database: every acknowledged write is there."$'\n'
  else CHECKS+="- $1: $2 answered 2xx but only $3 in the database: WRITES LOST."$'\n'; LOST=1; fi
}
LOST=""
check "replies" "$(ok_count reply)" $(( replies_after - replies_before ))
check "repair tickets" "$(ok_count repair-ticket)" $(( tickets_after - tickets_before ))
check "chat messages" "$(ok_count chat-message)" $(( messages_after - messages_before ))
check "votes" "$(ok_count vote)" $(( votes_after - votes_before ))

ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) printf "%.2f", v / 1000; else if (v ~ /ms$/) printf "%.2f", v + 0; else if (v ~ /s$/) printf "%.0f", v * 1000; else print v }'; }
rps_of() { awk -v n="$1" '$1 == n {print $2}' "$RESULTS"; }
CEILING=$(rps_of plaintext); NAIVE_W=$(rps_of naive-insert)
TABLE="| what | requests/s | p50 ms | p99 ms | errors | ratio |"$'\n'"|---|---:|---:|---:|---:|---|"$'\n'
while read -r name rps p50 p99 total bad; do
  case "$name" in
    plaintext) ratio="the ceiling" ;;
    reply|repair-ticket|chat-message|vote) ratio=$(awk -v a="$rps" -v b="$NAIVE_W" 'BEGIN {printf "%.2f× the naive insert", a / b}') ;;
    naive-insert) ratio="the write baseline" ;;
    naive-insert-postgres) ratio=$(awk -v a="$rps" -v b="$NAIVE_W" 'BEGIN {printf "PostgreSQL'"'"'s write baseline (%.2f× the naive SQLite insert)", a / b}') ;;
    mix-90-10) ratio=$(awk -v a="$rps" -v b="$CEILING" 'BEGIN {printf "%.1f %% of the ceiling", 100 * a / b}') ;;
    *) ratio=$(awk -v a="$rps" -v b="$CEILING" 'BEGIN {printf "%.1f %% of the ceiling", 100 * a / b}') ;;
  esac
  TABLE+="| $name | $rps | $(ms "$p50") | $(ms "$p99") | $bad of $total | $ratio |"$'\n'
done <"$RESULTS"

if [[ "$ENGINE" == postgres ]]; then
  ENGINE_TEXT="PostgreSQL $("$PSQL" --version | awk '{print $3}') on loopback (durable defaults: fsync and synchronous_commit on; Maximum Pool Size 64), the data moved from the seeded SQLite file; the naive insert stays SQLite's (WAL, synchronous=FULL), the naive PostgreSQL insert is beside it"
  RESULTS_FILE="$HERE/RESULTS.postgres.md"
else
  ENGINE_TEXT="SQLite (WAL, synchronous=FULL)"
  RESULTS_FILE="$HERE/RESULTS.md"
fi
REPORT="# Load benchmark results ($ENGINE)

\`tests/load/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)),
wrk $(wrk -v 2>&1 | awk 'NR == 1 {print $2}') with 1 thread and $CONNECTIONS connections, ${DURATION} s per row after a 2 s warm-up,
api in Release in the $API_ENVIRONMENT environment with rate limits off, on $ENGINE_TEXT; wrk, api and naive peer share the machine.
Database: $(count "SELECT COUNT(*) FROM communities") communities, $(count "SELECT COUNT(*) FROM threads") threads,
$(count "SELECT COUNT(*) FROM thread_replies") replies, $(count "SELECT COUNT(*) FROM repair_tickets") repair tickets,
an owners register of $(count "SELECT units FROM owners_register_versions WHERE community_id = 101 AND state = 'current'") units with $BALLOTS open ballots and 1,000 owners voting,
$(count "SELECT COUNT(*) FROM conversations") open conversations.

$TABLE
- api start to first answer (/healthz): ${START_MS} ms
- api peak RSS (VmHWM) over the whole run: $(( HWM / 1024 )) MiB
$CHECKS"
printf '%s\n' "$REPORT" | tee "$RESULTS_FILE"
[[ -z "$LOST" ]]
