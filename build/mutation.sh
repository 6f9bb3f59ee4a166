#!/usr/bin/env bash
# Mutation testing of the facade (Stryker.NET, configured in tests/AsyncTasks.Tests/stryker-config.json): restores
# the local tool, runs `dotnet stryker` in tests/AsyncTasks.Tests with this script's arguments and says where the
# report is. Each test host starts its own in-process WireMock.Net (well under a second), so nothing is shared.
#
#   bash build/mutation.sh                                              # everything the config mutates
#   bash build/mutation.sh --mutate "**/src/Facade/TaskRef.cs"          # one file
#   bash build/mutation.sh --concurrency 1 --test-case-filter "FullyQualifiedName~Providers"
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

tests=$root/tests/AsyncTasks.Tests
tmp=${TMPDIR:-/tmp}

step() { printf '\n==> %s\n' "$*"; }

step "dotnet tool restore"
dotnet tool restore

# --- Stryker --------------------------------------------------------------------------------------------
step "dotnet stryker $*"
marker=$(mktemp "$tmp/asynctasks-mutation-start-XXXXXX")
status=0
(cd "$tests" && dotnet stryker "$@") || status=$?

report=$(find "$tests/StrykerOutput" -name mutation-report.html -newer "$marker" 2>/dev/null | sort | tail -n 1)
rm -f "$marker"
if [ -n "$report" ]; then
  step "report: $report"
  json=$(dirname "$report")/mutation-report.json
  [ -f "$json" ] && echo "     json: $json"
else
  step "no new report under $tests/StrykerOutput (see Stryker's output above; --output puts it elsewhere)"
fi
exit "$status"
