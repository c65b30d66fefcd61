#!/usr/bin/env bash
# `bash deploy/local/restart.sh <agreements|milestones|alerts>`: a rolling restart of a service started by
# `npm run up -- --instances=N` (N > 1): SIGHUP to its supervisor, which starts a new instance, waits until it listens,
# then lets the old one drain (readiness 503, requests still answered for SHUTDOWN_GRACE_MS) and stop; one instance at
# a time, so the port always answers. With one instance there is nothing to roll: stop and start it (npm run down/up).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RUN="$HERE/.run"
# shellcheck source=services.sh
source "$HERE/services.sh"

name="${1:-}"
case "$name" in
  agreements | milestones | alerts) ;;
  *) printf 'usage: bash deploy/local/restart.sh <agreements|milestones|alerts>\n' >&2; exit 2 ;;
esac
pid="$(pid_of "$name")" || { printf '[restart] %s is not running (npm run up starts it)\n' "$name" >&2; exit 1; }
grep -qaz '^INSTANCES=\([2-9]\|1[0-6]\)$' "/proc/$pid/environ" 2>/dev/null ||
  { printf '[restart] %s runs one instance: a rolling restart needs npm run up -- --instances=2 or more\n' "$name" >&2; exit 1; }
kill -HUP "$pid"
printf '[restart] rolling restart of %s requested (pid %s); progress in %s\n' "$name" "$pid" "$RUN/logs/$name.log" >&2
