#!/usr/bin/env bash
# cluster-test: the shaded job jar of SensorForecastJob on a real Flink standalone session cluster
# (a JobManager and two TaskManagers, each its own JVM, on 127.0.0.1) with a real local Kafka
# broker; one TaskManager is killed with SIGKILL mid-run and replaced. Passes if the job recovers
# and the read_committed output holds exactly one forecast per event, equal to torch's.
#
#   docker/cluster-test.sh [--keep-work-dir] [--work-dir DIR]
#
# Builds what it needs first (like bin/flink-gru). The test itself is
# dev.flinkgru.testing.cluster.ClusterTest, the same code StandaloneClusterITCase runs. The last line
# of stdout is "cluster-test: PASS <counts>" or "cluster-test: FAIL <reason>"; exit code 0 / 1.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGET="$ROOT/jobs/target"
TESTING="$ROOT/testing/target"
CLASSPATH_FILE="$TESTING/testing.classpath"

fail() {
  echo "cluster-test: FAIL $*"
  exit 1
}

needs_build() {
  local jar
  jar="$(ls -t "$TARGET"/flink-gru-jobs-*-job.jar 2>/dev/null | head -n 1 || true)"
  [[ -z "$jar" || ! -s "$CLASSPATH_FILE" || ! -s "$TARGET/flink-lib.classpath" \
     || ! -d "$TARGET/flink-lib-extra" || ! -d "$TESTING/classes" \
     || ! -s "$ROOT/kafka-broker/target/broker.classpath" ]] && return 0
  # Any source, resource or pom newer than the job jar or the classpath file?
  [[ -n "$(find "$ROOT/pom.xml" "$ROOT/state" "$ROOT/operator" "$ROOT/jobs" "$ROOT/testing" "$ROOT/kafka-broker" \
        \( -name target -prune \) -o \( -type f \( -name '*.java' -o -name 'pom.xml' -o -path '*/src/main/resources/*' \) \
        \( -newer "$jar" -o -newer "$CLASSPATH_FILE" \) -print \) 2>/dev/null | head -n 1)" ]]
}

if needs_build; then
  # One reactor build (nothing installed in ~/.m2): the job jar, jobs/target/flink-lib.classpath,
  # and the classpath of the testing module, whose ClusterTest runs below.
  echo "cluster-test: building (first use or sources changed) ..." >&2
  (cd "$ROOT" && mvn -B -q -ntp package dependency:build-classpath -pl jobs,testing -am \
      -DskipTests -Dspotless.check.skip=true -DincludeScope=runtime \
      -Dmdep.outputFile=target/testing.classpath >&2) \
    || fail "the build failed (mvn package -pl jobs,testing -am)"
fi

OUTPUT="$(mktemp -t cluster-test.XXXXXX)"
trap 'rm -f "$OUTPUT"' EXIT

set +e
# shellcheck disable=SC2086
java ${JAVA_OPTS:-"-Xmx768m"} \
  -Dflinkgru.home="$ROOT" \
  -Dlog4j2.configurationFile="$ROOT/bin/log4j2-cli.properties" \
  -cp "$TESTING/classes:$(cat "$CLASSPATH_FILE")" \
  dev.flinkgru.testing.cluster.ClusterTest "$@" | tee "$OUTPUT"
rc=${PIPESTATUS[0]}
set -e

last="$(tail -n 1 "$OUTPUT")"
case "$last" in
  "cluster-test: PASS "*) [[ $rc -eq 0 ]] || fail "exit code $rc after a PASS line" ;;
  "cluster-test: FAIL "*) exit $(( rc == 0 ? 1 : rc )) ;;
  *) fail "the test JVM exited with $rc without a verdict" ;;
esac
