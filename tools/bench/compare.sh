#!/usr/bin/env bash
# rnn4j vs PyTorch vs ONNX Runtime, side by side on one machine: runs `rnn4j bench`,
# tools/bench/torch_rnn_bench.py and the ONNX Runtime runner (io.github.rnn4j.bench.OrtRnnBench in
# the rnn4j-bench module, ORT's Java API) alternately (rnn4j, torch, ORT, rnn4j, torch, ORT, ...
# for --rounds rounds) on the same configurations and thread count, then prints per row each
# side's sequences/s (us/step for step rows) in every round and the ratios rnn4j/PyTorch and
# rnn4j/ORT (> 1: rnn4j is faster), with each peer's setup. A side without a row shows "(no row)":
# ORT has no training rows (its inference sessions do not train), only inference and step rows.
# What it is not: a test (nothing asserts).
#
#   tools/bench/compare.sh                                  # 2 rounds, 2 threads, all rows, both peers
#   tools/bench/compare.sh --rounds 3 --cells lstm,gru --configs medium,step
#   tools/bench/compare.sh --peers ort --mode inference     # skip PyTorch
#   RNN4J_JAR=rnn4j-cli/target-NAME/rnn4j.jar RNN4J_BENCH_JAR=rnn4j-bench/target-NAME/rnn4j-bench.jar \
#       tools/bench/compare.sh                              # jars built elsewhere
#
# Options: --rounds N (2), --threads N (2), --out DIR (default $TMPDIR/rnn4j-compare-DATE, outside
# the tree), --peers LIST (torch,ort; which peers to run), --ort-spin 0|1 (ORT's
# session.intra_op.allow_spinning, default 1 = ORT's default); any other option (--cells,
# --configs, --mode, --warmup, --iters, ...) goes to rnn4j and PyTorch unchanged, and to ORT
# when it is one ORT knows (--cells, --configs, --mode, --warmup, --iters, --seed).
# PyTorch runs as issue 4 asks: OpenBLAS (Debian's torch links libblas.so.3; the script prints
# the library it loaded), OMP_WAIT_POLICY=PASSIVE, and the machine preset OPENBLAS_CORETYPE /
# OPENBLAS_L2_SIZE unset for the torch command only (env -u), never for rnn4j.
# ONNX Runtime: the Maven artifact com.microsoft.onnxruntime:onnxruntime (version in
# rnn4j-bench/pom.xml), CPU execution provider, intra-op threads = --threads, inter-op 1,
# sequential execution, graph optimisation ALL; one session per row, input tensor built once,
# outputs pinned to reused buffers. Its models are written once before the rounds by
# tools/bench/onnx_rnn_models.py (Debian's python3-onnx) into OUT/onnx-models, and checked once
# (OrtRnnBench --check: ORT's LSTM/GRU/RNN output equals torch.nn's and rnn4j's to 1e-5) —
# the comparison stops if that check fails. The bench jar is RNN4J_BENCH_JAR, else
# rnn4j-bench/target/rnn4j-bench.jar, built with `mvn -Pbench` when absent; ORT_JAVA_OPTS adds JVM
# options for the ORT runner (RNN4J_JAVA_OPTS for rnn4j).
# --paired N (default 0, off) adds, after the rounds, the paired passes: torch_rnn_bench.py
# --paired (PyTorch and `rnn4j bench --serve` in alternated bursts) and OrtRnnBench --paired N
# (ORT and rnn4j's layer in one JVM), N rounds per row, seq and charlm rows; their tables go to
# OUT/torch-paired.txt and OUT/ort-paired.txt. The separate rounds above sit minutes apart on a
# machine whose speed moves within minutes; the paired ratios are measured a second apart. Each
# paired round also measures the machine's FMA ceiling (rnn4j-bench's FmaPeak, --ceiling) and
# the tables give each side's share of it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
rounds=2
threads=2
out=""
peers="torch,ort"
ort_spin=1
paired=0
pass=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --peers) peers="$2"; shift 2 ;;
    --ort-spin) ort_spin="$2"; shift 2 ;;
    --paired) paired="$2"; shift 2 ;;
    *) pass+=("$1"); shift ;;
  esac
done
out="${out:-${TMPDIR:-/tmp}/rnn4j-compare-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$out"
run_torch=0
run_ort=0
for p in ${peers//,/ }; do
  case "$p" in
    torch) run_torch=1 ;;
    ort) run_ort=1 ;;
    *) echo "compare.sh: --peers takes torch and/or ort, got '$p'" >&2; exit 2 ;;
  esac
done
. "$here/scripts/find-jdk.sh"

rnn4j_cmd() {
  if [ -n "${RNN4J_JAR:-}" ]; then
    "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector ${RNN4J_JAVA_OPTS:-} -jar "$RNN4J_JAR" "$@"
  else
    "$here/rnn4j" "$@"
  fi
}

# the options ORT understands, with their values; the models are made for the same cells/configs
ort_pass=()
model_pass=()
i=0
while [ $i -lt ${#pass[@]} ]; do
  a="${pass[$i]}"
  key="${a%%=*}"
  if [ "$key" = "$a" ] && [ $((i + 1)) -lt ${#pass[@]} ]; then val="${pass[$((i + 1))]}"; step=2; else val="${a#*=}"; step=1; fi
  case "$key" in
    --cells|--configs) ort_pass+=("$key" "$val"); model_pass+=("$key" "$val") ;;
    --mode|--warmup|--iters|--seed) ort_pass+=("$key" "$val") ;;
    *) step=1 ;;  # not for ORT (e.g. --dropout: training rows only); a value, if any, is skipped as unknown too
  esac
  i=$((i + step))
done

bench_jar="${RNN4J_BENCH_JAR:-$here/rnn4j-bench/target/rnn4j-bench.jar}"
if [ "$run_ort" = 1 ] || [ "$paired" != 0 ]; then
  # ORT's runner, and for the paired passes FmaPeak (the machine's FMA ceiling each round)
  if [ ! -f "$bench_jar" ]; then
    if [ -n "${RNN4J_BENCH_JAR:-}" ]; then echo "compare.sh: RNN4J_BENCH_JAR=$bench_jar does not exist" >&2; exit 2; fi
    echo "== building the bench jar (mvn -Pbench -pl rnn4j-bench -am package -DskipTests)" >&2
    (cd "$here" && mvn -q -B -Pbench -pl rnn4j-bench -am package -DskipTests) >&2
  fi
fi

if [ "$run_ort" = 1 ]; then
  echo "== ONNX models ($(date -u +%H:%M:%S) UTC)"
  /usr/bin/python3 "$here/tools/bench/onnx_rnn_models.py" --out "$out/onnx-models" ${model_pass[@]+"${model_pass[@]}"} \
    | tee "$out/onnx-models.txt"
  # ORT loads its native library with System.load: allowed explicitly, so JDK 25 does not warn
  ort_cmd() {
    "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED ${ORT_JAVA_OPTS:-} -cp "$bench_jar" \
      io.github.rnn4j.bench.OrtRnnBench --models "$out/onnx-models" --threads "$threads" --spin "$ort_spin" "$@"
  }
  echo "== ONNX Runtime parity check"
  # rnn4j's side of the check runs on the Vector API kernels the benchmark uses
  if ! ORT_JAVA_OPTS="--add-modules jdk.incubator.vector ${ORT_JAVA_OPTS:-}" ort_cmd --check 2>&1 | grep -v "^WARNING: \|incubator modules" | tee "$out/ort-check.txt" \
      || ! grep -q "^parity: all within" "$out/ort-check.txt"; then
    echo "compare.sh: the ONNX models do not compute what rnn4j and torch.nn compute; not timing them" >&2
    exit 1
  fi
fi

for r in $(seq 1 "$rounds"); do
  echo "== round $r/$rounds: rnn4j ($(date -u +%H:%M:%S) UTC)"
  rnn4j_cmd bench --threads "$threads" ${pass[@]+"${pass[@]}"} --json "$out/rnn4j-$r.json" | tee "$out/rnn4j-$r.txt"
  if [ "$run_torch" = 1 ]; then
    echo "== round $r/$rounds: PyTorch ($(date -u +%H:%M:%S) UTC)"
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_WAIT_POLICY=PASSIVE \
      /usr/bin/python3 "$here/tools/bench/torch_rnn_bench.py" --threads "$threads" ${pass[@]+"${pass[@]}"} \
      --json "$out/torch-$r.json" | tee "$out/torch-$r.txt"
  fi
  if [ "$run_ort" = 1 ]; then
    echo "== round $r/$rounds: ONNX Runtime ($(date -u +%H:%M:%S) UTC)"
    ort_cmd ${ort_pass[@]+"${ort_pass[@]}"} --json "$out/ort-$r.json" | tee "$out/ort-$r.txt"
  fi
done

/usr/bin/python3 - "$out" "$rounds" "$run_torch" "$run_ort" <<'EOF' | tee "$out/ratios.txt"
import json, os, statistics, sys
out, rounds, run_torch, run_ort = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4] == "1"
load = lambda tool: [json.load(open(f"{out}/{tool}-{r}.json")) for r in range(1, rounds + 1)]
sides = [("rnn4j", load("rnn4j"))]
if run_torch:
    sides.append(("torch", load("torch")))
if run_ort:
    sides.append(("ORT", load("ort")))
key = lambda row: (row["cell"], row["config"], row["mode"])
print()
j4 = sides[0][1][0]
print(f"rnn4j: {j4['kernels']}, {j4['threads']} thread(s), Java {j4['java']}")
for name, js in sides[1:]:
    j = js[0]
    if name == "torch":
        print(f"peer: PyTorch {j['version']}, {j['threads']} intra-op thread(s), BLAS "
              + ", ".join(l for l in j["blas_libraries"] if "blas" in l)
              + "; env " + ", ".join(f"{k}={v if v is not None else '(unset)'}" for k, v in j["environment"].items()))
    else:
        m = json.load(open(f"{out}/onnx-models/manifest.json"))
        print(f"peer: ONNX Runtime {j['ort_version']} (Java API, Java {j['java']}, CPU execution provider), "
              f"{j['threads']} intra-op thread(s), {j['inter_op_threads']} inter-op, execution mode "
              f"{j['execution_mode']}, optimisation {j['optimization_level']}, allow_spinning {j['allow_spinning']}; "
              f"models: one ONNX RNN/LSTM/GRU op (charlm: + MatMul/Add), onnx {m['onnx']}, opset {m['opset']}, "
              f"layout {m['layout']}; inference and step rows only")
print("ratio = rnn4j / peer speed (seq/s; for step rows steps/s, i.e. peer us/step / rnn4j us/step; > 1: rnn4j "
      "faster), from the median over rounds of each side's median; 'per round' pairs round i of each side")
# every row any side has, in the order first seen
keys, rows0 = [], {}
for name, js in sides:
    for j in js:
        for row in j["rows"]:
            k = key(row)
            if k not in rows0:
                keys.append(k)
                rows0[k] = row


def series(js, k):
    v = [next((x for x in j["rows"] if key(x) == k), {}).get("seq_per_s") for j in js]
    return None if None in v else v


def shown(row, v):
    return f"{1e6 / v:.2f}" if row["mode"] == "step" else f"{v:.1f}"


peer_names = [n for n, _ in sides[1:]]
cw = max([7] + [len(k[1]) for k in keys])  # custom configurations have long names
hdr = f"{'cell':<9} {'config':<{cw}} {'mode':<9} {'unit':<7} " + " ".join(f"{n + ' (rounds)':>22}" for n, _ in sides)
hdr += " " + " ".join(f"{n + ' GF/s':>10}" for n, _ in sides)
hdr += " " + " ".join(f"{'/' + n:>7}" for n in peer_names) + "  per round " + " | ".join("/" + n for n in peer_names)
print(hdr)
for k in keys:
    row = rows0[k]
    line = f"{k[0]:<9} {k[1]:<{cw}} {k[2]:<9} {'us/step' if k[2] == 'step' else 'seq/s':<7} "
    vals = [series(js, k) for _, js in sides]
    line += " ".join(f"{(' '.join(shown(row, x) for x in v) if v else '(no row)'):>22}" for v in vals)
    gfs = []
    for (name, js), v in zip(sides, vals):
        if v is None:
            gfs.append(f"{'-':>10}")
            continue
        r0 = next(x for x in js[0]["rows"] if key(x) == k)
        gfs.append(f"{statistics.median(v) * r0['flops_per_iter'] / r0['batch'] / 1e9:>10.2f}")
    line += " " + " ".join(gfs)
    ratios, per = [], []
    for v in vals[1:]:
        if vals[0] is None or v is None:
            ratios.append(f"{'-':>7}")
            per.append("-")
        else:
            ratios.append(f"{statistics.median(vals[0]) / statistics.median(v):>7.2f}")
            per.append(" ".join(f"{a / b:.2f}" for a, b in zip(vals[0], v)))
    print(line + " " + " ".join(ratios) + "  " + " | ".join(per))
EOF
if [ "$paired" != 0 ]; then
  if [ "$run_torch" = 1 ]; then
    echo "== paired: PyTorch and rnn4j in alternated bursts, $paired rounds per row ($(date -u +%H:%M:%S) UTC)"
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_WAIT_POLICY=PASSIVE \
      /usr/bin/python3 "$here/tools/bench/torch_rnn_bench.py" --threads "$threads" ${pass[@]+"${pass[@]}"} \
      --paired "${RNN4J_JAR:-$here/rnn4j-cli/target/rnn4j.jar}" --rounds "$paired" --ceiling "$bench_jar" \
      --json "$out/torch-paired.json" \
      | tee "$out/torch-paired.txt"
  fi
  if [ "$run_ort" = 1 ]; then
    echo "== paired: ONNX Runtime and rnn4j in alternated bursts, $paired rounds per row ($(date -u +%H:%M:%S) UTC)"
    ORT_JAVA_OPTS="--add-modules jdk.incubator.vector ${ORT_JAVA_OPTS:-}" ort_cmd ${ort_pass[@]+"${ort_pass[@]}"} \
      --paired "$paired" --ceiling --json "$out/ort-paired.json" 2>&1 | grep -v "^WARNING: \|incubator modules" \
      | tee "$out/ort-paired.txt"
  fi
fi
echo "results in $out"
