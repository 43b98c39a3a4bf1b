#!/usr/bin/env bash
# Load test of the discussion hall feed: GET /v1/communities/1/threads?limit=20.
#
# Builds the api in Release, starts it on 127.0.0.1 with a fresh database in a temporary folder
# (demo data seeded, dev-login on, posting rate limits off), logs in as the demo user `resident`,
# posts THREADS threads through the API, then reads the first feed page for DURATION seconds over
# CONNECTIONS keep-alive connections. Prints requests/sec, p50/p99 latency and the api's peak
# resident memory (VmHWM). Stops the api and removes the folder on every exit (trap).
#
#   tests/load/feed-load.sh                        # 500 threads, 20 s, 8 connections
#   THREADS=2000 DURATION=30 CONNECTIONS=16 tests/load/feed-load.sh
#
# Uses wrk when installed (installs Debian's wrk when run as root without it; NO_INSTALL=1 skips
# that), else a bounded curl loop (keep-alive batches per connection; USE_CURL=1 forces it).
# Traffic goes to 127.0.0.1 only.
set -euo pipefail

THREADS=${THREADS:-500}
DURATION=${DURATION:-20}
CONNECTIONS=${CONNECTIONS:-8}
PORT=${PORT:-5099}
BASE="http://127.0.0.1:${PORT}"
FEED="${BASE}/v1/communities/1/threads?limit=20"

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cc-feed-load.XXXXXX")
API_PID=""
WORKERS=()

cleanup() {
  local code=$?
  # The load tool (wrk, or the curl fallback's workers and their curl), if interrupted.
  for pid in "${WORKERS[@]}"; do
    pkill -P "$pid" 2>/dev/null || true
    kill "$pid" 2>/dev/null || true
  done
  if [[ -n "$API_PID" ]] && kill -0 "$API_PID" 2>/dev/null; then
    kill "$API_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$API_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$API_PID" 2>/dev/null || true
    wait "$API_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK" 2>/dev/null || { sleep 1; rm -rf "$WORK"; }
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '%s\n' "$*" >&2; }

# Runs a command in the background and waits for it: bash runs the INT/TERM trap only between
# foreground commands, and `wait` is interrupted by a signal where a foreground wrk is not.
run() {
  "$@" &
  WORKERS+=("$!")
  wait "$!"
  WORKERS=()
}

if [[ -z "${USE_CURL:-}" ]] && ! command -v wrk >/dev/null && [[ $(id -u) -eq 0 && -z "${NO_INSTALL:-}" ]] && command -v apt-get >/dev/null; then
  say "Installing wrk (Debian package)…"
  timeout 180 apt-get install -y -qq wrk >/dev/null 2>&1 \
    || { timeout 180 apt-get update -qq >/dev/null 2>&1 && timeout 180 apt-get install -y -qq wrk >/dev/null 2>&1; } \
    || say "wrk could not be installed; using the curl loop."
fi
HAVE_WRK=$([[ -z "${USE_CURL:-}" ]] && command -v wrk >/dev/null && echo 1 || true)

say "Building the api (Release)…"
dotnet build "$REPO/api/CommunityConnect.Api/CommunityConnect.Api.csproj" -c Release -o "$WORK/bin" -v quiet -nologo >"$WORK/build.log" 2>&1 \
  || { cat "$WORK/build.log" >&2; exit 1; }

say "Starting the api on $BASE (database in $WORK/data)…"
(
  cd "$WORK/bin"
  export ASPNETCORE_ENVIRONMENT=Development
  export Database__Path="$WORK/data/community.db"
  export RateLimiting__Enabled=false
  export Logging__LogLevel__Default=Warning
  exec dotnet CommunityConnect.Api.dll --urls "$BASE"
) >"$WORK/api.log" 2>&1 &
API_PID=$!

for _ in $(seq 1 120); do
  curl -sf -o /dev/null "$BASE/healthz" && break
  kill -0 "$API_PID" 2>/dev/null || { cat "$WORK/api.log" >&2; say "The api stopped."; exit 1; }
  sleep 0.5
done
curl -sf -o /dev/null "$BASE/healthz" || { say "The api did not answer /healthz within 60 s."; exit 1; }

TOKEN=$(curl -sf -X POST "$BASE/v1/auth/dev-login" -H 'content-type: application/json' -d '{"handle":"resident"}' \
  | sed -E 's/.*"token":"([^"]+)".*/\1/')
[[ -n "$TOKEN" ]] || { say "dev-login gave no token."; exit 1; }
AUTH="Authorization: Bearer $TOKEN"

say "Posting $THREADS threads…"
for i in $(seq 1 "$THREADS"); do
  status=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$BASE/v1/communities/1/threads" \
    -H "$AUTH" -H 'content-type: application/json' \
    -d "{\"kind\":\"discussion\",\"title\":\"压测帖子 第${i}号：楼道照明和电梯维护\",\"body\":\"三号楼的楼道灯晚上经常不亮，电梯按钮也有几个失灵了，希望物业尽快检修。第${i}次反馈，大家有类似情况的请在下面补充。\"}")
  [[ "$status" == 201 ]] || { say "Posting thread $i answered $status."; exit 1; }
done

page_status=$(curl -s -o "$WORK/page.json" -w '%{http_code}' -H "$AUTH" "$FEED")
[[ "$page_status" == 200 ]] || { say "The feed answered $page_status."; exit 1; }

say "Warming up (3 s)…"
if [[ -n "$HAVE_WRK" ]]; then
  run wrk -t2 -c"$CONNECTIONS" -d3s -H "$AUTH" "$FEED" >/dev/null
else
  for _ in $(seq 1 200); do curl -s -o /dev/null -H "$AUTH" "$FEED"; done
fi

say "Measuring GET $FEED for ${DURATION}s over $CONNECTIONS connections…"
if [[ -n "$HAVE_WRK" ]]; then
  # `wrk -v` prints its version and exits 1.
  version=$(wrk -v 2>&1 | awk 'NR == 1 {print $2}' || true)
  TOOL="wrk $version -t2 -c$CONNECTIONS -d${DURATION}s --latency"
  run wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s --latency -H "$AUTH" "$FEED" >"$WORK/wrk.txt"
  cat "$WORK/wrk.txt" >&2
  RPS=$(awk '/^Requests\/sec:/ {print $2}' "$WORK/wrk.txt")
  P50=$(awk '$1 == "50%" {print $2}' "$WORK/wrk.txt")
  P99=$(awk '$1 == "99%" {print $2}' "$WORK/wrk.txt")
  TOTAL=$(awk '/requests in/ {print $1}' "$WORK/wrk.txt")
  ERRORS=$(awk '/Non-2xx|Socket errors/ {print}' "$WORK/wrk.txt")
else
  TOOL="curl loop, $CONNECTIONS workers, keep-alive batches of 100"
  # Each worker reuses one connection for a batch of 100 requests and stops starting batches
  # at the deadline, so the run is bounded by DURATION plus at most one batch.
  printf 'url = "%s"\noutput = "/dev/null"\n' $(for _ in $(seq 1 100); do echo "$FEED"; done) >"$WORK/batch.cfg"
  start=$(date +%s.%N); deadline=$(( $(date +%s) + DURATION ))
  for w in $(seq 1 "$CONNECTIONS"); do
    (
      while (( $(date +%s) < deadline )); do
        curl -s -H "$AUTH" -w '%{http_code} %{time_total}\n' -K "$WORK/batch.cfg" >>"$WORK/times.$w"
      done
    ) &
    WORKERS+=("$!")
  done
  wait "${WORKERS[@]}"
  WORKERS=()
  end=$(date +%s.%N)
  cat "$WORK"/times.* >"$WORK/times"
  TOTAL=$(wc -l <"$WORK/times")
  RPS=$(awk -v n="$TOTAL" -v s="$start" -v e="$end" 'BEGIN {printf "%.1f", n / (e - s)}')
  awk '{print $2}' "$WORK/times" | sort -n >"$WORK/sorted"
  pct() { awk -v p="$1" -v n="$TOTAL" 'NR == int(n * p / 100 + 0.999999) {printf "%.2fms", $1 * 1000}' "$WORK/sorted"; }
  P50=$(pct 50); P99=$(pct 99)
  bad=$(awk '$1 != 200' "$WORK/times" | wc -l)
  ERRORS=$([[ "$bad" -gt 0 ]] && echo "Non-200 responses: $bad" || true)
fi

HWM=$(awk '/^VmHWM:/ {print $2, $3}' "/proc/$API_PID/status")
RSS=$(awk '/^VmRSS:/ {print $2, $3}' "/proc/$API_PID/status")

cat <<REPORT

Feed load test ($(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $THREADS threads posted)
  tool:          $TOOL
  requests:      $TOTAL in ${DURATION}s
  requests/sec:  $RPS
  latency p50:   $P50
  latency p99:   $P99
  api peak RSS:  $HWM (VmHWM; VmRSS now $RSS)
${ERRORS:+  errors:        $ERRORS}
REPORT
