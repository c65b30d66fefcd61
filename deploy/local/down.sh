#!/usr/bin/env bash
# `npm run down`: stops the dashboard and the three services started by `npm run up` (SIGTERM, up to SERVICE_STOP_TIMEOUT
# seconds (default 20) for a graceful shutdown, then SIGKILL), then the local Kafka and FerretDB
# (deploy/local/infra.sh stop). Harmless when nothing runs. Data stays (deploy/local/.data); delete it with
# `bash deploy/local/infra.sh reset`.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RUN="$HERE/.run"
STOP_TIMEOUT="${SERVICE_STOP_TIMEOUT:-20}"
SERVICES=(dashboard alerts milestones agreements)

say() { printf '[down] %s\n' "$*" >&2; }

# shellcheck source=services.sh
source "$HERE/services.sh"

# SIGTERM to every running service first (they shut down in parallel), then wait, then SIGKILL what is left.
declare -A pids=()
for name in "${SERVICES[@]}"; do
  if pid="$(pid_of "$name")"; then
    say "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    pids[$name]=$pid
  fi
done

deadline=$((SECONDS + STOP_TIMEOUT))
for name in "${!pids[@]}"; do
  pid="${pids[$name]}"
  while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then
    say "$name did not stop within ${STOP_TIMEOUT}s; killing it"
    # up.sh starts each service in its own session, so its process group is its pid.
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$RUN/$name.pid"
done
[ "${#pids[@]}" -gt 0 ] || say "no service running"

bash "$HERE/infra.sh" stop
say "stopped"
