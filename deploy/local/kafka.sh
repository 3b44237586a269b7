#!/usr/bin/env bash
# Fetch Apache Kafka's official jars with mvn (cached), then run one KRaft broker+controller
# on loopback. Usage: kafka.sh up|down|status
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

HOST=127.0.0.1
PORT=${PPU_KAFKA_PORT:-9092}
CONTROLLER_PORT=${PPU_KAFKA_CONTROLLER_PORT:-$((PORT + 1))}
VERSION=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$HERE/kafka/pom.xml")
LIBS="$CACHE_DIR/kafka-$VERSION/libs"
DIR="$STATE_DIR/kafka"
PIDFILE="$DIR/kafka.pid"
# Clients are told this address; `make fault-test` points it at a Toxiproxy port in front.
ADVERTISED=${PPU_KAFKA_ADVERTISED:-$HOST:$PORT}

fetch() {
  [ -f "$LIBS/.complete" ] && return 0
  command -v java >/dev/null || need "java" "Install a JDK 17+, e.g. 'apt-get install openjdk-17-jre-headless'."
  command -v mvn >/dev/null || need "mvn (Apache Maven)" "Install it, e.g. 'apt-get install maven'."
  say "fetching Kafka $VERSION jars from Maven Central into $LIBS (first run only)"
  rm -rf "$LIBS"; mkdir -p "$LIBS"
  if ! mvn -q -B -f "$HERE/kafka/pom.xml" dependency:copy-dependencies \
      -DoutputDirectory="$LIBS" >"$CACHE_DIR/mvn-kafka.log" 2>&1; then
    tail -n 20 "$CACHE_DIR/mvn-kafka.log" >&2
    need "Kafka $VERSION jars" "mvn could not fetch them from Maven Central; see $CACHE_DIR/mvn-kafka.log."
  fi
  touch "$LIBS/.complete"
}

write_config() {
  mkdir -p "$DIR/data"
  cat >"$DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=$HOST:$CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$ADVERTISED
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$DIR/data
num.partitions=4
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=24
PROPS
}

JAVA_OPTS=(-Xms256m "-Xmx${PPU_KAFKA_HEAP:-768m}" -XX:+UseG1GC -Djava.awt.headless=true
  "-Dlog4j2.configurationFile=$HERE/kafka/log4j2.properties")

java_run() {
  java "${JAVA_OPTS[@]}" -cp "$LIBS/*" "$@"
}

format_storage() {
  [ -f "$DIR/data/meta.properties" ] && return 0
  local cluster_id
  cluster_id=$(java_run kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)
  java_run kafka.tools.StorageTool format --standalone -t "$cluster_id" \
    -c "$DIR/server.properties" >"$DIR/format.log" 2>&1 \
    || { cat "$DIR/format.log" >&2; say "formatting Kafka storage failed"; exit 1; }
}

running_pid() {
  [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null && cat "$PIDFILE"
}

up() {
  if port_open "$HOST" "$PORT"; then
    say "Kafka already answers on $HOST:$PORT; reusing it"
    return 0
  fi
  fetch
  write_config
  format_storage
  say "starting Kafka $VERSION (KRaft) on $HOST:$PORT; log: $DIR/kafka.log"
  # setsid + redirected streams: the broker outlives this script and holds no caller's pipe.
  setsid java "${JAVA_OPTS[@]}" -cp "$LIBS/*" kafka.Kafka "$DIR/server.properties" \
    </dev/null >"$DIR/kafka.log" 2>&1 &
  echo $! >"$PIDFILE"
  if ! wait_for "Kafka" 120 grep -q "BrokerServer id=1] Transition from STARTING to STARTED" "$DIR/kafka.log"; then
    tail -n 30 "$DIR/kafka.log" >&2
    exit 1
  fi
}

down() {
  local pid
  pid=$(running_pid) || { say "Kafka: not running (from $STATE_DIR)"; return 0; }
  say "stopping Kafka (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  wait_for "Kafka shutdown" 60 pid_gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
  rm -f "$PIDFILE"
}

case "${1:-}" in
  up) up; echo "$HOST:$PORT" ;;
  down) down ;;
  fetch) fetch ;;
  *) echo "usage: $0 up|down|fetch" >&2; exit 64 ;;
esac
