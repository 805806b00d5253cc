#!/usr/bin/env bash
# CNN latency, Minnow against ONNX Runtime's Python package, on a machine where ONNX Runtime's Java jar cannot travel
# (the lent AVX-512 machine: 64 MiB transfer limit; it has onnxruntime for Python). Same ONNX files for both (random
# weights, written by the bench test classes CnnOnnx/MobileNetV2Onnx), each engine alone in its own process, pinned
# to two physical cores; 1 and 2 threads. JAVA, CP as in bench-decode-pinned.sh plus the bench test classes
# (scripts/device-jdk.sh copies them to .devjdk/bench-tests). Minnow is warmed up until the JIT is quiet (at most
# WARMUP_MAX_S seconds per case, default 10) before OrtCompare's 40 warm-up passes. About 3 minutes; output in $OUT.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/minnow-cnn}; mkdir -p "$OUT"
CP=${CP:-"bench/target/test-classes:cli/target/minnow-cli-0.1.0-SNAPSHOT.jar:cli/target/lib/*"}
PY=${PY:-python3}
source scripts/two-cores.sh
D=/tmp/minnow-cnn-models; mkdir -p "$D"
log "writing the ONNX files"
source scripts/cnn-onnx-cases.sh
cnn_onnx_cases "$D" "$CP"
log "Minnow, cores $TWO"
P2 -Dminnow.threads=2 -Dminnow.bench.warmupMaxS=${WARMUP_MAX_S:-10} -cp "$CP" dev.minnow.bench.cnn.OrtCompare --engine minnow --rounds 15 --warmup 40 --threads 1,2 $CASES \
  2>&1 | grep -v WARNING | tee "$OUT/cnn-minnow.txt"
for t in 1 2; do
  log "ONNX Runtime (Python), $t thread(s), cores $TWO"
  taskset -c "$TWO" "$PY" scripts/ort_time.py $t 15 40 $CASES 2>&1 | tee -a "$OUT/cnn-ort.txt"
done
rm -rf "$D"
log "done"
