#!/usr/bin/env bash
# Runs the whole suite with every test clock started far in the future and on a leap day, to prove
# that no test depends on the date it runs on. Only the test clocks move (CC_TEST_NOW): the machine's
# clock stays as it is, so package restore and TLS keep working (faketime hangs .NET).
#   tests/time-travel.sh                      # 2031-06-15T12:00:00Z and 2028-02-29T12:00:00Z
#   tests/time-travel.sh 2040-01-01T00:00:00Z # any instants you like
set -uo pipefail
cd "$(dirname "$0")/.."
instants=("$@")
[ ${#instants[@]} -gt 0 ] || instants=(2031-06-15T12:00:00Z 2028-02-29T12:00:00Z)

dotnet build --nologo -v quiet || exit 1
status=0
for instant in "${instants[@]}"; do
  echo "== the suite at ${instant}"
  log=$(mktemp)
  CC_TEST_NOW="${instant}" dotnet test --no-build 2>&1 | tee "$log" | grep -E '^\s*(Failed|Passed!|Failed!)' || true
  bash .ci/count-tests "$log" || status=1
  grep -q 'Failed!' "$log" && status=1
  rm -f "$log"
done
exit $status
