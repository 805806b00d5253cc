# Sourced by the pinned bench scripts: TWO = two CPUs that are not SMT siblings (cpu0 and the first CPU on another
# core), P2 runs the JDK pinned to them, JV = the JVM options every bench uses, log() stamps a line into $OUT/log.txt.
JV=(-XX:+UseParallelGC -XX:MaxNewSize=64m --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Dminnow.quiet=true)
log() { echo "== $* ($(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg))" | tee -a "$OUT/log.txt"; }
c0=$(cat /sys/devices/system/cpu/cpu0/topology/core_id); TWO=0
for c in $(seq 1 $(($(nproc --all) - 1))); do
  [ "$(cat /sys/devices/system/cpu/cpu$c/topology/core_id)" != "$c0" ] && { TWO="0,$c"; break; }
done
P2() { taskset -c "$TWO" "$JAVA" "${JV[@]}" "$@"; }
