#!/usr/bin/env bash
# Prepares docker/context/ (gitignored), the files the Dockerfiles COPY:
#
#   context/lib/      DJL (api, pytorch-engine, pytorch-jni), DJL's dependencies and ONNX Runtime
#                     (com.microsoft.onnxruntime:onnxruntime, CPU, with its natives): Flink's lib/
#   context/natives/  pytorch-native-cpu (libtorch for the CPU): Flink's lib/ of the CPU image
#   context/usrlib/   flink-gru-jobs.jar, the shaded job jar: Flink's usrlib/
#   context/models/   the demo models (sensor, recommendation): /opt/flink-gru/models/
#   context/tools/    flink-gru-tools.jar, the command line's classes (the sensor feeder)
#
#   docker/prepare-context.sh [--no-build]
#
# Builds the project first (mvn install -DskipTests) unless --no-build. The versions are the
# project's (pom.xml: flink.version, djl.version, pytorch.native.version); the images' build args
# FLINK_VERSION and TORCH_VERSION must match them, and this script prints them.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONTEXT="$ROOT/docker/context"
MVN=(mvn -B -q -ntp -Dspotless.check.skip=true)

if [[ "${1:-}" != "--no-build" ]]; then
  (cd "$ROOT" && "${MVN[@]}" install -DskipTests)
fi

JOB_JAR="$(ls -t "$ROOT"/jobs/target/flink-gru-jobs-*-job.jar 2>/dev/null | head -n 1 || true)"
if [[ -z "$JOB_JAR" ]]; then
  echo "prepare-context: no jobs/target/flink-gru-jobs-*-job.jar; run without --no-build" >&2
  exit 1
fi

rm -rf "$CONTEXT"
mkdir -p "$CONTEXT/lib" "$CONTEXT/natives" "$CONTEXT/usrlib" "$CONTEXT/models" "$CONTEXT/tools"

# Exactly the DJL artifacts, DJL's runtime dependencies and ONNX Runtime (both filters apply): they
# go to Flink's lib/, because the PyTorch and ONNX Runtime native libraries load once per JVM and a
# job restart brings a new user class loader. Flink's own dependencies (commons-lang3, ...) are in
# the image already.
(cd "$ROOT" && "${MVN[@]}" -pl jobs dependency:copy-dependencies \
    -DincludeScope=runtime \
    -DincludeGroupIds=ai.djl,ai.djl.pytorch,com.google.code.gson,net.java.dev.jna,org.apache.commons,commons-codec,com.microsoft.onnxruntime \
    -DincludeArtifactIds=api,pytorch-engine,pytorch-jni,gson,jna,commons-compress,commons-codec,onnxruntime \
    -DoutputDirectory="$CONTEXT/lib")
(cd "$ROOT" && "${MVN[@]}" -pl jobs dependency:copy-dependencies \
    -DincludeScope=runtime \
    -DincludeGroupIds=ai.djl.pytorch \
    -DincludeArtifactIds=pytorch-native-cpu \
    -DoutputDirectory="$CONTEXT/natives")

cp "$JOB_JAR" "$CONTEXT/usrlib/flink-gru-jobs.jar"
cp "$(ls -t "$ROOT"/tools/target/flink-gru-tools-*.jar | head -n 1)" "$CONTEXT/tools/flink-gru-tools.jar"
for model in sensor recommendation; do
  mkdir -p "$CONTEXT/models/$model"
  cp "$ROOT/models/$model/model.pt" "$ROOT/models/$model/meta.properties" "$CONTEXT/models/$model/"
done

version() { # a <properties> entry of the root pom
  sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" "$ROOT/pom.xml" | head -n 1
}
echo "prepare-context: $CONTEXT"
(cd "$CONTEXT" && find . -type f | sort | while read -r f; do printf '  %-70s %8s KB\n' "$f" "$(( $(stat -c %s "$f") / 1024 ))"; done)
echo "prepare-context: build args must match: FLINK_VERSION=$(version flink.version)" \
     "TORCH_VERSION=$(version pytorch.native.version) (DJL $(version djl.version))"
