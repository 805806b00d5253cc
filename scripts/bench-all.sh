#!/usr/bin/env bash
# Runs the figures BENCHMARKS.md quotes, on this machine, into $OUT (default /tmp/minnow-bench).
# Meant for a quiet machine: nothing else should run meanwhile. Takes about 15 minutes on 2 cores.
# Needs the TinyLlama-shaped models, made once (about 2 minutes, 4.6 GB in /tmp):
#   ./minnow synth --arch llama --dim 2048 --layers 22 --heads 32 --kv-heads 4 --ffn 5632 \
#       --vocab-from ../shared/fixtures/tokenizer/ggml-vocab-llama-spm.gguf --type f16 -o /tmp/tl-f16.gguf
#   for t in Q8_0 Q4_0 Q4_K_M; do ./minnow quantize /tmp/tl-f16.gguf /tmp/tl-${t,,}-mix.gguf $t; done
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/minnow-bench}
MODELS=${MODELS:-/tmp}
mkdir -p "$OUT"
log() { echo "== $* ($(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg))" | tee -a "$OUT/log.txt"; }

log "kernels"
./minnow bench kernels | tee "$OUT/kernels.txt"

for m in f16 q8_0-mix q4_0-mix q4_k_m-mix; do
  f="$MODELS/tl-$m.gguf"
  [ -f "$f" ] || { echo "missing $f (see the header of this script)"; continue; }
  log "llm $m"
  ./minnow bench -m "$f" -p 128 -n 64 -r 2 -t 1,2 --bandwidth | tee "$OUT/llm-$m.txt"
done

# decode without a prefill first, same JVM settings: the JIT-profile effect (a prefill before decode polluting C2's
# type profiles of shared segment code) shows as the difference to the tg64 rows above
if [ -f "$MODELS/tl-q4_0-mix.gguf" ]; then
  log "llm q4_0-mix, decode only"
  ./minnow bench -m "$MODELS/tl-q4_0-mix.gguf" -p 0 -n 64 -r 3 -t 1,2 | tee "$OUT/llm-q4_0-mix-tg-only.txt"
fi

log "quant"
./minnow bench quant | tee "$OUT/quant.txt"

# CNN latency against ONNX Runtime (a test-scope dependency of bench: compile the bench test classes first)
log "ort"
./minnow test -pl bench -am -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false >/dev/null 2>&1 || true
source scripts/java-home.sh
J="$(minnow_java_home)/bin/java"
ORT=$(ls ~/.m2/repository/com/microsoft/onnxruntime/onnxruntime/1.23.2/onnxruntime-1.23.2.jar)
CP=bench/target/test-classes:tensor/target/classes:kernels/target/classes:quant/target/classes:nn/target/classes:models/target/classes:bench/target/classes:$ORT
O=$OUT/onnx F=${MINNOW_FIXTURES:-../shared/fixtures}
for a in resnet18 mnasnet1_0 mobilenet_v3_small; do
  "$J" --add-modules jdk.incubator.vector -cp "$CP" dev.minnow.bench.cnn.CnnOnnx $a 224 "$O/$a" >/dev/null 2>&1
done
"$J" --add-modules jdk.incubator.vector -cp "$CP" dev.minnow.bench.cnn.MobileNetV2Onnx 1.0 224 "$O/mobilenet_v2_1.0" >/dev/null 2>&1
CASES="mobilenet_v2_x0.5=$F/cnn/mobilenet_v2/model.onnx:$F/cnn/mobilenet_v2/input.npy
  mobilenet_v2_1.0=$O/mobilenet_v2_1.0/model.onnx:$O/mobilenet_v2_1.0/input.npy
  mobilenet_v3_small=$O/mobilenet_v3_small/model.onnx:$O/mobilenet_v3_small/input.npy
  mnasnet1_0=$O/mnasnet1_0/model.onnx:$O/mnasnet1_0/input.npy
  squeezenet1_1=$F/cnn/squeezenet1_1/model.onnx:$F/cnn/squeezenet1_1/input.npy
  resnet18=$O/resnet18/model.onnx:$O/resnet18/input.npy"
# one thread: both engines alternate in one process (both compute on the calling thread; outputs compared)
"$J" --add-modules jdk.incubator.vector -Dminnow.threads=1 -cp "$CP" dev.minnow.bench.cnn.OrtCompare --rounds 15 --warmup 40 --threads 1 \
  $CASES 2>&1 | grep -v WARNING | tee "$OUT/ort.txt"
# two threads: each engine alone in its own process (ORT's idle workers spin and took cores from Minnow in one process)
for e in minnow ort; do
  "$J" --add-modules jdk.incubator.vector -Dminnow.threads=2 -cp "$CP" dev.minnow.bench.cnn.OrtCompare --engine $e --rounds 15 --warmup 40 \
    --threads 2 $CASES 2>&1 | grep -v WARNING > "$OUT/ort-2t-$e.txt"
done
awk '$2 == 2 && $3 == "minnow" { m[$1] = $4; n[$1] = $6 } $2 == 2 && $3 == "ort" { o[$1] = $4; p[$1] = $6; k[++c] = $1 }
     END { printf "%-22s %7s %12s %12s %12s %12s %8s  (separate processes)\n", "model", "threads", "minnow med", "minnow min", "ort med", "ort min", "ratio";
           for (i = 1; i <= c; i++) printf "%-22s %7d %9.2f ms %9.2f ms %9.2f ms %9.2f ms %8.2f\n", k[i], 2, m[k[i]], n[k[i]], o[k[i]], p[k[i]], m[k[i]] / o[k[i]] }' \
  "$OUT/ort-2t-minnow.txt" "$OUT/ort-2t-ort.txt" | tee -a "$OUT/ort.txt"

log "light field"
LCP="cli/target/minnow-cli-0.1.0-SNAPSHOT.jar:$(ls cli/target/lib/*.jar | tr '\n' ':')"
for t in 1 2; do
  for mode in "" "--int8"; do
    "$J" --add-modules jdk.incubator.vector -Dminnow.threads=$t -cp "$LCP" dev.minnow.bench.cnn.LightFieldBench \
      tiny-400x300 small-400x300 --frames 10 $mode 2>&1 | grep -v WARNING | tee -a "$OUT/lightfield.txt"
  done
done
if [ "${PUBLISHED:-0}" = 1 ]; then
  for t in 1 2; do
    for mode in "" "--int8"; do
      "$J" --add-modules jdk.incubator.vector -Dminnow.threads=$t -cp "$LCP" dev.minnow.bench.cnn.LightFieldBench \
        llff-1008x756 blender-800x800 --frames 2 --warmup 1 $mode 2>&1 | grep -v WARNING | tee -a "$OUT/lightfield.txt"
    done
  done
fi
log "all done"
