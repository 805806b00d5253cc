# Sourced by the pinned bench scripts (after they set OUT): JAVA (default: the launcher's JDK 25), CP (default: the
# CLI jar and its libraries; the caller may set it first) and VOCAB (a llama-spm vocab GGUF) unless already set;
# TWO = two CPUs that are not SMT siblings (cpu0 and the first CPU on another core), P2 runs the JDK pinned to them,
# JV = the JVM options every bench uses, log() stamps a line into $OUT/log.txt; M runs the CLI unpinned, B runs the
# JDK pinned (P2), L the CLI pinned, each without the incubator-module warning.
if [ -z "${JAVA:-}" ]; then source scripts/java-home.sh; JAVA="$(minnow_java_home)/bin/java"; fi
CP=${CP:-"cli/target/minnow-cli-0.1.0-SNAPSHOT.jar:cli/target/lib/*"}
VOCAB=${VOCAB:-../shared/fixtures/tokenizer/ggml-vocab-llama-spm.gguf}
JV=(-XX:+UseParallelGC -XX:MaxNewSize=64m -XX:+UseCountedLoopSafepoints -XX:LoopStripMiningIter=1000 --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Dminnow.quiet=true)
log() { echo "== $* ($(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg))" | tee -a "$OUT/log.txt"; }
c0=$(cat /sys/devices/system/cpu/cpu0/topology/core_id); TWO=0
for c in $(seq 1 $(($(nproc --all) - 1))); do
  [ "$(cat /sys/devices/system/cpu/cpu$c/topology/core_id)" != "$c0" ] && { TWO="0,$c"; break; }
done
P2() { taskset -c "$TWO" "$JAVA" "${JV[@]}" "$@"; }
M() { "$JAVA" "${JV[@]}" -cp "$CP" dev.minnow.cli.Main "$@" 2>&1 | grep -v WARNING; }
B() { P2 "$@" 2>&1 | grep -v WARNING; }
L() { B -cp "$CP" dev.minnow.cli.Main "$@"; }
