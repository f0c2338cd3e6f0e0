#!/usr/bin/env bash
# Runs the whole benchmark suite on this machine and writes docs/bench/: JMH JSON (one file per dsm idle
# strategy), REPORT.md and latency.png. Takes about 25 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f agent/target/dsm-agent.jar ] || [ ! -f benchmarks/target/benchmarks.jar ]; then
  mvn -B -q -Dstyle.color=never install -DskipTests
fi
# The run this one replaces becomes the "before" of the report's before-and-after tables.
for f in docs/bench/jmh-backoff.json docs/bench/jmh-yielding.json docs/bench/jmh-backoff-warm0.json; do
  if [ -f "$f" ]; then cp "$f" "${f%.json}-previous.json"; fi
done
BENCH=(java -Dbench.agent.jar=agent/target/dsm-agent.jar -jar benchmarks/target/benchmarks.jar --out docs/bench)
# Every benchmark with the default idle strategy (backoff: an idle JVM parks)...
"${BENCH[@]}" --idle backoff
# ...and the ones that cross JVMs again with the low-latency profile (yielding: a busy core per JVM)...
"${BENCH[@]}" --idle yielding --include 'io\.dsm\.benchmarks\.(PingPong|SparsePingPong|ReadMiss|Transfer|FanOut)Benchmark.*'
# ...and the ping-pong with backoff as it was before it stayed warm after traffic (dsm.idle.warm.ns=0).
"${BENCH[@]}" --idle backoff --warm-ns 0 --include 'io\.dsm\.benchmarks\.(PingPong|SparsePingPong)Benchmark.*'
echo "report: docs/bench/REPORT.md"
