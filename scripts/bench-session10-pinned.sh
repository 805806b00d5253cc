#!/usr/bin/env bash
# The session-10 lent-machine run (two pinned cores, most important first; everything goes to $OUT/all.txt):
#  0. the fixed-order lane sums and exp at 512 bits: LaneOrderProbe interpreted and C2-compiled must print the same
#     bits (LaneOrderTest's check, on AVX-512 hardware), then their cost: QuantBench GEMV with the jars from before
#     them (PREV, e.g. ".devjdk/minnow-prev/*") and after, alternating;
#  1. the issue's LLM table with the current defaults, Q4_0 and Q4_K_M, 1 and 2 threads;
#  2. CNN against ONNX Runtime's Python package, both with loop strip mining, 1 and 2 threads;
#  3. Q8_0 decode with row streams 1 / 2; the Q4_0/Q4_K row dots after the Q8_0 two-row kernel (session 9's split).
# Runs without Maven: JAVA, CP as in bench-session9-pinned.sh (CP with the bench test classes), PROBE_CP = the kernels
# and tensor test classes plus the JUnit jars (scripts/device-jdk.sh packs them into .devjdk/probe).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/minnow-s10}; mkdir -p "$OUT"
PY=${PY:-python3}
source scripts/two-cores.sh
exec > >(tee -a "$OUT/all.txt") 2>&1
log "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2), $(nproc) CPUs, avx512f: $(grep -c avx512f /proc/cpuinfo), cores $TWO"
SHAPE=(--dim 2048 --layers 22 --heads 32 --kv-heads 4 --ffn 5632 --vocab-from "$VOCAB")
D=/tmp/s10-cnn; mkdir -p "$D"
log "models: the ONNX files and the GGUF models, in parallel with step 0"
PIDS=()
for a in resnet18 mnasnet1_0 mobilenet_v3_small; do
  "$JAVA" "${JV[@]}" -cp "$CP" dev.minnow.bench.cnn.CnnOnnx $a 224 "$D/$a" >/dev/null 2>&1 || echo "CnnOnnx $a failed" &
  PIDS+=($!)
done
"$JAVA" "${JV[@]}" -cp "$CP" dev.minnow.bench.cnn.MobileNetV2Onnx 1.0 224 "$D/mobilenet_v2_1.0" >/dev/null 2>&1 || echo "MobileNetV2Onnx failed" &
PIDS+=($!)
M synth --arch llama "${SHAPE[@]}" --type q4_0 -o /tmp/s10-q4_0.gguf >"$OUT/prep-q4_0.txt" & PIDS+=($!)
( M synth --arch llama "${SHAPE[@]}" --type f16 -o /tmp/s10-f16.gguf >"$OUT/prep-f16.txt"
  M quantize /tmp/s10-f16.gguf /tmp/s10-q4_k_m.gguf Q4_K_M >>"$OUT/prep-f16.txt"; rm -f /tmp/s10-f16.gguf
  M synth --arch llama "${SHAPE[@]}" --type q8_0 -o /tmp/s10-q8_0.gguf >"$OUT/prep-q8_0.txt" ) &
PIDS+=($!)

log "0. LaneOrderProbe: interpreted against C2-compiled (the same flags as LaneOrderTest), on the spare cores"
PC="${PROBE_CP}:$CP"
"$JAVA" --add-modules jdk.incubator.vector -Xint -Dminnow.kernels=vector -Dminnow.quiet=true -cp "$PC" \
  dev.minnow.kernels.LaneOrderProbe 1 2>/dev/null | grep -v WARNING > "$OUT/probe-cold.txt"
"$JAVA" --add-modules jdk.incubator.vector -XX:-TieredCompilation -XX:-BackgroundCompilation -XX:CompileThreshold=100 \
  -XX:CompileCommand=quiet "-XX:CompileCommand=compileonly,dev.minnow.kernels.*::*" -Dminnow.kernels=vector -Dminnow.quiet=true \
  -cp "$PC" dev.minnow.kernels.LaneOrderProbe 1000 2>/dev/null | grep -v WARNING > "$OUT/probe-warm.txt"
head -1 "$OUT/probe-warm.txt"
echo "probe lines: $(wc -l < "$OUT/probe-cold.txt") cold, $(wc -l < "$OUT/probe-warm.txt") warm; differing: $(diff "$OUT/probe-cold.txt" "$OUT/probe-warm.txt" | grep -c '^<')"
diff "$OUT/probe-cold.txt" "$OUT/probe-warm.txt" | cut -c1-160 | head -8
wait "${PIDS[@]}"   # not a bare wait: it would also wait for the tee above
tail -qn1 "$OUT"/prep-*.txt
log "0b. GEMV before (prev) / after (new) the folds, 1 thread, alternating"
for r in 1 2; do for v in prev new; do
  if [ $v = prev ]; then C="$PREV"; else C="$CP"; fi
  echo -n "$v: "
  B -Dminnow.threads=1 -Dminnow.bench.gemm=false -Dminnow.bench.bandwidth=1 -Dminnow.bench.fmaPeak=1 -Dminnow.bench.shapes=5632x2048 \
    -cp "$C" dev.minnow.bench.quant.QuantBench 0.4 F32,F16,Q8_0,Q4_K,Q6_K | grep -E '^(F|Q)' | awk '{printf "%s %s  ", $1, $7}'; echo
done; done

log "1. LLM table, defaults"
for m in q4_0 q4_k_m; do L bench -m /tmp/s10-$m.gguf -p 128 -n 64 -r 2 -t 1,2 --bandwidth; done
CASES=""
for a in mobilenet_v2_1.0 mobilenet_v3_small mnasnet1_0 resnet18; do CASES="$CASES $a=$D/$a/model.onnx:$D/$a/input.npy"; done
log "2. CNN against ONNX Runtime (Python), pinned, 1 and 2 threads; Minnow with loop strip mining"
for t in 1 2; do taskset -c "$TWO" "$PY" scripts/ort_time.py $t 15 40 $CASES 2>&1; done
B -Dminnow.threads=2 -Dminnow.bench.warmupMaxS=5 -cp "$CP" dev.minnow.bench.cnn.OrtCompare --engine minnow --rounds 15 --warmup 40 --threads 1,2 $CASES
log "3. Q8_0 decode: row streams 1 (default) / 2 (minnow.rows.streams=2)"
for s in 1 2; do echo "q8_0 rows.streams=$s"
  B -Dminnow.rows.streams=$s -cp "$CP" dev.minnow.cli.Main bench -m /tmp/s10-q8_0.gguf -p 0 -n 32 -r 2 -t 1,2 | grep '|' | tail -2; done
log "3b. Q4_0/Q4_K row dots after a Q8_0 case with minnow.rows.streams=2 (session 8: 0.34/1.6 GB/s; per-format row methods since session 9)"
B -Dminnow.rows.streams=2 -Dminnow.bench.gemm=false -Dminnow.bench.streamBytes=1000000000 -Dminnow.bench.shapes=5632x2048 \
  -cp "$CP" dev.minnow.bench.quant.QuantBench 0.5 Q8_0,Q4_0,Q4_K
rm -rf "$D" /tmp/s10-*.gguf
log "done"
