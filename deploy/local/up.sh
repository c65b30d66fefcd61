#!/usr/bin/env bash
# `npm run up`: the whole system on this machine, without Docker, with demo data.
#   1. local Kafka and FerretDB (deploy/local/infra.sh start; harmless if they run)
#   2. the build (`npm run build`: the services and the dashboard's server compiled into dist/services, the
#      dashboard into dist/dashboard), then the three services and the dashboard's server in the background from
#      that compiled JavaScript (`npm run start:<name>`), with KAFKA_BROKERS and MONGO_URL from `infra.sh env`
#      (logs: deploy/local/.run/logs/<service>.log, pids: deploy/local/.run/<service>.pid)
#   3. wait until each answers GET /health/ready with 200
#   4. the demo agreements and milestones (`npm run seed`; idempotent, so a second `up` changes nothing)
# Services that already run are left alone. Stop everything with `npm run down`.
#
# Options: --instances=N (or INSTANCES=N): N instances of each of the three services behind its one port (Node's
# cluster module: the started process supervises N workers sharing the port; SIGHUP to it restarts them one at a
# time; see docs/adr/0013-instances.md). Default 1.
#
# Environment (optional): SHUTDOWN_GRACE_MS (how long a stopping instance drains, 5000), DASHBOARD_PORT (3000), AGREEMENTS_PORT, MILESTONES_PORT, ALERTS_PORT (3001-3003), SERVICE_READY_TIMEOUT
# (seconds, 180), SEED=0 to skip the demo data, SEED_API_KEY (a monitor key; dev-monitor unless API_KEYS is set).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
RUN="$HERE/.run"
LOGS="$RUN/logs"
READY_TIMEOUT="${SERVICE_READY_TIMEOUT:-180}"
SERVICES=(agreements milestones alerts dashboard)

say() { printf '[up] %s\n' "$*" >&2; }
die() { printf '[up] error: %s\n' "$*" >&2; exit 1; }

port_of() {
  case "$1" in
    agreements) echo "${AGREEMENTS_PORT:-3001}" ;;
    milestones) echo "${MILESTONES_PORT:-3002}" ;;
    alerts) echo "${ALERTS_PORT:-3003}" ;;
    dashboard) echo "${DASHBOARD_PORT:-3000}" ;;
  esac
}

# shellcheck source=services.sh
source "$HERE/services.sh"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

port_owner() { ss -ltnpH "sport = :$1" 2>/dev/null | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n 1; }

ready() { curl -fs -o /dev/null --max-time 5 "http://127.0.0.1:$1/health/ready"; }

# The command of `npm run start:<name>` from package.json, so the two cannot drift apart.
start_command() {
  (cd "$ROOT" && node -p "require('./package.json').scripts['start:$1'] || ''")
}

INSTANCES="${INSTANCES:-1}"
for arg in "$@"; do
  case "$arg" in
    --instances=*) INSTANCES="${arg#--instances=}" ;;
    *) die "unknown option $arg (usage: npm run up [-- --instances=N])" ;;
  esac
done
[[ "$INSTANCES" =~ ^([1-9]|1[0-6])$ ]] || die "--instances must be a number from 1 to 16 (got $INSTANCES)"

command -v node >/dev/null || die "node is required"
command -v curl >/dev/null || die "curl is required"
[ -d "$ROOT/node_modules/@swc-node/register" ] || die "dependencies are missing: run npm ci first"

# 1. Infrastructure.
bash "$HERE/infra.sh" start
eval "$(bash "$HERE/infra.sh" env)"
export KAFKA_BROKERS MONGO_URL
mkdir -p "$LOGS"

# 2. The build (a running dashboard serves the new web files at once; a running service keeps the code it started
#    with until it is restarted), then the services.
say "building the services and the dashboard (log: $LOGS/build.log)"
(cd "$ROOT" && npm run --silent build) >"$LOGS/build.log" 2>&1 ||
  { tail -n 30 "$LOGS/build.log" >&2; die "the build failed; see $LOGS/build.log"; }
# The local demo's webhook receivers run on this machine, which the outbound policy refuses unless allowed.
export OUTBOUND_ALLOW="${OUTBOUND_ALLOW:-127.0.0.1/32}"
# The dashboard's server proxies to the services on their ports.
export AGREEMENTS_URL="http://127.0.0.1:$(port_of agreements)" MILESTONES_URL="http://127.0.0.1:$(port_of milestones)"
export ALERTS_URL="http://127.0.0.1:$(port_of alerts)"
for name in "${SERVICES[@]}"; do
  port="$(port_of "$name")"
  log="$LOGS/$name.log"
  if pid="$(pid_of "$name")"; then
    say "$name already running (pid $pid) on :$port, left alone"
    continue
  fi
  if port_open "$port"; then
    owner="$(port_owner "$port")"
    die "port $port is in use by another process${owner:+ (pid $owner)}, so $name cannot start; stop it or set ${name^^}_PORT"
  fi
  cmd="$(start_command "$name")"
  [ -n "$cmd" ] || die "package.json has no script start:$name"
  # The dashboard's server holds no state worth a second copy: one instance of it.
  instances=1
  [ "$name" = dashboard ] || instances="$INSTANCES"
  say "starting $name on :$port ($instances instance(s); log: $log)"
  {
    printf '\n===== %s: starting %s (PORT=%s INSTANCES=%s KAFKA_BROKERS=%s MONGO_URL=%s)\n' \
      "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$name" "$port" "$instances" "$KAFKA_BROKERS" "$MONGO_URL"
  } >>"$log"
  # Its own session (setsid), so the service outlives this shell and `down` signals it alone. The inner bash
  # writes its own pid and then becomes the service (exec), so the pid file names the node process itself.
  # PORT is set per service; MONGO_DB is unset so each service uses its own database, whatever this shell exports.
  (cd "$ROOT" && PORT="$port" INSTANCES="$instances" PIDFILE="$RUN/$name.pid" exec setsid nohup env -u MONGO_DB \
    bash -c 'echo $$ >"$PIDFILE"; unset PIDFILE; exec '"$cmd") >>"$log" 2>&1 </dev/null &
  for _ in $(seq 1 50); do [ -s "$RUN/$name.pid" ] && break; sleep 0.1; done
  [ -s "$RUN/$name.pid" ] || die "$name did not start; see $log"
done

# 3. Readiness.
for name in "${SERVICES[@]}"; do
  port="$(port_of "$name")"
  log="$LOGS/$name.log"
  deadline=$((SECONDS + READY_TIMEOUT))
  until ready "$port"; do
    if ! pid_of "$name" >/dev/null; then
      tail -n 40 "$log" >&2 || true
      die "$name exited during startup; see $log (npm run down stops what did start)"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail -n 40 "$log" >&2 || true
      die "$name did not answer GET http://127.0.0.1:$port/health/ready with 200 within ${READY_TIMEOUT}s; see $log (it is left running; npm run down stops it)"
    fi
    sleep 1
  done
  say "$name ready on http://127.0.0.1:$port"
done

# 4. Demo data (each POST carries an Idempotency-Key, so loading twice changes nothing).
if [ "${SEED:-1}" != "0" ]; then
  if [ -n "${API_KEYS:-}" ] && [ -z "${SEED_API_KEY:-}" ]; then
    die "API_KEYS is set, so the dev keys are disabled: set SEED_API_KEY to a key with the monitor role (or SEED=0)"
  fi
  say "loading the demo data (npm run seed)"
  (cd "$ROOT" &&
    AGREEMENTS_URL="http://127.0.0.1:$(port_of agreements)" MILESTONES_URL="http://127.0.0.1:$(port_of milestones)" \
      npm run --silent seed) || die "loading the demo data failed (service logs: $LOGS/)"
fi

a="$(port_of agreements)" m="$(port_of milestones)" l="$(port_of alerts)" d="$(port_of dashboard)"
cat <<EOF

Agreement tracker is up.
  dashboard   http://127.0.0.1:$d   sign in with one of the API keys below (dev-monitor to act, dev-auditor to audit)
  agreements  http://127.0.0.1:$a   API docs http://127.0.0.1:$a/docs   (OpenAPI JSON /docs-json)
  milestones  http://127.0.0.1:$m   API docs http://127.0.0.1:$m/docs
  alerts      http://127.0.0.1:$l   API docs http://127.0.0.1:$l/docs   (alerts, subscriptions, webhook deliveries)
  health      /health/live, /health/ready      metrics  /metrics
  Kafka       $KAFKA_BROKERS          MongoDB API (FerretDB)  $MONGO_URL
  logs        $LOGS/
  instances   $INSTANCES of each service behind its port (npm run up -- --instances=N; rolling restart: bash deploy/local/restart.sh <service>)

Development API keys (Authorization: Bearer <key>; valid only while API_KEYS is unset and NODE_ENV is not production):
  dev-monitor      register agreements, plan and update milestones
  dev-stakeholder  read; subscribe to alerts, acknowledge them
  dev-auditor      read, event history (/agreements/{id}/events and /history, /milestones/{id}/events), /audit/verify, /audit/export
  dev-admin        everything, including read-model replays (npm run replay -- all)

  curl -H 'Authorization: Bearer dev-auditor' http://127.0.0.1:$a/agreements
  curl -H 'Authorization: Bearer dev-stakeholder' http://127.0.0.1:$l/alerts

Stop the services and the infrastructure: npm run down
EOF
