#!/usr/bin/env bash
# Local infrastructure without Docker: a real Apache Kafka broker (KRaft, single node) run from the jars Maven
# fetches from Maven Central, and FerretDB v1 (MongoDB-compatible, SQLite backend) embedded in a small Go program
# built from the Go module proxy. Everything is fetched/built on first use and cached in deploy/local/.cache.
#
#   infra.sh install   fetch Kafka's jars, build FerretDB, install Chromium for the browser tests and the pinned
#                      Python tools of the contract tests (python-tools.sh), kustomize and kubeconform
#                      (deploy/k8s/tools/k8s-tools.sh); no start
#   infra.sh start     install if needed, start both, wait until they accept clients (harmless if running)
#   infra.sh stop      stop both cleanly (harmless if stopped)
#   infra.sh status    what runs
#   infra.sh env       export lines for KAFKA_BROKERS and MONGO_URL
#   infra.sh reset     stop and delete all data
#   infra.sh kill <kafka|ferretdb>   SIGKILL one of them (a crash, for the fault tests); `start` brings it back
#
# Logs: deploy/local/.run/logs/{kafka,ferretdb}.log. Versions and ports: deploy/local/versions.env.
# INFRA_STATE_DIR=<dir> keeps data, pid files and logs in <dir>/{data,run,logs} instead of deploy/local/.data and
# .run: with other ports (KAFKA_PORT, KAFKA_CONTROLLER_PORT, MONGO_PORT) a second, independent stack (tests/faults).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$HERE/versions.env"
CACHE="$HERE/.cache"
if [ -n "${INFRA_STATE_DIR:-}" ]; then
  mkdir -p "$INFRA_STATE_DIR"
  STATE="$(cd "$INFRA_STATE_DIR" && pwd)"
  DATA="$STATE/data"
  RUN="$STATE/run"
  LOGS="$STATE/logs"
else
  DATA="$HERE/.data"
  RUN="$HERE/.run"
  LOGS="$RUN/logs"
fi
KAFKA_HOME="$CACHE/kafka-$KAFKA_VERSION"
# "-idindex": built with the _id index fix of deploy/local/ferretdb/build.sh (FERRETDB_STOCK=1: without it).
if [ "${FERRETDB_STOCK:-0}" = "1" ]; then FERRETDB_BIN="$CACHE/bin/ferretdb-$FERRETDB_VERSION"; else FERRETDB_BIN="$CACHE/bin/ferretdb-$FERRETDB_VERSION-idindex"; fi
READY_TIMEOUT="${INFRA_READY_TIMEOUT:-120}"

say() { printf '[infra] %s\n' "$*" >&2; }
die() { printf '[infra] error: %s\n' "$*" >&2; exit 1; }

need() { command -v "$1" >/dev/null 2>&1 || die "$1 is required ($2)"; }

install_kafka() {
  if [ -f "$KAFKA_HOME/libs/kafka_2.13-$KAFKA_VERSION.jar" ]; then return; fi
  need java "OpenJDK 17 or newer runs the broker"
  need mvn "Maven fetches the broker's jars from Maven Central"
  say "fetching Apache Kafka $KAFKA_VERSION jars from Maven Central (first run only)..."
  rm -rf "$KAFKA_HOME.tmp"
  mvn -q -B -f "$HERE/kafka/pom.xml" dependency:copy-dependencies \
    -Dkafka.version="$KAFKA_VERSION" -Dlog4j.version="$LOG4J_VERSION" -Dslf4j.version="$SLF4J_VERSION" \
    -DoutputDirectory="$KAFKA_HOME.tmp/libs" >&2 || die "Maven could not fetch Kafka $KAFKA_VERSION (see above)"
  mv "$KAFKA_HOME.tmp" "$KAFKA_HOME"
  say "Kafka jars in $KAFKA_HOME/libs"
}

install_ferretdb() {
  if [ -x "$FERRETDB_BIN" ]; then return; fi
  need go "Go builds FerretDB from the Go module proxy"
  grep -q "github.com/FerretDB/FerretDB $FERRETDB_VERSION" "$HERE/ferretdb/go.mod" ||
    die "deploy/local/ferretdb/go.mod does not require FerretDB $FERRETDB_VERSION (versions.env); run: cd deploy/local/ferretdb && go get github.com/FerretDB/FerretDB@$FERRETDB_VERSION && go mod tidy"
  say "building FerretDB $FERRETDB_VERSION from the Go module proxy (first run only, a minute or two)..."
  mkdir -p "$CACHE/bin"
  bash "$HERE/ferretdb/build.sh" "$FERRETDB_BIN" >&2 || die "building FerretDB failed (see above)"
  say "FerretDB built: $FERRETDB_BIN"
}

# The dashboard's browser tests drive Debian's Chromium (Playwright cannot download its own browsers here).
# CHROMIUM_PATH names another binary; SKIP_CHROMIUM=1 skips this (the browser tests then fail, saying why).
install_chromium() {
  local bin="${CHROMIUM_PATH:-/usr/bin/chromium}"
  if [ -x "$bin" ] || [ "${SKIP_CHROMIUM:-0}" = "1" ]; then return; fi
  command -v apt-get >/dev/null 2>&1 || die "Chromium is missing at $bin and apt-get is not available: install Chromium and set CHROMIUM_PATH"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "installing Chromium needs root: run 'apt-get install -y chromium' as root, or set CHROMIUM_PATH"
    sudo="sudo -n"
  fi
  say "installing Debian's chromium for the browser tests (first run only)..."
  $sudo apt-get update -qq >&2 || die "apt-get update failed (see above)"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >&2 ||
    die "apt-get install chromium failed (see above)"
  [ -x "$bin" ] || die "chromium installed but $bin is not there; set CHROMIUM_PATH"
  say "Chromium installed: $("$bin" --version 2>/dev/null || echo "$bin")"
}

pid_of() { # name -> pid if our process runs
  local f="$RUN/$1.pid"
  [ -f "$f" ] || return 1
  local pid
  pid="$(cat "$f")"
  if kill -0 "$pid" 2>/dev/null; then echo "$pid"; else rm -f "$f"; return 1; fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

port_owner() {
  ss -ltnpH "sport = :$1" 2>/dev/null | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n 1
}

check_port_free() { # port name variable
  if port_open "$1"; then
    local owner
    owner="$(port_owner "$1")"
    die "port $1 is in use by another process${owner:+ (pid $owner)}, so $2 cannot start; stop it or set $3 to another port"
  fi
}

wait_until() { # description log command...
  local what="$1" log="$2"
  shift 2
  local deadline=$((SECONDS + READY_TIMEOUT))
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail -n 30 "$log" >&2 || true
      die "$what not ready after ${READY_TIMEOUT}s; see $log"
    fi
    sleep 0.5
  done
}

kafka_ready() {
  port_open "$KAFKA_PORT" || return 1
  # A real client request: the broker answers metadata only once it has joined its own KRaft quorum.
  java -Xmx128m -cp "$KAFKA_HOME/libs/*" -Dlog4j2.configurationFile="$HERE/kafka/log4j2.properties" \
    org.apache.kafka.tools.BrokerApiVersionsCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" >/dev/null 2>&1
}

start_kafka() {
  if pid="$(pid_of kafka)"; then
    say "Kafka already running (pid $pid) on 127.0.0.1:$KAFKA_PORT"
    return
  fi
  check_port_free "$KAFKA_PORT" Kafka KAFKA_PORT
  check_port_free "$KAFKA_CONTROLLER_PORT" "Kafka's controller" KAFKA_CONTROLLER_PORT
  mkdir -p "$DATA/kafka" "$LOGS"
  sed -e "s#@KAFKA_PORT@#$KAFKA_PORT#g" -e "s#@KAFKA_CONTROLLER_PORT@#$KAFKA_CONTROLLER_PORT#g" -e "s#@DATA_DIR@#$DATA/kafka#g" \
    "$HERE/kafka/server.properties.template" >"$RUN/server.properties"
  local java_opts=(-Xms256m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true -Dlog4j2.configurationFile="$HERE/kafka/log4j2.properties")
  if [ ! -f "$DATA/kafka/meta.properties" ]; then
    local cluster_id
    cluster_id="$(java "${java_opts[@]}" -cp "$KAFKA_HOME/libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
    java "${java_opts[@]}" -cp "$KAFKA_HOME/libs/*" kafka.tools.StorageTool format -t "$cluster_id" -c "$RUN/server.properties" \
      >>"$LOGS/kafka.log" 2>&1 || die "formatting Kafka's storage failed; see $LOGS/kafka.log"
  fi
  say "starting Kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT (log: $LOGS/kafka.log)"
  setsid nohup java "${java_opts[@]}" -cp "$KAFKA_HOME/libs/*" kafka.Kafka "$RUN/server.properties" \
    >>"$LOGS/kafka.log" 2>&1 </dev/null &
  echo $! >"$RUN/kafka.pid"
  wait_until "Kafka" "$LOGS/kafka.log" kafka_ready
  say "Kafka ready"
}

ferretdb_ready() {
  port_open "$MONGO_PORT" || return 1
  # A real `ping` through the MongoDB driver when the project's node_modules are installed.
  local root
  root="$(cd "$HERE/../.." && pwd)"
  if [ -d "$root/node_modules/mongodb" ]; then
    (cd "$root" && node -e "
      const { MongoClient } = require('mongodb');
      const c = new MongoClient('mongodb://127.0.0.1:$MONGO_PORT', { serverSelectionTimeoutMS: 2000 });
      c.db('admin').command({ ping: 1 }).then(() => c.close()).then(() => process.exit(0), () => process.exit(1));")
  fi
}

start_ferretdb() {
  if pid="$(pid_of ferretdb)"; then
    say "FerretDB already running (pid $pid) on 127.0.0.1:$MONGO_PORT"
    return
  fi
  check_port_free "$MONGO_PORT" FerretDB MONGO_PORT
  mkdir -p "$DATA/ferretdb" "$LOGS"
  say "starting FerretDB $FERRETDB_VERSION on 127.0.0.1:$MONGO_PORT (log: $LOGS/ferretdb.log)"
  setsid nohup "$FERRETDB_BIN" -listen "127.0.0.1:$MONGO_PORT" -data "$DATA/ferretdb" >>"$LOGS/ferretdb.log" 2>&1 </dev/null &
  echo $! >"$RUN/ferretdb.pid"
  wait_until "FerretDB" "$LOGS/ferretdb.log" ferretdb_ready
  say "FerretDB ready"
}

wait_gone() { # pid seconds: waits until the process has ended, at most that long
  local tries=$(($2 * 10))
  for _ in $(seq 1 "$tries"); do
    kill -0 "$1" 2>/dev/null || return 0
    sleep 0.1
  done
}

stop_one() { # name
  local pid
  pid="$(pid_of "$1")" || return 0
  say "stopping $1 (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  wait_gone "$pid" 20
  if kill -0 "$pid" 2>/dev/null; then
    say "$1 did not stop within 20 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$RUN/$1.pid"
}

kill_one() { # name: SIGKILL, as a crash would end it (no clean shutdown); waits until it is gone
  local pid
  pid="$(pid_of "$1")" || die "$1 is not running (no live pid in $RUN/$1.pid)"
  say "killing $1 (pid $pid) with SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  wait_gone "$pid" 10
  rm -f "$RUN/$1.pid"
}

status() {
  local pid
  if pid="$(pid_of kafka)"; then echo "kafka: running (pid $pid) on 127.0.0.1:$KAFKA_PORT"; else echo "kafka: stopped"; fi
  if pid="$(pid_of ferretdb)"; then echo "ferretdb: running (pid $pid) on 127.0.0.1:$MONGO_PORT"; else echo "ferretdb: stopped"; fi
}

mkdir -p "$RUN"
case "${1:-}" in
  install)
    install_kafka
    install_ferretdb
    install_chromium
    # The contract tests' pinned Schemathesis (tests/contract/requirements.txt), in a virtualenv of its own.
    bash "$HERE/python-tools.sh" install
    # kustomize and kubeconform for the Kubernetes manifests' offline checks (tools/k8s/k8s.int.spec.ts).
    bash "$HERE/../k8s/tools/k8s-tools.sh" install
    ;;
  start | up)
    install_kafka
    install_ferretdb
    start_ferretdb
    start_kafka
    ;;
  stop | down)
    stop_one kafka
    stop_one ferretdb
    ;;
  kill)
    case "${2:-}" in
      kafka | ferretdb) kill_one "$2" ;;
      *) die "usage: infra.sh kill <kafka|ferretdb>" ;;
    esac
    ;;
  status) status ;;
  env)
    echo "export KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT"
    # Four connections per client. FerretDB v1's SQLite backend does not isolate a read-modify-write (an update,
    # findAndModify) from others running at the same time (FerretDB issue 3040); within a process every
    # read-modify-write of a document runs under that document's key lock (libs/mongo/src/key-lock.ts), so that
    # no longer needs one connection. More than four bought nothing on 2 cores (docs/adr/0010-flat-cost.md).
    echo "export MONGO_URL='mongodb://127.0.0.1:$MONGO_PORT/?maxPoolSize=4'"
    ;;
  reset)
    stop_one kafka
    stop_one ferretdb
    rm -rf "$DATA"
    say "data deleted"
    ;;
  *)
    sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
