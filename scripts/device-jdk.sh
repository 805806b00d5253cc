#!/usr/bin/env bash
# Packs a small Java 25 runtime plus Minnow's jars into .devjdk/ (git-ignored, < 64 MiB) for a machine without a JDK
# (the lent benchmark machine): jlink with the modules Minnow needs, minus the GUI libraries, libjvm stripped. Run
# `./minnow build` first (and the test classes: bench's go to .devjdk/bench-tests for scripts/bench-cnn-device.sh, the
# kernels' LaneOrderProbe to .devjdk/probe; the llama-spm vocab for the synth models to .devjdk/).
# On the other machine: .devjdk/bin/java -cp ".devjdk/minnow/*" dev.minnow.cli.Main ...
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/java-home.sh
JH="$(minnow_java_home)"
rm -rf .devjdk
"$JH/bin/jlink" --add-modules java.base,java.desktop,java.management,jdk.management,jdk.incubator.vector,jdk.unsupported,jdk.jfr,jdk.jcmd,jdk.attach \
  --strip-debug --no-header-files --no-man-pages --compress=zip-6 --output .devjdk
rm -f .devjdk/lib/libfontmanager.so .devjdk/lib/libawt_xawt.so .devjdk/lib/libsplashscreen.so .devjdk/lib/libjsound.so \
      .devjdk/lib/liblcms.so .devjdk/lib/libmlib_image.so .devjdk/lib/libjavajpeg.so .devjdk/lib/libawt_headless.so 2>/dev/null || true
strip --strip-unneeded .devjdk/lib/server/libjvm.so 2>/dev/null || true
mkdir -p .devjdk/minnow
cp cli/target/minnow-cli-0.1.0-SNAPSHOT.jar cli/target/lib/*.jar .devjdk/minnow/
if [ -d bench/target/test-classes/dev/minnow/bench/cnn ]; then mkdir -p .devjdk/bench-tests && cp -r bench/target/test-classes/dev .devjdk/bench-tests/; fi
cp ../shared/fixtures/tokenizer/ggml-vocab-llama-spm.gguf .devjdk/ 2>/dev/null || true
# the kernels' LaneOrderProbe (scripts/bench-session10-pinned.sh): the kernels and tensor test classes
if [ -f kernels/target/test-classes/dev/minnow/kernels/LaneOrderProbe.class ]; then
  mkdir -p .devjdk/probe/kernels .devjdk/probe/tensor
  cp -r kernels/target/test-classes/dev .devjdk/probe/kernels/ && cp -r tensor/target/test-classes/dev .devjdk/probe/tensor/
fi
du -sh .devjdk
