#!/usr/bin/env bash
# Mutation testing of the facade (Stryker.NET, configured in tests/AsyncTasks.Tests/stryker-config.json) without a
# JVM start per test run: starts N WireMock servers once (N = the Stryker concurrency), lists them in
# ASYNCTASKS_WIREMOCK_POOL so that every test host leases one of them instead of starting its own, runs
# `dotnet stryker` in tests/AsyncTasks.Tests with this script's arguments, and stops the servers on exit, whatever
# happens.
#
#   bash build/mutation.sh                                              # everything the config mutates
#   bash build/mutation.sh --mutate "**/src/Facade/TaskRef.cs"          # one file
#   bash build/mutation.sh --concurrency 1 --test-case-filter "FullyQualifiedName~Providers"
#
# The number of servers is the --concurrency (-c) given, else the config's; ASYNCTASKS_MUTATION_SERVERS overrides it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

tests=$root/tests/AsyncTasks.Tests
config=$tests/stryker-config.json
jar=$root/build/node_modules/wiremock/build/wiremock-standalone-3.13.2.jar
tmp=${TMPDIR:-/tmp}
startup_seconds=30

step() { printf '\n==> %s\n' "$*"; }
fail() { echo "mutation.sh: $*" >&2; exit 1; }

# --- prerequisites --------------------------------------------------------------------------------------
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
  java=$JAVA_HOME/bin/java
else
  java=$(command -v java || true)
fi
[ -n "$java" ] || fail "Java was not found (neither \$JAVA_HOME/bin/java nor java on the PATH); WireMock needs Java 17 or later."
[ -f "$jar" ] || fail "the WireMock standalone jar is missing: $jar. Run \`dotnet build src/Generated\` (its first build runs \`npm ci\` in build/) or \`npm ci\` in build/."
command -v curl >/dev/null 2>&1 || fail "curl is needed to check that WireMock is up."

servers=${ASYNCTASKS_MUTATION_SERVERS:-}
if [ -z "$servers" ]; then
  args=("$@")
  for i in "${!args[@]}"; do
    case ${args[$i]} in
      -c|--concurrency) servers=${args[$((i + 1))]:-} ;;
      --concurrency=*|--concurrency:*) servers=${args[$i]#--concurrency?} ;;
    esac
  done
fi
if [ -z "$servers" ]; then
  servers=$(sed -n 's/.*"concurrency"[[:space:]]*:[[:space:]]*\([0-9][0-9]*\).*/\1/p' "$config" | head -n 1)
fi
servers=${servers:-2}
[[ $servers =~ ^[1-9][0-9]*$ ]] || fail "the number of WireMock servers must be a positive number, not '$servers'."

step "restoring the dotnet tools (dotnet-stryker)"
dotnet tool restore

# --- WireMock pool --------------------------------------------------------------------------------------
pids=()
dirs=()
ports=()

stop_servers() {
  local pid port dir waited
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    waited=0
    while kill -0 "$pid" 2>/dev/null && [ $waited -lt 50 ]; do sleep 0.2; waited=$((waited + 1)); done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  # The test hosts are gone by now, so nobody holds a lease: the lock files can go.
  for port in "${ports[@]}"; do rm -f "$tmp/asynctasks-wiremock-$port.lock"; done
  for dir in "${dirs[@]}"; do rm -rf "$dir"; done
  pids=()
}
trap stop_servers EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

step "starting $servers WireMock server(s) ($(basename "$jar"))"
for _ in $(seq "$servers"); do
  dir=$(mktemp -d "$tmp/asynctasks-wiremock-pool-XXXXXX")
  dirs+=("$dir")
  mkdir "$dir/mappings" "$dir/__files"
  "$java" -jar "$jar" --port 0 --bind-address 127.0.0.1 --disable-banner --root-dir "$dir" \
    >"$dir/wiremock.log" 2>&1 </dev/null &
  pids+=($!)
done

pool=()
for i in "${!pids[@]}"; do
  pid=${pids[$i]}
  log=${dirs[$i]}/wiremock.log
  port=
  healthy=
  deadline=$((SECONDS + startup_seconds))
  while [ $SECONDS -lt $deadline ]; do
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; fail "WireMock exited during start (Java 17 or later is required)."; }
    if [ -z "$port" ]; then
      # The line the tests read too (WireMockServer.PortLine): "port:   41737".
      port=$(sed -n 's/^[[:space:]]*port:[[:space:]]\{1,\}\([0-9]\{1,\}\)[[:space:]]*$/\1/p' "$log" | head -n 1)
    fi
    if [ -n "$port" ] && curl --noproxy '*' -fsS --max-time 2 -o /dev/null "http://127.0.0.1:$port/__admin/health" 2>/dev/null; then
      healthy=1
      break
    fi
    sleep 0.2
  done
  if [ -z "$healthy" ]; then
    cat "$log" >&2
    if [ -z "$port" ]; then fail "WireMock did not print its port within $startup_seconds s."; fi
    fail "WireMock did not answer GET /__admin/health on port $port within $startup_seconds s."
  fi
  ports+=("$port")
  pool+=("http://127.0.0.1:$port/")
  echo "WireMock $((i + 1)): http://127.0.0.1:$port/ (pid $pid)"
done

ASYNCTASKS_WIREMOCK_POOL=$(IFS=,; echo "${pool[*]}")
export ASYNCTASKS_WIREMOCK_POOL
echo "ASYNCTASKS_WIREMOCK_POOL=$ASYNCTASKS_WIREMOCK_POOL"

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
