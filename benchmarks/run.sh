#!/usr/bin/env bash
# Runs the whole benchmark suite on this machine and writes docs/bench/: JMH JSON (one file per dsm idle
# strategy), REPORT.md and latency.png. Takes about 32 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f agent/target/dsm-agent.jar ] || [ ! -f benchmarks/target/benchmarks.jar ]; then
  mvn -B -q -Dstyle.color=never install -DskipTests
fi
# The run this one replaces becomes the "before" of the report's before-and-after tables.
for f in docs/bench/jmh-doorbell.json docs/bench/jmh-backoff.json docs/bench/jmh-yielding.json; do
  if [ -f "$f" ]; then cp "$f" "${f%.json}-previous.json"; fi
done
BENCH=(java -Dbench.agent.jar=agent/target/dsm-agent.jar -jar benchmarks/target/benchmarks.jar --out docs/bench)
CROSS_JVM='io\.dsm\.benchmarks\.(PingPong|SparsePingPong|ReadMiss|Transfer|FanOut)Benchmark.*'
# Every benchmark with the default idle strategy (doorbell: an idle JVM sleeps until a peer rings it)...
"${BENCH[@]}" --idle doorbell
# ...the ones that cross JVMs with the previous default (backoff: an idle JVM parks up to 1 ms at a time)...
"${BENCH[@]}" --idle backoff --include "$CROSS_JVM"
# ...and with the low-latency profile (yielding: a busy core per JVM).
"${BENCH[@]}" --idle yielding --include "$CROSS_JVM"
echo "report: docs/bench/REPORT.md"
