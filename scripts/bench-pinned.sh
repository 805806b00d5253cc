#!/usr/bin/env bash
# The "two cores of an AVX-512 Xeon" figures of BENCHMARKS.md (session 4): Minnow's benches pinned to two physical
# cores of a bigger machine (the issues' 2-vCPU class), then on all its cores. Needs the built jars (./minnow build)
# and a JDK >= 25 (JAVA=/path/to/bin/java, default: the launcher's). No Maven, no network. About 8 minutes; output in $OUT.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/minnow-pinned}; mkdir -p "$OUT"
CP=
source scripts/two-cores.sh
ALL() { "$JAVA" "${JV[@]}" "$@"; }
{ lscpu; grep -m1 '^flags' /proc/cpuinfo; echo "two cores: $TWO"; } >"$OUT/cpu.txt" 2>&1

log "kernels, cores $TWO"
P2 -cp "$CP" dev.minnow.cli.Main bench kernels 2>&1 | grep -v WARNING | tee "$OUT/kernels-2c.txt"
log "GEMM micro-kernels and blocking"
for cfg in "-Dminnow.gemm.micro=prebroadcast6" "-Dminnow.gemm.micro=broadcast6" "-Dminnow.gemm.micro=broadcast12" \
           "-Dminnow.gemm.micro=broadcast12 -Dminnow.gemm.mc=96" "-Dminnow.gemm.micro=broadcast12 -Dminnow.gemm.mc=192" \
           "-Dminnow.gemm.micro=broadcast12 -Dminnow.gemm.kc=192" "-Dminnow.vectorBits=256"; do
  echo "## $cfg" | tee -a "$OUT/gemm-2c.txt"
  P2 $cfg -cp "$CP" dev.minnow.cli.Main bench gemm 2>&1 | grep -E "^(kernels|probe|gemm)" | tee -a "$OUT/gemm-2c.txt"
done
log "LLM (TinyLlama-shaped Q4_0, random weights)"
ALL -cp "$CP" dev.minnow.cli.Main synth --arch llama --dim 2048 --layers 22 --heads 32 --kv-heads 4 --ffn 5632 \
  --vocab-from "$VOCAB" --type q4_0 -o /tmp/minnow-pinned-q4_0.gguf 2>&1 | grep -v WARNING
P2 -cp "$CP" dev.minnow.cli.Main bench -m /tmp/minnow-pinned-q4_0.gguf -p 128 -n 64 -r 2 -t 1,2 --bandwidth 2>&1 | grep -v WARNING | tee "$OUT/llm-2c.txt"
log "quantized GEMV/GEMM"
P2 -cp "$CP" dev.minnow.cli.Main bench quant 2>&1 | grep -v WARNING | tee "$OUT/quant-2c.txt"
log "light field"
for o in "-Dminnow.pointwise.epilogue=leaf" "-Dminnow.pointwise.epilogue=inline" "-Dminnow.vectorBits=256"; do
  echo "## $o" | tee -a "$OUT/lightfield-2c.txt"
  P2 $o -cp "$CP" dev.minnow.bench.cnn.LightFieldBench tiny-400x300 --frames 10 2>&1 | grep -v WARNING | tee -a "$OUT/lightfield-2c.txt"
done
for o in "-Dminnow.vectorBits=512" "-Dminnow.vectorBits=256"; do
  echo "## $o" | tee -a "$OUT/lightfield-2c.txt"
  P2 $o -cp "$CP" dev.minnow.bench.cnn.LightFieldBench llff-1008x756 --frames 2 --warmup 1 2>&1 | grep -v WARNING | tee -a "$OUT/lightfield-2c.txt"
done
log "all cores"
ALL -cp "$CP" dev.minnow.cli.Main bench kernels 2>&1 | grep -v WARNING | tee "$OUT/kernels-all.txt"
ALL -cp "$CP" dev.minnow.cli.Main bench -m /tmp/minnow-pinned-q4_0.gguf -p 128 -n 64 -r 2 -t 4,8,16 --bandwidth 2>&1 | grep -v WARNING | tee "$OUT/llm-all.txt"
rm -f /tmp/minnow-pinned-q4_0.gguf
log "done"
