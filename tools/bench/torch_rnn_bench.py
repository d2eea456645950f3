#!/usr/bin/python3
"""PyTorch peer for `rnn4j bench`: the same RNN/LSTM/GRU configurations, the same flop count,
the same table and the same JSON keys, so tools/bench/compare.sh can divide one by the other.

What it is: for each cell (nn.RNN tanh, nn.LSTM, nn.GRU; batch_first, float32, CPU) and each
configuration it times, as `rnn4j bench` does (rows keyed by cell, config and mode):
  small 32x50x8x64, medium 64x100x32x256, large 128x200x128x512 (BxTxFxH), or a custom BxTxFxH:
    inference: one forward of the recurrent layer over a pre-made (B, T, F) tensor under
               torch.no_grad() (torch computes the whole output sequence; the last step is kept);
    training:  forward of recurrent -> Linear(H, 1) on the last step, MSE loss, backward, one
               torch.optim.Adam step, zero_grad(set_to_none=True) -- on one pre-made batch.
  charlm (B 64, T 100, vocabulary V 65, H 512), or a custom charlm:BxTxVxH: a character model.
    The input is one-hot, V features per step, made once from random token ids before timing
    (as rnn4j does: one-hot rather than nn.Embedding, so F = V in the flop count and both tools
    get the same input); targets are the next token ids.
    inference: recurrent (whole sequence) -> Linear(H, V) on every step, under no_grad;
    training:  the same, then CrossEntropyLoss (mean over all B*T positions, from logits),
               backward, Adam step, zero_grad.
  step (B 1, F 32, H 128), or a custom step:FxH: single-step latency, mode "step". The layer is
    called on one (1, 1, F) tensor with the state it returned last time fed back, under no_grad:
    50,000 warm-up steps, then 20,000 measured in blocks of 100 (one perf_counter pair per block).
    us_per_step is the median block's time per step, seq_per_s = steps/s. Each call pays
    PyTorch's per-call dispatch, which is what issue 4's latency target is about. --warmup and
    --iters count steps for these rows; they run unless --mode training.
Flops: 2*gates*H*(F+H) per sample per step forward (gates: RNN 1, LSTM 4, GRU 3), plus for
charlm the output layer's 2*H*V per position; 3x for training. GFLOP/s is that count over the
median iteration time.
Peak memory (peak_rss_mib): the process's VmHWM from /proc/self/status, reset to the current RSS
at the start of each row by writing 5 to /proc/self/clear_refs (Linux) -- the peak resident
memory during the row, including Python, torch and whatever its allocator kept from earlier
rows; not the row's own footprint. rnn4j bench measures the same way, so the two are comparable
as "process RSS while running this row". If the reset is refused, each row has the process peak
so far (the JSON's peak_rss_scope says which); without /proc, getrusage's max RSS so far.
What it is not: a test (nothing asserts), and not ONNX Runtime (that is rnn4j-bench's OrtRnnBench;
tools/bench/compare.sh runs rnn4j, this script and ORT alternately).
With --paired RNN4J_JAR it times nothing alone: it starts `rnn4j bench --serve` (a warm JVM) and,
per seq or charlm row, alternates bursts of about --burst seconds of each side, --rounds times,
--pause apart, then prints each side's median GFLOP/s and the median (p25, p75) of the per-round
ratios rnn4j/torch. Both sides see the same state of a shared machine within a round, which
separate runs minutes apart (compare.sh) do not; step rows are skipped. With --ceiling
RNN4J_BENCH_JAR each round also runs a burst of rnn4j-bench's FmaPeak (fused multiply-adds on
registers, as many threads) and the row prints the ceiling's median GFLOP/s and each side's median
share of it per round.
PyTorch has no recurrent dropout: --dropout / --recurrent-dropout are accepted only as 0 (so one
command line can drive both tools) and anything else is refused.

Run it as issue 4 asks: PyTorch on OpenBLAS (Debian's torch links the system libblas.so.3, which
is OpenBLAS once libopenblas0-pthread is installed; the script prints which BLAS it loaded),
2 intra-op threads, passive OpenMP waiting, and the machine preset OPENBLAS_CORETYPE /
OPENBLAS_L2_SIZE unset for this command only:
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_WAIT_POLICY=PASSIVE \
        /usr/bin/python3 tools/bench/torch_rnn_bench.py --threads 2 --json torch.json
"""
import argparse
import json
import math
import os
import platform
import resource
import statistics
import sys
import time

DEFAULT_CONFIGS = "small,medium,large,charlm,step"
ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("--cells", default="simple,lstm,gru")
ap.add_argument("--configs", default=DEFAULT_CONFIGS,
                help="small, medium, large, charlm, step, or a custom BxTxFxH, charlm:BxTxVxH, step:FxH "
                     f"(default: {DEFAULT_CONFIGS})")
ap.add_argument("--mode", default="both", choices=["inference", "training", "both"])
ap.add_argument("--warmup", type=int, default=None,
                help="default: 30 small, 10 medium, 2 large, 3 charlm; steps: 50000 step; "
                     "without this option also at least 1.5 s")
ap.add_argument("--iters", type=int, default=None,
                help="default: 30 small, 10 medium, 3 large, 5 charlm; steps: 20000 step")
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--seed", type=int, default=42)
ap.add_argument("--dropout", type=float, default=0.0, help="only 0: PyTorch's RNNs have no input dropout")
ap.add_argument("--recurrent-dropout", type=float, default=0.0, help="only 0: PyTorch's RNNs have no recurrent dropout")
ap.add_argument("--json", default=None)
ap.add_argument("--paired", metavar="RNN4J_JAR", default=None,
                help="instead of timing PyTorch alone, alternate bursts with `rnn4j bench --serve` run from this "
                     "rnn4j.jar (JAVA_HOME's java) and print the paired ratio per row (seq and charlm rows)")
ap.add_argument("--rounds", type=int, default=8, help="--paired: bursts per side and row")
ap.add_argument("--burst", type=float, default=1.0, help="--paired: seconds per burst (at least one iteration)")
ap.add_argument("--pause", type=float, default=0.25,
                help="--paired: seconds between bursts (OpenBLAS's idle threads spin for about 0.1 s after a call)")
ap.add_argument("--ceiling", metavar="RNN4J_BENCH_JAR", default=None,
                help="--paired: each round also takes a burst of io.github.rnn4j.bench.FmaPeak from this "
                     "rnn4j-bench.jar (register-only FMAs on --threads threads, the most GFLOP/s the machine allows "
                     "at that moment) and prints each side's share of it")
args = ap.parse_args()
if args.ceiling and not args.paired:
    sys.exit("--ceiling measures the FMA ceiling beside the paired rounds: it needs --paired RNN4J_JAR")
if args.ceiling and not os.path.isfile(args.ceiling):
    sys.exit(f"--ceiling: no file {args.ceiling} (the rnn4j-bench jar: mvn -Pbench -pl rnn4j-bench -am package)")
if args.dropout != 0 or args.recurrent_dropout != 0:
    sys.exit("--dropout / --recurrent-dropout: PyTorch's nn.RNN/LSTM/GRU have no per-step input or recurrent "
             "dropout (their dropout= acts between stacked layers); measure dropout's cost with rnn4j bench alone")

# thread counts must be fixed before torch loads OpenMP and OpenBLAS
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)

import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from warm_jvm import Ceiling, WarmJvm  # noqa: E402

STEP_BLOCK = 100
# name: (kind, batch, seq, features, units, warmup, iters) -- as BenchCommand.CONFIGS
CONFIGS = {
    "small": ("seq", 32, 50, 8, 64, 30, 30),
    "medium": ("seq", 64, 100, 32, 256, 10, 10),
    "large": ("seq", 128, 200, 128, 512, 2, 3),
    "charlm": ("charlm", 64, 100, 65, 512, 3, 5),
    "step": ("step", 1, 1, 32, 128, 50000, 20000),
}
GATES = {"simple": 1, "lstm": 4, "gru": 3}
NAMES = {"simple": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}


def config(s):
    low = s.lower()
    if low in CONFIGS:
        return (low,) + CONFIGS[low]
    kind, dims, n = "seq", low, 4
    if low.startswith("charlm:"):
        kind, dims = "charlm", low[len("charlm:"):]
    elif low.startswith("step:"):
        kind, dims, n = "step", low[len("step:"):], 2
    p = dims.split("x")
    if len(p) == n and all(v.isdigit() and int(v) > 0 for v in p):
        v = [int(x) for x in p]
        if kind == "step":
            return (s, "step", 1, 1, v[0], v[1], 50000, 20000)
        return (s, kind) + tuple(v) + (3, 10)
    sys.exit(f"--configs: unknown configuration '{s}' (use small, medium, large, charlm, step, or BxTxFxH, "
             "charlm:BxTxVxH, step:FxH)")


def loaded_libs():
    keep = ("blas", "lapack", "gomp", "omp", "dnnl", "mkl")
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            if any(k in os.path.basename(path) for k in keep):
                libs.add(path)
    return sorted(libs)


# ---- memory -----------------------------------------------------------------------------------

rss_per_row = True
process_peak_rss = None


def vm_hwm_mib():
    """VmHWM in MiB, or getrusage's max RSS so far where /proc is unreadable."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def start_row_memory():
    """Records the peak so far and resets VmHWM to the current RSS, if the kernel lets us."""
    global rss_per_row, process_peak_rss
    process_peak_rss = max(process_peak_rss or 0.0, vm_hwm_mib())
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        rss_per_row = False


def finish_row_memory(row):
    global process_peak_rss
    rss = vm_hwm_mib()
    process_peak_rss = max(process_peak_rss or 0.0, rss)
    row["peak_rss_mib"] = rss


# ---- models -----------------------------------------------------------------------------------

def make_rnn(cell, f, h):
    if cell == "simple":
        return torch.nn.RNN(f, h, nonlinearity="tanh", batch_first=True)
    if cell == "lstm":
        return torch.nn.LSTM(f, h, batch_first=True)
    return torch.nn.GRU(f, h, batch_first=True)


class Head(torch.nn.Module):
    """recurrent -> Linear(H, out): on the last step (Keras's Sequential(rnn, Dense(1))) or, with
    every_step, on every step (charlm's returnSequences=True -> Dense(V))."""

    def __init__(self, cell, f, h, out, every_step):
        super().__init__()
        self.rnn = make_rnn(cell, f, h)
        self.dense = torch.nn.Linear(h, out)
        self.every_step = every_step

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.dense(out if self.every_step else out[:, -1])


# as rnn4j bench: without --warmup, a row also warms up for at least this long (rnn4j's JIT needs
# it; applied to every side alike)
MIN_WARMUP_S = 1.5


def still_warming(w0):
    return args.warmup is None and time.perf_counter() - w0 < MIN_WARMUP_S


def build_step(cell, cfg, mode):
    """One row's work, built once: returns step() (one iteration) and its flop count."""
    name, kind, b, t, f, h, dwarm, diters = cfg
    charlm = kind == "charlm"
    torch.manual_seed(args.seed)
    training = mode == "training"
    if charlm:
        ids = torch.randint(0, f, (b, t + 1))
        x = torch.nn.functional.one_hot(ids[:, :t], f).float()
        y = ids[:, 1:].reshape(-1)
    else:
        x = torch.rand(b, t, f) * 2 - 1
    if training:
        model = Head(cell, f, h, f if charlm else 1, charlm)
        if not charlm:
            y = torch.rand(b, 1) * 2 - 1
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = torch.nn.CrossEntropyLoss() if charlm else torch.nn.MSELoss()

        def step():
            opt.zero_grad(set_to_none=True)
            p = model(x)
            loss = loss_fn(p.reshape(-1, f) if charlm else p, y)
            loss.backward()
            opt.step()
            return loss
    elif charlm:
        model = Head(cell, f, h, f, True).eval()

        def step():
            with torch.no_grad():
                return model(x)
    else:
        rnn = make_rnn(cell, f, h).eval()

        def step():
            with torch.no_grad():
                out, _ = rnn(x)
                return out[:, -1]
    per_position = 2.0 * GATES[cell] * h * (f + h) + (2.0 * h * f if charlm else 0.0)
    return step, per_position * b * t * (3 if training else 1)


def run_row(cell, cfg, mode):
    name, kind, b, t, f, h, dwarm, diters = cfg
    charlm = kind == "charlm"
    n_warm = args.warmup if args.warmup is not None else dwarm
    n_iter = args.iters if args.iters is not None else diters
    training = mode == "training"
    last_loss = None
    step, flops = build_step(cell, cfg, mode)
    start_row_memory()
    times = []
    warmed, w0 = 0, time.perf_counter()
    while warmed < n_warm or still_warming(w0):
        r = step()
        warmed += 1
    for it in range(n_iter):
        t0 = time.perf_counter()
        r = step()
        times.append(time.perf_counter() - t0)
    if training:
        last_loss = float(r.detach())
    med, mn = statistics.median(times), min(times)
    row = {"cell": NAMES[cell], "config": name, "mode": mode, "batch": b, "seq": t, "features": f,
           "units": h}
    if charlm:
        row["vocab"] = f
    row.update({"warmup": warmed, "iters": n_iter, "flops_per_iter": flops,
                "seq_per_s": b / med, "ms_median": med * 1e3, "ms_min": mn * 1e3,
                "gflops": flops / med / 1e9, "gflops_best": flops / mn / 1e9})
    finish_row_memory(row)
    if last_loss is not None:
        row["last_loss"] = last_loss
    return row


def run_step_row(cell, cfg):
    name, _, _, _, f, h, dwarm, diters = cfg
    n_warm = args.warmup if args.warmup is not None else dwarm
    n_iter = args.iters if args.iters is not None else diters
    block = min(STEP_BLOCK, n_iter)
    n_blocks = (n_iter + block - 1) // block
    torch.manual_seed(args.seed)
    rnn = make_rnn(cell, f, h).eval()
    x = torch.rand(1, 1, f) * 2 - 1
    start_row_memory()
    times = []
    with torch.no_grad():
        state = None  # zeros on the first call; afterwards h (or (h, c) for LSTM) from the last call
        warmed, w0 = 0, time.perf_counter()
        while warmed < n_warm or still_warming(w0):
            _, state = rnn(x, state)
            warmed += 1
        for _ in range(n_blocks):
            t0 = time.perf_counter()
            for _ in range(block):
                _, state = rnn(x, state)
            times.append(time.perf_counter() - t0)
    hfinal = state[0] if cell == "lstm" else state
    per_step = statistics.median(times) / block
    min_step = min(times) / block
    flops = 2.0 * GATES[cell] * h * (f + h)
    row = {"cell": NAMES[cell], "config": name, "mode": "step", "batch": 1, "seq": 1, "features": f,
           "units": h, "warmup": warmed, "iters": n_blocks * block, "block": block, "flops_per_iter": flops,
           "seq_per_s": 1 / per_step, "ms_median": per_step * 1e3, "ms_min": min_step * 1e3,
           "gflops": flops / per_step / 1e9, "gflops_best": flops / min_step / 1e9,
           "us_per_step": per_step * 1e6, "us_per_step_min": min_step * 1e6,
           "state_finite": bool(torch.isfinite(hfinal).all())}
    finish_row_memory(row)
    return row


class Rnn4jServer(WarmJvm):
    """`rnn4j bench --serve` in a JVM kept warm: runs bursts of a row's workload on command."""

    def __init__(self, jar):
        super().__init__(["-jar", jar, "bench", "--serve", "--threads", str(args.threads), "--seed", str(args.seed)],
                         "--paired: rnn4j bench --serve")

    def burst(self, cell, cfg_name, mode, seconds):
        """Iterations per second of the row's workload over a burst of at least `seconds`."""
        n, ns = self.ask(f"{cell} {cfg_name} {mode} {seconds}")
        return int(n) / (int(ns) / 1e9)


def torch_burst(step, seconds):
    n, t0 = 0, time.perf_counter()
    while True:
        step()
        n += 1
        t = time.perf_counter() - t0
        if t >= seconds:
            return n / t


def paired_rows(cells, cfgs, modes):
    """Each row: both sides warmed up, then --rounds bursts each, alternated (the side going first
    alternates too), --pause apart; the ratio of each round's two rates, and their median."""
    server = Rnn4jServer(args.paired)
    ceiling = Ceiling(args.ceiling, args.threads) if args.ceiling else None
    print(f"paired with rnn4j ({server.ready}): {args.rounds} rounds of {args.burst} s bursts per side, "
          f"alternated, {args.pause} s apart; GFLOP/s medians over the rounds, ratio rnn4j/torch per round")
    if ceiling:
        print(f"ceiling: FmaPeak ({ceiling.ready}: threads, lanes), a {args.burst} s burst after each round's pair; "
              "'of ceiling' = median over the rounds of each side's GFLOP/s / the round's ceiling")
    extra = f" {'ceiling':>8} {'rnn4j of':>9} {'torch of':>9}" if ceiling else ""
    print(f"{'cell':<9} {'config':<7} {'mode':<9} {'rnn4j GF/s':>10} {'torch GF/s':>10}{extra} "
          f"{'ratio median':>12} {'(p25, p75)':>16}  per round")
    rows = []
    for cfg in cfgs:
        if cfg[1] == "step":
            continue
        for cell in cells:
            for mode in modes:
                step, flops = build_step(cell, cfg, mode)
                w0 = time.perf_counter()
                while time.perf_counter() - w0 < max(MIN_WARMUP_S, args.burst):
                    step()
                server.burst(cell, cfg[0], mode, max(MIN_WARMUP_S, 2 * args.burst))
                ours, theirs, ceil = [], [], []
                for r in range(args.rounds):
                    if r % 2 == 0:
                        x = server.burst(cell, cfg[0], mode, args.burst); time.sleep(args.pause)
                        y = torch_burst(step, args.burst); time.sleep(args.pause)
                    else:
                        y = torch_burst(step, args.burst); time.sleep(args.pause)
                        x = server.burst(cell, cfg[0], mode, args.burst); time.sleep(args.pause)
                    ours.append(x * flops / 1e9)
                    theirs.append(y * flops / 1e9)
                    if ceiling:
                        ceil.append(ceiling.burst(args.burst)); time.sleep(args.pause)
                ratios = [a / b for a, b in zip(ours, theirs)]
                q = statistics.quantiles(ratios, n=4, method="inclusive") if len(ratios) > 1 else [ratios[0]] * 3
                row = {"cell": NAMES[cell], "config": cfg[0], "mode": mode, "rnn4j_gflops": statistics.median(ours),
                       "torch_gflops": statistics.median(theirs), "ratio_median": statistics.median(ratios),
                       "ratio_p25": q[0], "ratio_p75": q[2], "ratios": ratios}
                extra = ""
                if ceiling:
                    row["ceiling_gflops"] = statistics.median(ceil)
                    row["ceilings"] = ceil
                    row["rnn4j_of_ceiling"] = statistics.median(a / c for a, c in zip(ours, ceil))
                    row["torch_of_ceiling"] = statistics.median(b / c for b, c in zip(theirs, ceil))
                    extra = (f" {row['ceiling_gflops']:>8.1f} {row['rnn4j_of_ceiling']:>9.2f}"
                             f" {row['torch_of_ceiling']:>9.2f}")
                rows.append(row)
                print(f"{row['cell']:<9} {cfg[0]:<7} {mode:<9} {row['rnn4j_gflops']:>10.2f} {row['torch_gflops']:>10.2f}"
                      f"{extra} {row['ratio_median']:>12.2f} {'(%.2f, %.2f)' % (q[0], q[2]):>16}  "
                      + " ".join(f"{v:.2f}" for v in ratios), flush=True)
    server.close()
    if ceiling:
        ceiling.close()
    return server.ready, rows


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
    print("flops: 2*gates*H*(F+H) per sample per step forward (+ 2*H*V per position for charlm's Linear), "
          "3x for training (gates: RNN 1, LSTM 4, GRU 3)")
    print("inference = rnn(x) under no_grad (charlm: + Linear(H, V)); training = zero_grad + forward + loss + "
          "backward + Adam step of rnn -> Linear(H, 1) with MSE (charlm: Linear(H, V), cross-entropy, one-hot "
          "input); step = rnn(x (1, 1, F), state) under no_grad, state fed back")
    if args.paired:
        ready, rows = paired_rows(cells, cfgs, modes)
        if args.json:
            os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
            with open(args.json, "w") as f:
                json.dump({"tool": "torch-paired", "version": torch.__version__, "threads": torch.get_num_threads(),
                           "rnn4j": ready, "rounds": args.rounds, "burst_s": args.burst, "pause_s": args.pause,
                           "blas_libraries": libs, "environment": env, "rows": rows}, f, indent=2)
        return
    print(f"{'cell':<9} {'config':<7} {'mode':<9} {'batch':>5} {'seq':>4} {'feat':>4} {'units':>5} {'iters':>5} "
          f"{'seq/s':>10} {'ms median':>10} {'ms min':>9} {'GFLOP/s':>8} {'best':>8} {'RSS MiB':>9} {'us/step':>8}")
    rows = []
    for cfg in cfgs:
        if cfg[1] == "step":
            cfg_modes = [] if args.mode == "training" else ["step"]
        else:
            cfg_modes = modes
        for cell in cells:
            for mode in cfg_modes:
                r = run_step_row(cell, cfg) if mode == "step" else run_row(cell, cfg, mode)
                rows.append(r)
                us = f"{r['us_per_step']:.3f}" if "us_per_step" in r else "-"
                print(f"{r['cell']:<9} {cfg[0]:<7} {mode:<9} {r['batch']:>5} {r['seq']:>4} {r['features']:>4} "
                      f"{r['units']:>5} {r['iters']:>5} {r['seq_per_s']:>10.1f} {r['ms_median']:>10.3f} "
                      f"{r['ms_min']:>9.3f} {r['gflops']:>8.2f} {r['gflops_best']:>8.2f} {r['peak_rss_mib']:>9.1f} "
                      f"{us:>8}", flush=True)
    peak = max(process_peak_rss or 0.0, vm_hwm_mib())
    scope = "row" if rss_per_row else "process so far"
    print(f"peak RSS of the process: {peak:.1f} MiB (VmHWM; per row: "
          + ("the peak during the row, reset through /proc/self/clear_refs)" if rss_per_row
             else "the process's peak so far, the reset was refused)"))
    if args.json:
        d = os.path.dirname(os.path.abspath(args.json))
        os.makedirs(d, exist_ok=True)
        with open(args.json, "w") as f:
            json.dump({"tool": "torch", "version": torch.__version__, "threads": torch.get_num_threads(),
                       "blas_libraries": libs, "environment": env, "cpus": os.cpu_count(),
                       "config": torch.__config__.show(),
                       "flop_count": "2*gates*H*(F+H)*B*T forward (charlm: F = V one-hot, plus 2*H*V*B*T for "
                                     "Linear(H, V)); 3x for training; step rows: per step, B = T = 1",
                       "peak_rss_mib": peak, "peak_rss_scope": scope, "rows": rows}, f, indent=2)


if __name__ == "__main__":
    main()
