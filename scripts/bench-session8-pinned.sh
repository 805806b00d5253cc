#!/usr/bin/env bash
# Session 8's figures on two pinned cores of the lent AVX-512 machine (BENCHMARKS.md), most important first:
#  1. decode with two memory streams per thread (minnow.panels.streams=2, opt-in) against one, alternating, Q4_0;
#  2. TinyLlama-shaped Q4_0 prefill/decode with the defaults (the issue's table);
#  3. quantized GEMV streamed from memory, one stream against two;
#  4. CNN switches at 512 bits, whole networks, old/new alternating in one process (CnnAb): minnow.cnn.packedKxK
#     (off by default at 512 bits until timed here) and minnow.cnn.packedPointwise;
#  5. CNN against ONNX Runtime's Python package (as scripts/bench-cnn-device.sh), default and with packedKxK on;
#  6. the sparse-decoding speed curve.
# Runs without Maven (JAVA, CP as in bench-decode-pinned.sh; CP must include the bench test classes for 4-5, e.g.
# ".devjdk/bench-tests:.devjdk/minnow/*"). About 9 minutes; everything goes to $OUT/all.txt. Its labels describe the
# defaults it ran under: since then two panel streams are the default at 512 bits and convKxK runs from depth 1024
# below 512 bits (scripts/bench-session9-pinned.sh is the next run).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/minnow-s8}; mkdir -p "$OUT"
PY=${PY:-python3}
source scripts/two-cores.sh
exec > >(tee -a "$OUT/all.txt") 2>&1
Q() { local o=(); while [[ "${1:-}" == -D* ]]; do o+=("$1"); shift; done
      B -Dminnow.bench.streamBytes=1000000000 -Dminnow.bench.gemm=false "${o[@]}" -cp "$CP" dev.minnow.bench.quant.QuantBench "$@"; }
log "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2), $(nproc) CPUs, avx512f: $(grep -c avx512f /proc/cpuinfo), cores $TWO"
"$JAVA" -version 2>&1 | head -1
SHAPE=(--dim 2048 --layers 22 --heads 32 --kv-heads 4 --ffn 5632 --vocab-from "$VOCAB")
D=/tmp/s8-cnn; mkdir -p "$D"
log "models: Q4_0 synth and the ONNX files, in parallel"
"$JAVA" "${JV[@]}" -cp "$CP" dev.minnow.cli.Main synth --arch llama "${SHAPE[@]}" --type q4_0 -o /tmp/s8-q4_0.gguf >"$OUT/prep.txt" 2>&1 &
PIDS=($!)
for a in resnet18 mnasnet1_0 mobilenet_v3_small; do
  "$JAVA" "${JV[@]}" -cp "$CP" dev.minnow.bench.cnn.CnnOnnx $a 224 "$D/$a" >/dev/null 2>&1 || echo "CnnOnnx $a failed" &
  PIDS+=($!)
done
"$JAVA" "${JV[@]}" -cp "$CP" dev.minnow.bench.cnn.MobileNetV2Onnx 1.0 224 "$D/mobilenet_v2_1.0" >/dev/null 2>&1 || echo "MobileNetV2Onnx failed" &
PIDS+=($!)
wait "${PIDS[@]}"   # not a bare wait: it would also wait for the tee above
tail -1 "$OUT/prep.txt"
CASES=""
for a in mobilenet_v2_1.0 mobilenet_v3_small mnasnet1_0 resnet18; do CASES="$CASES $a=$D/$a/model.onnx:$D/$a/input.npy"; done

log "1. Q4_0 decode: one stream (default) / two streams (minnow.panels.streams=2), alternating"
for r in 1 2; do
  for s in 1 2; do
    echo "streams=$s round $r"
    B -Dminnow.panels.streams=$s -cp "$CP" dev.minnow.cli.Main bench -m /tmp/s8-q4_0.gguf -p 0 -n 32 -r 2 -t 1,2 | grep '|' | tail -2
  done
done
log "2. LLM Q4_0, defaults"
L bench -m /tmp/s8-q4_0.gguf -p 128 -n 64 -r 2 -t 1,2 --bandwidth
log "3. quantized GEMV streamed from memory: one stream, then two"
Q -Dminnow.bench.shapes=5632x2048,32000x2048 0.5 Q8_0,Q4_0,Q4_K
Q -Dminnow.panels.streams=2 -Dminnow.bench.shapes=5632x2048,32000x2048 0.5 Q8_0,Q4_0,Q4_K
log "4. CNN switches at 512 bits, 1 thread, alternating (f/t > 1: true is faster)"
B -Dminnow.threads=1 -cp "$CP" dev.minnow.bench.cnn.CnnAb --prop minnow.cnn.packedKxK --rounds 15 --warmup 40 $CASES
B -Dminnow.threads=1 -cp "$CP" dev.minnow.bench.cnn.CnnAb --prop minnow.cnn.packedPointwise --rounds 15 --warmup 30 \
  mobilenet_v2_1.0=$D/mobilenet_v2_1.0/model.onnx:$D/mobilenet_v2_1.0/input.npy mnasnet1_0=$D/mnasnet1_0/model.onnx:$D/mnasnet1_0/input.npy
log "5. CNN against ONNX Runtime (Python), pinned, 1 and 2 threads"
for t in 1 2; do taskset -c "$TWO" "$PY" scripts/ort_time.py $t 15 40 $CASES 2>&1; done
B -Dminnow.threads=2 -Dminnow.bench.warmupMaxS=5 -cp "$CP" dev.minnow.bench.cnn.OrtCompare --engine minnow --rounds 15 --warmup 40 --threads 1,2 $CASES
echo "with minnow.cnn.packedKxK=true:"
B -Dminnow.threads=2 -Dminnow.cnn.packedKxK=true -Dminnow.bench.warmupMaxS=5 -cp "$CP" dev.minnow.bench.cnn.OrtCompare --engine minnow --rounds 15 --warmup 40 --threads 1,2 $CASES
log "6. sparse decoding speed curve (Q4_0)"
L sparsity-curve --speed-model /tmp/s8-q4_0.gguf -p 7 -n 16 -r 2 --speed-calib 7 --methods coreinfer-all,coreinfer,hot --keep 0.2,0.5,1.0
rm -rf "$D" /tmp/s8-q4_0.gguf
log "done"
