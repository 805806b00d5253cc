#!/usr/bin/env python3
"""ONNX Runtime (Python, CPU execution provider) latency on the same ONNX files as OrtCompare --engine minnow:
ort_time.py THREADS ROUNDS WARMUP name=model.onnx:input.npy ... -> one line per case: name threads ort median min (ms).
Used by scripts/bench-cnn-device.sh where the Java ONNX Runtime jar cannot travel (the lent machine has the Python one)."""
import sys, time
import numpy as np
import onnxruntime as ort

threads, rounds, warmup = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
print(f"onnxruntime {ort.__version__} (Python), CPUExecutionProvider, intra_op {threads}, inter_op 1")
for case in sys.argv[4:]:
    name, rest = case.split("=", 1)
    model, inp = rest.split(":")
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    s = ort.InferenceSession(model, so, providers=["CPUExecutionProvider"])
    x = np.load(inp).astype(np.float32)
    feed = {s.get_inputs()[0].name: x}
    for _ in range(warmup):
        s.run(None, feed)
    t = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        s.run(None, feed)
        t.append((time.perf_counter() - t0) * 1e3)
    t.sort()
    print(f"{name:<22} {threads:7d} {'ort':<7} {t[len(t) // 2]:9.2f} ms {t[0]:9.2f} ms")
