#!/usr/bin/env bash
# The next lent-machine run, prepared in session 10 (two pinned cores; everything goes to $OUT/all.txt):
#  1. the quantization issue's GEMV table again, with QuantBench's new warm-up (at least 2.5 s a case, then while calls
#     still allocate): session 10 found that the short one timed code C2 had not finished compiling, so the Xeon's
#     percentages so far (Q4_0 panels 41-55%, Q8_0 45-48%, Q4_K panels 28-33%) may be low. Weights streamed from 1 GB
#     of copies, 1 and 2 threads;
#  2. the issue's LLM table with the defaults (Q8_0 rows now two streams at 512 bits), Q4_0, Q4_K_M and Q8_0.
# Preparation as for bench-session10-pinned.sh (./minnow build, scripts/device-jdk.sh, carry .devjdk); runs without
# Maven: JAVA=.devjdk/bin/java CP=".devjdk/minnow/*" VOCAB=.devjdk/ggml-vocab-llama-spm.gguf. About 8 minutes.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/minnow-s11}; mkdir -p "$OUT"
source scripts/two-cores.sh
exec > >(tee -a "$OUT/all.txt") 2>&1
log "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2), $(nproc) CPUs, avx512f: $(grep -c avx512f /proc/cpuinfo), cores $TWO"
SHAPE=(--dim 2048 --layers 22 --heads 32 --kv-heads 4 --ffn 5632 --vocab-from "$VOCAB")
PIDS=()
for t in q4_0 q8_0; do M synth --arch llama "${SHAPE[@]}" --type $t -o /tmp/s11-$t.gguf >"$OUT/prep-$t.txt" & PIDS+=($!); done
( M synth --arch llama "${SHAPE[@]}" --type f16 -o /tmp/s11-f16.gguf >"$OUT/prep-f16.txt"
  M quantize /tmp/s11-f16.gguf /tmp/s11-q4_k_m.gguf Q4_K_M >>"$OUT/prep-f16.txt"; rm -f /tmp/s11-f16.gguf ) &
PIDS+=($!)
wait "${PIDS[@]}"   # not a bare wait: it would also wait for the tee above
tail -qn1 "$OUT"/prep-*.txt
log "1. GEMV table (QuantBench 1.0, weights streamed, 2 pinned cores)"
B -Dminnow.threads=2 -Dminnow.bench.gemm=false -Dminnow.bench.streamBytes=1000000000 -cp "$CP" dev.minnow.bench.quant.QuantBench 1.0 \
  F32,F16,Q8_0,Q4_0,Q4_K,Q6_K
log "2. LLM table, defaults"
for m in q4_0 q4_k_m q8_0; do L bench -m /tmp/s11-$m.gguf -p 128 -n 64 -r 2 -t 1,2 --bandwidth; done
rm -f /tmp/s11-*.gguf
log "done"
