#!/usr/bin/env bash
# Session 6's decode-kernel figures (BENCHMARKS.md): read bandwidth against compute density (DensityBench), and the
# panel kernels' two ways of reading a 4-bit level (minnow.panels.levels=convert|exponent) on GEMV rows streamed from
# memory and on TinyLlama-shaped Q4_0 decode, alternating, all pinned to two physical cores. Runs without Maven on a
# JDK >= 25 (JAVA, CP and VOCAB as in bench-decode-pinned.sh). About 4 minutes; output in $OUT.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/minnow-levels}; mkdir -p "$OUT"
source scripts/two-cores.sh
log "model (background): TinyLlama-shaped Q4_0 synth"
( M synth --arch llama --dim 2048 --layers 22 --heads 32 --kv-heads 4 --ffn 5632 --vocab-from "$VOCAB" --type q4_0 \
    -o /tmp/ml-q4_0.gguf >"$OUT/synth.txt" ) &
BG=$!
log "read bandwidth against compute density, cores $TWO"
P2 -cp "$CP" dev.minnow.bench.quant.DensityBench 1000000000 2>&1 | grep -v WARNING | tee "$OUT/density.txt"
for lv in convert exponent; do
  log "quantized GEMV streamed from memory, minnow.panels.levels=$lv"
  P2 -Dminnow.panels.levels=$lv -Dminnow.bench.gemm=false -Dminnow.bench.streamBytes=1000000000 -cp "$CP" \
    dev.minnow.bench.quant.QuantBench 0.6 Q4_0,Q4_K 2>&1 | grep -v WARNING | tee "$OUT/quant-$lv.txt"
done
wait $BG; tail -2 "$OUT/synth.txt"
for lv in convert exponent convert exponent; do
  log "LLM Q4_0 decode, minnow.panels.levels=$lv"
  P2 -Dminnow.panels.levels=$lv -cp "$CP" dev.minnow.cli.Main bench -m /tmp/ml-q4_0.gguf -p 0 -n 32 -r 2 -t 1,2 2>&1 \
    | grep -v WARNING | tee -a "$OUT/llm-$lv.txt"
done
rm -f /tmp/ml-q4_0.gguf
log "done"
