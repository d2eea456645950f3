#!/usr/bin/python3
"""numpy (OpenBLAS) sgemm GFLOP/s at the sizes of rnn4j's GEMM benchmark: the yardstick.

What it is: C = A @ B in float32 for square 256..2048 and the recurrent-layer shapes
(m x n x k), timed best-of and median over repeated calls, with the BLAS thread count pinned
(default 2, --threads N). It prints which BLAS library and kernel (core type) numpy runs.
What it is not: a test; nothing here asserts. It does not install anything.

Run it as the issue asks (Debian numpy picks OpenBLAS once libopenblas0-pthread is installed; the
machine preset OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE slow it down, so unset both for this command only):
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 tools/bench/sgemm_numpy.py --threads 2
"""
import argparse
import os
import statistics
import sys
import time

# Thread count must be fixed before numpy loads OpenBLAS.
ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--seconds", type=float, default=2.0, help="time budget per shape")
ap.add_argument("--shapes", default="256,512,1024,2048,64x1024x256,32x256x64,128x2048x512,6400x1024x256",
                help="comma-separated N (square) or MxNxK")
args = ap.parse_args()
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)

import numpy as np  # noqa: E402

def blas_info():
    try:
        from threadpoolctl import threadpool_info
        return [{k: d.get(k) for k in ("internal_api", "version", "architecture", "num_threads", "filepath")}
                for d in threadpool_info()]
    except ImportError:
        np.show_config()
        return "threadpoolctl not installed; see numpy.show_config() above"

def shape(s):
    d = [int(x) for x in s.split("x")]
    return (d[0], d[0], d[0]) if len(d) == 1 else tuple(d)

print(f"numpy {np.__version__}, python {sys.version.split()[0]}")
print(f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE')} OPENBLAS_L2_SIZE={os.environ.get('OPENBLAS_L2_SIZE')}")
print("BLAS:", blas_info())
rng = np.random.default_rng(1)
print(f"{'shape (m x n x k)':>20} {'best GFLOP/s':>13} {'median':>8} {'reps':>6}")
for s in args.shapes.split(","):
    m, n, k = shape(s)
    a = rng.standard_normal((m, k), dtype=np.float32)
    b = rng.standard_normal((k, n), dtype=np.float32)
    c = np.empty((m, n), dtype=np.float32)
    flops = 2.0 * m * n * k
    for _ in range(3):
        np.matmul(a, b, out=c)  # warm-up; out= reuses C (no fresh pages per call)
    times = []
    end = time.perf_counter() + args.seconds
    while time.perf_counter() < end or len(times) < 5:
        t0 = time.perf_counter()
        np.matmul(a, b, out=c)
        times.append(time.perf_counter() - t0)
    print(f"{m:>6}x{n}x{k:<8} {flops / min(times) / 1e9:>13.1f} {flops / statistics.median(times) / 1e9:>8.1f} {len(times):>6}")
