#!/usr/bin/env bash
# The fault suite (docs/faults/README.md). Without arguments: the long form, 5 JVMs for 300 s with a fault every
# 30 s (a node paused 30 s past its eviction, junk datagrams at the directory, kill -9 of the directory, kill -9 of a
# node, in turn) and two nodes losing 5 % of the frames they receive, in durable mode, on the directory on Aeron
# Cluster, once with one member and once with three (whose leader is the one killed): about 11 minutes. Every
# register's history is checked for linearizability. `faults/run.sh short` runs the short form that `mvn verify`
# runs (FaultIT, 4 JVMs, 40 s, both directories). Both forms then run FuzzIT: 10^6 fuzzed and forged frames at
# every port of a running cluster, twice (without and with the secret), as mvn verify does.
# The report goes to stdout and to docs/faults/last-run.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
form="${1:-long}"
args=()
if [ "$form" = "long" ]; then
  args=(-Ddsm.faults.nodes=5 -Ddsm.faults.run.ms=300000 -Ddsm.faults.every.ms=30000 -Ddsm.faults.pause.ms=30000
        -Ddsm.faults.op.pause.us=20000 -Ddsm.faults.lossy.nodes=2)
fi
mvn -B -q install -DskipTests
cd agent
status=0
mvn -B verify -Pfull -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test='FaultIT,FuzzIT' "${args[@]}" || status=$?
report=$(sed -n '/FaultIT: /,/]]>/p' target/failsafe-reports/TEST-io.dsm.it.FaultIT.xml | sed 's/]]>.*//; s/.*<!\[CDATA\[//')
report="$report
$(grep -ho 'FuzzIT: .*' target/failsafe-reports/TEST-io.dsm.it.FuzzIT.xml 2>/dev/null | sed 's/]]>.*//' || echo 'FuzzIT: no report')"
{
  echo "# faults/run.sh $form, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores"
  echo "$report"
} | tee ../docs/faults/last-run.txt
exit $status
