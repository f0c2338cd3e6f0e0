#!/usr/bin/env bash
# The dsm demo: several JVMs on this machine share @Shared fields through the agent, with nothing else installed.
# Builds the project if needed, then runs two samples, 3 JVMs each, and prints what every JVM sees.
set -euo pipefail
cd "$(dirname "$0")/.."
AGENT=agent/target/dsm-agent.jar
SAMPLES=samples/target/dsm-samples.jar
if [ ! -f "$AGENT" ] || [ ! -f "$SAMPLES" ]; then
  echo "building dsm (first run only) ..."
  mvn -B -q -Dstyle.color=never install -DskipTests
fi
RUN="demo-$$"
run_jvm() { # label, main class, args...
  local label=$1; shift
  java -javaagent:"$AGENT" -cp "$SAMPLES" "$@" 2>&1 | sed -u "s/^/[$label] /" &
}

echo "== 1. Shared counter: 3 JVMs each do total++ 1000 times on one @Shared long (atomic across JVMs)"
for i in 1 2 3; do run_jvm "jvm$i" io.dsm.samples.counter.SharedCounter 3 1000 "$RUN"; done
wait

echo
echo "== 2. Live configuration: 1 JVM publishes 20 versions of a @Shared record, 2 JVMs read it"
run_jvm writer  io.dsm.samples.config.LiveConfig writer 3 "$RUN"
run_jvm reader1 io.dsm.samples.config.LiveConfig reader 3 "$RUN"
run_jvm reader2 io.dsm.samples.config.LiveConfig reader 3 "$RUN"
wait
echo
echo "The coordinator was started on 127.0.0.1:24456 by the first JVM and exits by itself 30 s after the last one leaves."
