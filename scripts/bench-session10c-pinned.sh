#!/usr/bin/env bash
# Session 10's third lent-machine run: TinyLlama-shaped Q4_0 decode with the jars from before the fixed-order lane
# sums and exp (PREV) and after (CP), alternating twice, 2 pinned cores (the first run's 11.7 / 21.7 tok/s were below
# session 8's 15.6-16.0 / 27.8-29.6 on another machine instance). Same JAVA/CP/VOCAB as bench-session10-pinned.sh.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/minnow-s10c}; mkdir -p "$OUT"
source scripts/two-cores.sh
exec > >(tee -a "$OUT/all.txt") 2>&1
log "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2), $(nproc) CPUs, cores $TWO"
M synth --arch llama --dim 2048 --layers 22 --heads 32 --kv-heads 4 --ffn 5632 --vocab-from "$VOCAB" --type q4_0 -o /tmp/s10c-q4_0.gguf | tail -1
for r in 1 2; do for v in prev new; do
  if [ $v = prev ]; then C="$PREV"; else C="$CP"; fi
  echo "$v round $r"
  B -cp "$C" dev.minnow.cli.Main bench -m /tmp/s10c-q4_0.gguf -p 0 -n 64 -r 2 -t 1,2 --bandwidth | grep '|' | tail -2
done; done
rm -f /tmp/s10c-q4_0.gguf
log "done"
