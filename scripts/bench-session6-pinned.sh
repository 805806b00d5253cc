#!/usr/bin/env bash
# Session 6's figures on two pinned cores (BENCHMARKS.md), most important first: TinyLlama-shaped Q4_0 prefill/decode;
# quantized GEMV streamed from memory with the decode kernels' defaults and with two memory streams per thread
# (minnow.panels.streams=2, opt-in); the sparse-decoding speed curve; Q4_K_M (llama.cpp's mix, made by minnow quantize);
# the Q4_0 decode A/B of the streams (the run of 05:34 UTC had two streams on by default, see BENCHMARKS.md);
# a 5-token prompt; the density probe.
# Runs without Maven on a JDK >= 25 (JAVA, CP, VOCAB as in bench-decode-pinned.sh). About 7 minutes.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/minnow-s6}; mkdir -p "$OUT"
source scripts/two-cores.sh
# QuantBench streamed from memory; leading -D options go to the JVM (before the class name), the rest to the bench
Q() { local o=(); while [[ "${1:-}" == -D* ]]; do o+=("$1"); shift; done
      B -Dminnow.bench.streamBytes=1000000000 "${o[@]}" -cp "$CP" dev.minnow.bench.quant.QuantBench "$@"; }
SHAPE=(--dim 2048 --layers 22 --heads 32 --kv-heads 4 --ffn 5632 --vocab-from "$VOCAB")
M synth --arch llama "${SHAPE[@]}" --type q4_0 -o /tmp/s6-q4_0.gguf | tail -1
log "models (background): F16 synth quantized to Q4_K_M"
( M synth --arch llama "${SHAPE[@]}" --type f16 -o /tmp/s6-f16.gguf >"$OUT/synth.txt"
  M quantize /tmp/s6-f16.gguf /tmp/s6-q4_k_m.gguf Q4_K_M >>"$OUT/synth.txt"; rm -f /tmp/s6-f16.gguf ) &
BG=$!
log "LLM Q4_0, cores $TWO"
L bench -m /tmp/s6-q4_0.gguf -p 128 -n 64 -r 2 -t 1,2 --bandwidth
log "quantized GEMV streamed from memory, defaults"
Q -Dminnow.bench.gemm=false 0.6 Q8_0,Q4_0,Q4_K,Q6_K
log "quantized GEMV streamed from memory, two streams per thread (minnow.panels.streams=2, opt-in)"
Q -Dminnow.panels.streams=2 -Dminnow.bench.gemm=false -Dminnow.bench.shapes=5632x2048,32000x2048 0.6 Q8_0,Q4_0,Q4_K,Q6_K
log "sparse decoding speed curve (Q4_0)"
L sparsity-curve --speed-model /tmp/s6-q4_0.gguf -p 7 -n 16 -r 2 --speed-calib 7 --methods coreinfer-all,coreinfer,hot --keep 0.2,0.5,1.0
wait $BG; grep -v "^$" "$OUT/synth.txt" | tail -3
for m in q4_k_m; do
  [ -f /tmp/s6-$m.gguf ] || continue
  log "LLM $m"
  L bench -m /tmp/s6-$m.gguf -p 128 -n 64 -r 2 -t 2 --bandwidth
done
for m in q4_0; do
  log "LLM $m decode: two streams (minnow.panels.streams=2), then the default again"
  B -Dminnow.panels.streams=2 -cp "$CP" dev.minnow.cli.Main bench -m /tmp/s6-$m.gguf -p 0 -n 32 -r 2 -t 2 | tail -1
  L bench -m /tmp/s6-$m.gguf -p 0 -n 32 -r 2 -t 2 | tail -1
done
log "LLM Q4_0, a 5-token prompt: one decode GEMV per row (default), then the integer GEMM (minnow.prefill.smallBatchPanels=false)"
L bench -m /tmp/s6-q4_0.gguf -p 5 -n 0 -r 3 -t 2 | tail -1
B -Dminnow.prefill.smallBatchPanels=false -cp "$CP" dev.minnow.cli.Main bench -m /tmp/s6-q4_0.gguf -p 5 -n 0 -r 3 -t 2 | tail -1
log "read bandwidth against compute density"
B -cp "$CP" dev.minnow.bench.quant.DensityBench 1000000000
rm -f /tmp/s6-*.gguf
log "done"
