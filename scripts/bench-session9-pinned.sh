#!/usr/bin/env bash
# The next lent-machine run, prepared in session 8 (BENCHMARKS.md, "Session 8"; two pinned cores, most important first):
#  1. CNN against ONNX Runtime's Python package with loop strip mining (the JV flags of two-cores.sh; every earlier
#     Xeon CNN figure ran without it), and the convKxK default below 512 bits (from depth 1024) tried at 512 bits;
#  2. the issue's LLM table with the current defaults (two panel streams at 512 bits), Q4_0 and Q4_K_M, 1 and 2 threads;
#  3. F16 decode with two streams (minnow.f16.streams=2, opt-in at 512 bits) against one, alternating;
#  4. Q8_0 decode with its row streams (minnow.rows.streams=2, opt-in) against one;
#  5. (session 9) the Q4_0/Q4_K row dots in the same process after the Q8_0 two-row kernel, now one method per format.
# Runs without Maven (JAVA, CP as in bench-decode-pinned.sh; CP must include the bench test classes for 1, e.g.
# ".devjdk/bench-tests:.devjdk/minnow/*"). About 9 minutes; everything goes to $OUT/all.txt.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/minnow-s9}; mkdir -p "$OUT"
PY=${PY:-python3}
source scripts/two-cores.sh
exec > >(tee -a "$OUT/all.txt") 2>&1
log "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2), $(nproc) CPUs, avx512f: $(grep -c avx512f /proc/cpuinfo), cores $TWO"
echo "JVM options: ${JV[*]}"
SHAPE=(--dim 2048 --layers 22 --heads 32 --kv-heads 4 --ffn 5632 --vocab-from "$VOCAB")
D=/tmp/s9-cnn; mkdir -p "$D"
log "models: the ONNX files and the GGUF models, in parallel"
PIDS=()
for a in resnet18 mnasnet1_0 mobilenet_v3_small; do
  "$JAVA" "${JV[@]}" -cp "$CP" dev.minnow.bench.cnn.CnnOnnx $a 224 "$D/$a" >/dev/null 2>&1 || echo "CnnOnnx $a failed" &
  PIDS+=($!)
done
"$JAVA" "${JV[@]}" -cp "$CP" dev.minnow.bench.cnn.MobileNetV2Onnx 1.0 224 "$D/mobilenet_v2_1.0" >/dev/null 2>&1 || echo "MobileNetV2Onnx failed" &
PIDS+=($!)
for t in q4_0 q8_0; do M synth --arch llama "${SHAPE[@]}" --type $t -o /tmp/s9-$t.gguf >"$OUT/prep-$t.txt" & PIDS+=($!); done
( M synth --arch llama "${SHAPE[@]}" --type f16 -o /tmp/s9-f16.gguf >"$OUT/prep-f16.txt"
  M quantize /tmp/s9-f16.gguf /tmp/s9-q4_k_m.gguf Q4_K_M >>"$OUT/prep-f16.txt" ) &
PIDS+=($!)
wait "${PIDS[@]}"   # not a bare wait: it would also wait for the tee above
tail -qn1 "$OUT"/prep-*.txt
CASES=""
for a in mobilenet_v2_1.0 mobilenet_v3_small mnasnet1_0 resnet18; do CASES="$CASES $a=$D/$a/model.onnx:$D/$a/input.npy"; done

log "1. CNN against ONNX Runtime (Python), pinned, 1 and 2 threads; Minnow with loop strip mining"
for t in 1 2; do taskset -c "$TWO" "$PY" scripts/ort_time.py $t 15 40 $CASES 2>&1; done
B -Dminnow.threads=2 -Dminnow.bench.warmupMaxS=5 -cp "$CP" dev.minnow.bench.cnn.OrtCompare --engine minnow --rounds 15 --warmup 40 --threads 1,2 $CASES
log "1b. convKxK at 512 bits, 1 thread, alternating (1st/2nd > 1: the second is faster)"
B -Dminnow.threads=1 -cp "$CP" dev.minnow.bench.cnn.CnnAb --prop minnow.cnn.packedKxK --values false,deep:1024 --rounds 15 --warmup 30 $CASES
B -Dminnow.threads=1 -cp "$CP" dev.minnow.bench.cnn.CnnAb --prop minnow.cnn.packedKxK --values false,true --rounds 15 --warmup 30 \
  resnet18=$D/resnet18/model.onnx:$D/resnet18/input.npy
log "2. LLM table, defaults"
for m in q4_0 q4_k_m; do L bench -m /tmp/s9-$m.gguf -p 128 -n 64 -r 2 -t 1,2 --bandwidth; done
log "3. F16 decode: one stream (default at 512 bits) / two (minnow.f16.streams=2), alternating"
for r in 1 2; do for s in 1 2; do echo "f16 streams=$s round $r"
  B -Dminnow.f16.streams=$s -cp "$CP" dev.minnow.cli.Main bench -m /tmp/s9-f16.gguf -p 0 -n 16 -r 2 -t 1,2 | grep '|' | tail -2; done; done
log "4. Q8_0 decode: row streams 1 (default) / 2 (minnow.rows.streams=2)"
for s in 1 2; do echo "q8_0 rows.streams=$s"
  B -Dminnow.rows.streams=$s -cp "$CP" dev.minnow.cli.Main bench -m /tmp/s9-q8_0.gguf -p 0 -n 32 -r 2 -t 1,2 | grep '|' | tail -2; done
rm -rf "$D" /tmp/s9-*.gguf
log "5. Q4_0/Q4_K row dots after a Q8_0 case with minnow.rows.streams=2 (session 8: 0.34/1.6 GB/s; per-format row methods since session 9)"
B -Dminnow.rows.streams=2 -Dminnow.bench.gemm=false -Dminnow.bench.streamBytes=1000000000 -Dminnow.bench.shapes=5632x2048 \
  -cp "$CP" dev.minnow.bench.quant.QuantBench 0.5 Q8_0,Q4_0,Q4_K
log "done"
