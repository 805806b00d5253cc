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
  ./minnow bench -m "$f" -p 128 -n 64 -r 3 -t 1,2 --bandwidth | tee "$OUT/llm-$m.txt"
done
log "done"
