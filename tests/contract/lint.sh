#!/usr/bin/env bash
# Lints the committed OpenAPI document (openapi/CommunityConnect.json) with Spectral's OAS ruleset
# and Redocly's recommended rules, at pinned versions fetched by npx from the npm registry.
# Needs Node.js 20.19+ (npm 10+); it is not part of `dotnet test`. Fails on any error or warning.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
document="$(cd "$here/../.." && pwd)/openapi/CommunityConnect.json"
spectral="@stoplight/spectral-cli@6.16.3"
redocly="@redocly/cli@2.77.0"
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_UPDATE_NOTIFIER=1 NPM_CONFIG_UPDATE_NOTIFIER=false

status=0
echo "== Spectral $spectral, ruleset spectral:oas"
npx --yes "$spectral" lint --ruleset "$here/.spectral.yaml" --fail-severity=hint "$document" || status=1
echo
echo "== Redocly $redocly, recommended-strict"
# Redocly reads redocly.yaml and .redocly.lint-ignore.yaml from the folder it runs in.
(cd "$here" && npx --yes "$redocly" lint --config redocly.yaml --format=stylish "$document") || status=1
exit $status
