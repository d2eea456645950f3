#!/usr/bin/env bash
# rnn4j vs PyTorch, side by side on one machine: runs `rnn4j bench` and
# tools/bench/torch_rnn_bench.py alternately (rnn4j, torch, rnn4j, torch, ... for --rounds
# rounds) on the same configurations and thread count, then prints per row the sequences/s of
# each round and the ratio rnn4j/PyTorch (> 1: rnn4j is faster), with the peer's setup.
# What it is not: a test (nothing asserts), and not ONNX Runtime (not measured yet).
#
#   tools/bench/compare.sh                                  # 2 rounds, 2 threads, all rows
#   tools/bench/compare.sh --rounds 3 --cells lstm,gru --configs medium
#   RNN4J_JAR=rnn4j-cli/target-NAME/rnn4j.jar tools/bench/compare.sh   # a jar built elsewhere
#
# Options: --rounds N (2), --threads N (2), --out DIR (default $TMPDIR/rnn4j-compare-DATE, outside the tree); any other
# option (--cells, --configs, --mode, --warmup, --iters) goes to both benchmarks unchanged.
# The peer runs as issue 4 asks: OpenBLAS (Debian's torch links libblas.so.3; the script prints
# the library it loaded), OMP_WAIT_POLICY=PASSIVE, and the machine preset OPENBLAS_CORETYPE /
# OPENBLAS_L2_SIZE unset for the torch command only (env -u), never for rnn4j.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
rounds=2
threads=2
out=""
pass=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) pass+=("$1"); shift ;;
  esac
done
out="${out:-${TMPDIR:-/tmp}/rnn4j-compare-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$out"

rnn4j_cmd() {
  if [ -n "${RNN4J_JAR:-}" ]; then
    . "$here/scripts/find-jdk.sh"
    "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector ${RNN4J_JAVA_OPTS:-} -jar "$RNN4J_JAR" "$@"
  else
    "$here/rnn4j" "$@"
  fi
}

for r in $(seq 1 "$rounds"); do
  echo "== round $r/$rounds: rnn4j ($(date -u +%H:%M:%S) UTC)"
  rnn4j_cmd bench --threads "$threads" ${pass[@]+"${pass[@]}"} --json "$out/rnn4j-$r.json" | tee "$out/rnn4j-$r.txt"
  echo "== round $r/$rounds: PyTorch ($(date -u +%H:%M:%S) UTC)"
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_WAIT_POLICY=PASSIVE \
    /usr/bin/python3 "$here/tools/bench/torch_rnn_bench.py" --threads "$threads" ${pass[@]+"${pass[@]}"} \
    --json "$out/torch-$r.json" | tee "$out/torch-$r.txt"
done

/usr/bin/python3 - "$out" "$rounds" <<'EOF' | tee "$out/ratios.txt"
import json, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
load = lambda tool, r: json.load(open(f"{out}/{tool}-{r}.json"))
j4 = [load("rnn4j", r) for r in range(1, rounds + 1)]
jt = [load("torch", r) for r in range(1, rounds + 1)]
t0 = jt[0]
print()
print(f"rnn4j: {j4[0]['kernels']}, {j4[0]['threads']} thread(s), Java {j4[0]['java']}")
print(f"peer: PyTorch {t0['version']}, {t0['threads']} intra-op thread(s), BLAS "
      + ", ".join(l for l in t0["blas_libraries"] if "blas" in l)
      + "; env " + ", ".join(f"{k}={v if v is not None else '(unset)'}" for k, v in t0["environment"].items()))
print("ratio = rnn4j seq/s / PyTorch seq/s (> 1: rnn4j faster); 'ratio' uses the median over rounds of each "
      "side's median iteration; 'per round' pairs round i of each")
print(f"{'cell':<9} {'config':<7} {'mode':<9} {'rnn4j seq/s (rounds)':>26} {'torch seq/s (rounds)':>26} "
      f"{'rnn4j GF/s':>10} {'torch GF/s':>10} {'ratio':>6}  per round")
key = lambda row: (row["cell"], row["config"], row["mode"])
for row in j4[0]["rows"]:
    k = key(row)
    a = [next(x for x in j["rows"] if key(x) == k)["seq_per_s"] for j in j4]
    t = [next((x for x in j["rows"] if key(x) == k), {}).get("seq_per_s") for j in jt]
    if None in t:
        print(f"{k[0]:<9} {k[1]:<7} {k[2]:<9} (no PyTorch row)")
        continue
    ma, mt = statistics.median(a), statistics.median(t)
    fl = row["flops_per_iter"] / row["batch"]
    print(f"{k[0]:<9} {k[1]:<7} {k[2]:<9} {' '.join(f'{v:.1f}' for v in a):>26} {' '.join(f'{v:.1f}' for v in t):>26} "
          f"{ma * fl / 1e9:>10.2f} {mt * fl / 1e9:>10.2f} {ma / mt:>6.2f}  "
          + " ".join(f"{x / y:.2f}" for x, y in zip(a, t)))
EOF
echo "results in $out"
