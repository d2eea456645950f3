#!/usr/bin/python3
"""PyTorch peer for `rnn4j bench`: the same RNN/LSTM/GRU configurations, the same flop count,
the same table and the same JSON keys, so tools/bench/compare.sh can divide one by the other.

What it is: for each cell (nn.RNN tanh, nn.LSTM, nn.GRU; batch_first, float32, CPU) and each
configuration (small 32x50x8x64, medium 64x100x32x256, large 128x200x128x512 as BxTxFxH, or a
custom BxTxFxH), it times
  inference: one forward of the recurrent layer over a pre-made (B, T, F) tensor under
             torch.no_grad() (torch computes the whole output sequence; the last step is kept);
  training:  forward of recurrent -> Linear(H, 1) on the last step, MSE loss, backward, one
             torch.optim.Adam step, zero_grad(set_to_none=True) — on one pre-made batch.
Flops: 2*gates*H*(F+H) per sample per step forward (gates: RNN 1, LSTM 4, GRU 3), 3x for
training. GFLOP/s is that count over the median iteration time. Peak memory is the process's
peak RSS so far (getrusage), not per row.
What it is not: a test (nothing asserts), and not ONNX Runtime (not measured yet).

Run it as issue 4 asks: PyTorch on OpenBLAS (Debian's torch links the system libblas.so.3, which
is OpenBLAS once libopenblas0-pthread is installed; the script prints which BLAS it loaded),
2 intra-op threads, passive OpenMP waiting, and the machine preset OPENBLAS_CORETYPE /
OPENBLAS_L2_SIZE unset for this command only:
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_WAIT_POLICY=PASSIVE \
        /usr/bin/python3 tools/bench/torch_rnn_bench.py --threads 2 --json torch.json
"""
import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("--cells", default="simple,lstm,gru")
ap.add_argument("--configs", default="small,medium,large")
ap.add_argument("--mode", default="both", choices=["inference", "training", "both"])
ap.add_argument("--warmup", type=int, default=None, help="default: 10 small, 3 medium, 1 large")
ap.add_argument("--iters", type=int, default=None, help="default: 30 small, 10 medium, 3 large")
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--seed", type=int, default=42)
ap.add_argument("--json", default=None)
args = ap.parse_args()

# thread counts must be fixed before torch loads OpenMP and OpenBLAS
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)

import torch  # noqa: E402

CONFIGS = {  # name: (batch, seq, features, units, warmup, iters) -- as BenchCommand.CONFIGS
    "small": (32, 50, 8, 64, 10, 30),
    "medium": (64, 100, 32, 256, 3, 10),
    "large": (128, 200, 128, 512, 1, 3),
}
GATES = {"simple": 1, "lstm": 4, "gru": 3}
NAMES = {"simple": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}


def config(s):
    if s in CONFIGS:
        return (s,) + CONFIGS[s]
    p = s.lower().split("x")
    if len(p) == 4 and all(v.isdigit() and int(v) > 0 for v in p):
        return (s,) + tuple(int(v) for v in p) + (3, 10)
    sys.exit(f"--configs: unknown configuration '{s}' (use small, medium, large or BxTxFxH)")


def loaded_libs():
    keep = ("blas", "lapack", "gomp", "omp", "dnnl", "mkl")
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            if any(k in os.path.basename(path) for k in keep):
                libs.add(path)
    return sorted(libs)


def make_rnn(cell, f, h):
    if cell == "simple":
        return torch.nn.RNN(f, h, nonlinearity="tanh", batch_first=True)
    if cell == "lstm":
        return torch.nn.LSTM(f, h, batch_first=True)
    return torch.nn.GRU(f, h, batch_first=True)


class Head(torch.nn.Module):
    """recurrent -> Linear(H, 1) on the last step: Keras's Sequential(rnn, Dense(1))."""

    def __init__(self, cell, f, h):
        super().__init__()
        self.rnn = make_rnn(cell, f, h)
        self.dense = torch.nn.Linear(h, 1)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.dense(out[:, -1])


def run_row(cell, cfg, mode):
    name, b, t, f, h, dwarm, diters = cfg
    n_warm = args.warmup if args.warmup is not None else dwarm
    n_iter = args.iters if args.iters is not None else diters
    torch.manual_seed(args.seed)
    x = torch.rand(b, t, f) * 2 - 1
    training = mode == "training"
    last_loss = None
    if training:
        model = Head(cell, f, h)
        y = torch.rand(b, 1) * 2 - 1
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = torch.nn.MSELoss()

        def step():
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            return loss
    else:
        rnn = make_rnn(cell, f, h).eval()

        def step():
            with torch.no_grad():
                out, _ = rnn(x)
                return out[:, -1]
    times = []
    for it in range(-n_warm, n_iter):
        t0 = time.perf_counter()
        r = step()
        dt = time.perf_counter() - t0
        if it >= 0:
            times.append(dt)
    if training:
        last_loss = float(r.detach())
    med, mn = statistics.median(times), min(times)
    flops = 2.0 * GATES[cell] * h * (f + h) * b * t * (3 if training else 1)
    row = {"cell": NAMES[cell], "config": name, "mode": mode, "batch": b, "seq": t, "features": f,
           "units": h, "warmup": n_warm, "iters": n_iter, "flops_per_iter": flops,
           "seq_per_s": b / med, "ms_median": med * 1e3, "ms_min": mn * 1e3,
           "gflops": flops / med / 1e9, "gflops_best": flops / mn / 1e9,
           "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0}
    if last_loss is not None:
        row["last_loss"] = last_loss
    return row


def main():
    torch.set_num_threads(args.threads)
    cells = [c.strip().lower() for c in args.cells.split(",")]
    for c in cells:
        if c not in GATES:
            sys.exit(f"--cells must be simple, lstm or gru, got '{c}'")
    cfgs = [config(c.strip()) for c in args.configs.split(",")]
    modes = ["inference", "training"] if args.mode == "both" else [args.mode]
    # touch BLAS once so its library shows in the process map
    torch.ones(8, 8) @ torch.ones(8, 8)
    libs = loaded_libs()
    env = {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_WAIT_POLICY",
                                          "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")}
    print(f"torch {torch.__version__} bench: {torch.get_num_threads()} intra-op thread(s); Python "
          f"{platform.python_version()}; {os.cpu_count()} CPU(s)")
    print("BLAS/OpenMP libraries loaded: " + ", ".join(libs))
    print("environment: " + ", ".join(f"{k}={v if v is not None else '(unset)'}" for k, v in env.items()))
    print("flops: 2*gates*H*(F+H) per sample per step forward, 3x for training (gates: RNN 1, LSTM 4, GRU 3)")
    print("inference = rnn(x) under no_grad; training = zero_grad + forward + MSE + backward + Adam step "
          "of rnn -> Linear(H, 1)")
    print(f"{'cell':<9} {'config':<7} {'mode':<9} {'batch':>5} {'seq':>4} {'feat':>4} {'units':>5} {'iters':>5} "
          f"{'seq/s':>10} {'ms median':>10} {'ms min':>9} {'GFLOP/s':>8} {'best':>8} {'RSS MiB':>9}")
    rows = []
    for cfg in cfgs:
        for cell in cells:
            for mode in modes:
                r = run_row(cell, cfg, mode)
                rows.append(r)
                print(f"{r['cell']:<9} {cfg[0]:<7} {mode:<9} {r['batch']:>5} {r['seq']:>4} {r['features']:>4} "
                      f"{r['units']:>5} {r['iters']:>5} {r['seq_per_s']:>10.1f} {r['ms_median']:>10.3f} "
                      f"{r['ms_min']:>9.3f} {r['gflops']:>8.2f} {r['gflops_best']:>8.2f} {r['peak_rss_mib']:>9.1f}",
                      flush=True)
    if args.json:
        d = os.path.dirname(os.path.abspath(args.json))
        os.makedirs(d, exist_ok=True)
        with open(args.json, "w") as f:
            json.dump({"tool": "torch", "version": torch.__version__, "threads": torch.get_num_threads(),
                       "blas_libraries": libs, "environment": env, "cpus": os.cpu_count(),
                       "config": torch.__config__.show(),
                       "flop_count": "2*gates*H*(F+H)*B*T forward; 3x for training", "rows": rows}, f, indent=2)


if __name__ == "__main__":
    main()
