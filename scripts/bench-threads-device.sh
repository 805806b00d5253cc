#!/usr/bin/env bash
# Thread scaling on the lent 16-CPU machine (no JDK there: scripts/device-jdk.sh packs .devjdk/ first, with the bench
# test classes and the llama-spm vocab; SqueezeNet too where .devjdk/squeezenet1_1/{model.onnx,input.npy} exist, but
# with them .devjdk/ passes the 64 MiB a device call carries). Unpinned, 1 to 16 threads:
#   1. TinyLlama-shaped Q4_0 and Q4_K_M decode and prefill (`minnow bench`, synthesised there);
#   2. the five CNNs, Minnow (OrtCompare --engine minnow) and ONNX Runtime's Python package on the same ONNX files.
# About 5 minutes (SKIP_LLM=1: the CNNs only, about 2); output in $OUT (default /tmp/minnow-threads).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/minnow-threads}; mkdir -p "$OUT"
JAVA=${JAVA:-.devjdk/bin/java}
CP=${CP:-".devjdk/minnow/*"}
BCP=".devjdk/bench-tests:$CP"
VOCAB=${VOCAB:-.devjdk/ggml-vocab-llama-spm.gguf}
THREADS=${THREADS:-1,2,4,8,16}
JV=(-XX:+UseParallelGC -XX:MaxNewSize=64m -XX:+UseCountedLoopSafepoints -XX:LoopStripMiningIter=1000 --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Dminnow.quiet=true -Dminnow.threads=16)
# shellcheck disable=SC2206
JV+=(${JOPTS:-}) # more JVM options, e.g. a switch for a before/after run
log() { echo "== $* ($(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg))" | tee -a "$OUT/log.txt"; }
M() { "$JAVA" "${JV[@]}" -cp "$CP" dev.minnow.cli.Main "$@" 2>&1 | grep -v WARNING; }
log "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2), $(nproc) CPUs, $(grep -c . /sys/devices/system/cpu/cpu*/topology/thread_siblings_list 2>/dev/null | wc -l) topology entries"
lscpu 2>/dev/null | grep -E 'Thread|Core|Socket|L3|Flags' | cut -c1-200 > "$OUT/lscpu.txt"
D=/tmp/minnow-threads-models; mkdir -p "$D"
SHAPE=(--dim 2048 --layers 22 --heads 32 --kv-heads 4 --ffn 5632 --vocab-from "$VOCAB")
if [ -z "${SKIP_LLM:-}" ]; then
log "synthesising Q4_0 and Q4_K_M"
M synth --arch llama "${SHAPE[@]}" --type q4_0 -o "$D/q4_0.gguf" > "$OUT/synth.txt"
M synth --arch llama "${SHAPE[@]}" --type f16 -o "$D/f16.gguf" >> "$OUT/synth.txt"
M quantize "$D/f16.gguf" "$D/q4_k_m.gguf" Q4_K_M >> "$OUT/synth.txt"; rm -f "$D/f16.gguf"
for m in q4_0 q4_k_m; do
  log "LLM $m, threads $THREADS"
  M bench -m "$D/$m.gguf" -p 128 -n 64 -r 2 -t "$THREADS" --bandwidth | tee "$OUT/llm-$m.txt"
done
rm -f "$D"/*.gguf
fi
log "writing the ONNX files"
source scripts/cnn-onnx-cases.sh
cnn_onnx_cases "$D" "$BCP"
[ -f .devjdk/squeezenet1_1/model.onnx ] && CASES="$CASES squeezenet1_1=.devjdk/squeezenet1_1/model.onnx:.devjdk/squeezenet1_1/input.npy"
log "CNN, Minnow, threads $THREADS"
"$JAVA" "${JV[@]}" -Dminnow.bench.warmupMaxS=${WARMUP_MAX_S:-6} -cp "$BCP" dev.minnow.bench.cnn.OrtCompare --engine minnow --rounds 15 --warmup 30 --threads "$THREADS" $CASES \
  2>&1 | grep -v WARNING | tee "$OUT/cnn-minnow.txt"
for t in ${THREADS//,/ }; do
  log "CNN, ONNX Runtime (Python), $t thread(s)"
  python3 scripts/ort_time.py $t 15 30 $CASES 2>&1 | tee -a "$OUT/cnn-ort.txt"
done
rm -rf "$D"
log "done"
