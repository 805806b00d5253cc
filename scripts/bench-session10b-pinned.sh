#!/usr/bin/env bash
# Session 10's second lent-machine run, after bench-session10-pinned.sh (same JAVA/CP/VOCAB; $OUT/all.txt):
#  1. Q8_0 decode, row streams 1 / 2, alternating twice (the first run: 4.79 → 6.73 tok/s at 1 thread, 8.47 → 13.34 at 2);
#  2. the k×k convolutions at 512 bits with loop strip mining (CnnAb, 1 thread): minnow.cnn.packedKxK off / from depth
#     1024 (the default below 512 bits) / on, ResNet18 (60 ms against ONNX Runtime's 25 in the first run) and
#     MobileNetV3-Small.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/minnow-s10b}; mkdir -p "$OUT"
source scripts/two-cores.sh
exec > >(tee -a "$OUT/all.txt") 2>&1
log "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2), $(nproc) CPUs, cores $TWO"
SHAPE=(--dim 2048 --layers 22 --heads 32 --kv-heads 4 --ffn 5632 --vocab-from "$VOCAB")
D=/tmp/s10b-cnn; mkdir -p "$D"
PIDS=()
for a in resnet18 mobilenet_v3_small; do
  "$JAVA" "${JV[@]}" -cp "$CP" dev.minnow.bench.cnn.CnnOnnx $a 224 "$D/$a" >/dev/null 2>&1 || echo "CnnOnnx $a failed" &
  PIDS+=($!)
done
M synth --arch llama "${SHAPE[@]}" --type q8_0 -o /tmp/s10b-q8_0.gguf >"$OUT/prep-q8_0.txt" & PIDS+=($!)
wait "${PIDS[@]}"
log "1. Q8_0 decode: row streams 1 / 2, alternating"
for r in 1 2; do for s in 1 2; do echo "q8_0 rows.streams=$s round $r"
  B -Dminnow.rows.streams=$s -cp "$CP" dev.minnow.cli.Main bench -m /tmp/s10b-q8_0.gguf -p 0 -n 32 -r 2 -t 1,2 | grep '|' | tail -2; done; done
rm -f /tmp/s10b-q8_0.gguf
log "2. packedKxK at 512 bits, 1 thread (ratio 1st/2nd > 1: the second is faster)"
B -Dminnow.threads=1 -cp "$CP" dev.minnow.bench.cnn.CnnAb --prop minnow.cnn.packedKxK --values false,deep:1024 --rounds 15 --warmup 30 \
  resnet18=$D/resnet18/model.onnx:$D/resnet18/input.npy
B -Dminnow.threads=1 -cp "$CP" dev.minnow.bench.cnn.CnnAb --prop minnow.cnn.packedKxK --values false,true --rounds 15 --warmup 30 \
  resnet18=$D/resnet18/model.onnx:$D/resnet18/input.npy mobilenet_v3_small=$D/mobilenet_v3_small/model.onnx:$D/mobilenet_v3_small/input.npy
rm -rf "$D"
log "done"
