#!/usr/bin/env bash
# Session 5's decode figures (BENCHMARKS.md): quantized GEMV rows incl. the 16-row panels, streamed from memory, and
# TinyLlama-shaped decode/prefill with the panels on and off, all pinned to two physical cores of a bigger machine.
# Runs without Maven on a JDK >= 25 (JAVA=..., default the launcher's; scripts/device-jdk.sh packs one with the jars
# as .devjdk/, then CP=".devjdk/minnow/*"). VOCAB: a llama-spm vocab GGUF. About 5 minutes; output in $OUT.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/minnow-decode}; mkdir -p "$OUT"
source scripts/two-cores.sh
SHAPE=(--dim 2048 --layers 22 --heads 32 --kv-heads 4 --ffn 5632 --vocab-from "$VOCAB")
log "models (background): Q4_0 synth; F16 synth quantized to Q4_K_M"
( M synth --arch llama "${SHAPE[@]}" --type q4_0 -o /tmp/md-q4_0.gguf >"$OUT/synth.txt"
  M synth --arch llama "${SHAPE[@]}" --type f16 -o /tmp/md-f16.gguf >>"$OUT/synth.txt"
  M quantize /tmp/md-f16.gguf /tmp/md-q4_k_m.gguf Q4_K_M >>"$OUT/synth.txt"; rm -f /tmp/md-f16.gguf ) &
BG=$!
log "quantized GEMV, streamed from memory, cores $TWO"
P2 -Dminnow.bench.gemm=false -Dminnow.bench.streamBytes=1000000000 -cp "$CP" dev.minnow.bench.quant.QuantBench 0.6 Q8_0,Q4_0,Q4_K,Q6_K 2>&1 \
  | grep -v WARNING | tee "$OUT/quant-2c.txt"
wait $BG; tail -3 "$OUT/synth.txt"
for m in q4_0 q4_k_m; do
  [ -f /tmp/md-$m.gguf ] || continue
  t=1,2; [ $m = q4_k_m ] && t=2
  log "LLM $m, panels on"
  P2 -cp "$CP" dev.minnow.cli.Main bench -m /tmp/md-$m.gguf -p 128 -n 64 -r 2 -t $t --bandwidth 2>&1 | grep -v WARNING | tee "$OUT/llm-$m.txt"
  if [ $m = q4_0 ]; then
    log "LLM $m, prefill through dequantized tiles (-Dminnow.prefill.packed=false)"
    P2 -Dminnow.prefill.packed=false -cp "$CP" dev.minnow.cli.Main bench -m /tmp/md-$m.gguf -p 128 -n 0 -r 2 -t 2 2>&1 | grep -v WARNING | tee "$OUT/llm-$m-tiles.txt"
  fi
  log "LLM $m, panels off (-Dminnow.decode.panels=false)"
  P2 -Dminnow.decode.panels=false -cp "$CP" dev.minnow.cli.Main bench -m /tmp/md-$m.gguf -p 0 -n 32 -r 2 -t $t 2>&1 | grep -v WARNING | tee "$OUT/llm-$m-nopanels.txt"
done
rm -f /tmp/md-q4_0.gguf /tmp/md-q4_k_m.gguf
log "done"
