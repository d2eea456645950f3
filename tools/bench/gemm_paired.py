#!/usr/bin/python3
"""rnn4j's GEMM against numpy's (OpenBLAS) sgemm, alternated in short bursts: the paired ratio.

What it is: one Python process holds numpy warm, one JVM (tools/bench/GemmBurst.java) holds
rnn4j's kernels warm; for each shape they take turns, a burst of about --burst seconds each,
--rounds times, with a pause between bursts so that the other side's idle BLAS threads park
first. Each round gives both GFLOP/s a fraction of a second apart, so their ratio is measured in
the same machine state; it prints the median of the per-round ratios (with p25 / p75) and each
side's median and best. On these shared VMs a side's speed moves by 1.5x within minutes, which
separate runs (sgemm_numpy.py, then the JMH GemmBench) cannot tell from a real difference.
With --ceiling RNN4J_BENCH_JAR each round also takes a burst of rnn4j-bench's FmaPeak (fused
multiply-adds on registers, as many threads: the most any sgemm could reach at that moment) and
the table gives each side's median share of it.
What it is not: a test (nothing asserts), nor a replacement for the JMH benchmark.

Run it with the OpenBLAS preset unset for this command only (see sgemm_numpy.py):
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 tools/bench/gemm_paired.py \
        --jar rnn4j-core/target/rnn4j-core-0.1.0-SNAPSHOT.jar --threads 2 --shapes 1024,2048
"""
import argparse
import os
import statistics
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("--jar", required=True, help="the rnn4j-core jar")
ap.add_argument("--java", default=os.path.join(os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"),
                                                "bin", "java"))
ap.add_argument("--java-opts", default="", help="extra JVM options, space-separated")
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--shapes", default="1024,2048", help="comma-separated N (square) or MxNxK")
ap.add_argument("--rounds", type=int, default=15)
ap.add_argument("--burst", type=float, default=0.4, help="seconds per burst")
ap.add_argument("--verbose", action="store_true", help="print every round")
ap.add_argument("--ceiling", metavar="RNN4J_BENCH_JAR", default=None,
                help="each round also takes a burst of io.github.rnn4j.bench.FmaPeak from this rnn4j-bench.jar "
                     "(register-only FMAs on --threads threads: the machine's ceiling at that moment) and the table "
                     "gives each side's median share of it")
ap.add_argument("--pause", type=float, default=0.25,
                help="seconds between bursts (OpenBLAS's idle threads spin for about 0.1 s after a call)")
args = ap.parse_args()
if args.ceiling and not os.path.isfile(args.ceiling):
    sys.exit(f"--ceiling: no file {args.ceiling} (the rnn4j-bench jar: mvn -Pbench -pl rnn4j-bench -am package)")
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)

import numpy as np  # noqa: E402  (after the thread count is fixed)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from warm_jvm import Ceiling, WarmJvm  # noqa: E402

here = os.path.dirname(os.path.abspath(__file__))
rnn4j = WarmJvm([*args.java_opts.split(), f"-Drnn4j.threads={args.threads}", "-cp", args.jar,
                 os.path.join(here, "GemmBurst.java")], "gemm_paired: the rnn4j side (GemmBurst)", java=args.java)


def rnn4j_burst(m, n, k, seconds):
    calls, ns = rnn4j.ask(f"{m} {n} {k} {seconds}")
    return 2.0 * m * n * k * int(calls) / int(ns)


def numpy_burst(a, b, c, seconds):
    calls, t0 = 0, time.perf_counter()
    while True:
        np.matmul(a, b, out=c)
        calls += 1
        t = time.perf_counter() - t0
        if t >= seconds:
            return 2.0 * a.shape[0] * b.shape[1] * a.shape[1] * calls / t / 1e9


def shape(s):
    d = [int(x) for x in s.split("x")]
    return (d[0], d[0], d[0]) if len(d) == 1 else tuple(d)


def quartiles(xs):
    q = statistics.quantiles(xs, n=4, method="inclusive") if len(xs) > 1 else [xs[0]] * 3
    return q[0], statistics.median(xs), q[2]


print("rnn4j:", rnn4j.ready)
print(f"numpy {np.__version__}, python {sys.version.split()[0]}, {args.threads} thread(s); "
      f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE')} OPENBLAS_L2_SIZE={os.environ.get('OPENBLAS_L2_SIZE')}")
print(f"{args.rounds} rounds of a {args.burst} s burst each, alternated, {args.pause} s apart; GFLOP/s")
ceiling = Ceiling(args.ceiling, args.threads) if args.ceiling else None
if ceiling:
    print(f"ceiling: FmaPeak ({ceiling.ready}: threads, lanes), a burst after each round's pair; 'of ceiling' = "
          "median over the rounds of each side's GFLOP/s / the round's ceiling")
extra = f" {'ceiling':>8} {'rnn4j of':>9} {'OpenBLAS of':>12}" if ceiling else ""
print(f"{'shape (m x n x k)':>20} {'rnn4j med':>10} {'best':>7} {'OpenBLAS med':>13} {'best':>7}{extra}"
      f" {'ratio rnn4j/OpenBLAS: median (p25, p75) of rounds':>52}")
rng = np.random.default_rng(1)
for s in args.shapes.split(","):
    m, n, k = shape(s)
    a = rng.standard_normal((m, k), dtype=np.float32)
    b = rng.standard_normal((k, n), dtype=np.float32)
    c = np.empty((m, n), dtype=np.float32)
    numpy_burst(a, b, c, 1.0)          # warm-up: both sides about a second
    rnn4j_burst(m, n, k, 1.5)
    ours, theirs, ratios, ceil = [], [], [], []
    for r in range(args.rounds):
        # alternate which side goes first, so neither always follows the other's idle threads
        if r % 2 == 0:
            x = rnn4j_burst(m, n, k, args.burst); time.sleep(args.pause)
            y = numpy_burst(a, b, c, args.burst); time.sleep(args.pause)
        else:
            y = numpy_burst(a, b, c, args.burst); time.sleep(args.pause)
            x = rnn4j_burst(m, n, k, args.burst); time.sleep(args.pause)
        ours.append(x)
        theirs.append(y)
        ratios.append(x / y)
        if ceiling:
            ceil.append(ceiling.burst(args.burst)); time.sleep(args.pause)
        if args.verbose:
            print(f"    round {r + 1}: rnn4j {x:.1f}, OpenBLAS {y:.1f}, ratio {x / y:.3f}")
    p25, med, p75 = quartiles(ratios)
    extra = ""
    if ceiling:
        extra = (f" {statistics.median(ceil):>8.1f} {statistics.median(a / c for a, c in zip(ours, ceil)):>9.2f}"
                 f" {statistics.median(b / c for b, c in zip(theirs, ceil)):>12.2f}")
    print(f"{m:>6}x{n}x{k:<8} {statistics.median(ours):>10.1f} {max(ours):>7.1f} {statistics.median(theirs):>13.1f}"
          f" {max(theirs):>7.1f}{extra} {med:>30.3f} ({p25:.3f}, {p75:.3f})")
rnn4j.close()
if ceiling:
    ceiling.close()
