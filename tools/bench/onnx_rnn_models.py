#!/usr/bin/python3
"""Writes the ONNX models that the ONNX Runtime peer of `rnn4j bench` times (OrtRnnBench in the
rnn4j-bench module), plus a small parity fixture so that runner can check the models compute a
real RNN / LSTM / GRU of the stated size.

What it writes into --out (a directory outside the repository; default a new temp dir), per cell
(simple = ONNX RNN tanh, lstm = LSTM, gru = GRU) and configuration -- the configurations of
`rnn4j bench`:
  {cell}-{config}.onnx for small 32x50x8x64, medium 64x100x32x256, large 128x200x128x512 (BxTxFxH)
                        or a custom BxTxFxH: one ONNX recurrent operator (opset --opset, default
                        14, the newest RNN/LSTM/GRU version), input X (T, B, F) float32, output
                        Y_h (1, B, H) only -- the last state, the same result as rnn4j's
                        returnSequences=false inference. The node's Y output is left unnamed (not
                        requested), but the recurrence itself produces every step's hidden state
                        inside the kernel, so the work timed is the whole sequence.
  {cell}-charlm.onnx   (B 64, T 100, V 65, H 512, or charlm:BxTxVxH): X (T, B, V) (the benchmark
                        feeds one-hot rows) -> the recurrent op's Y (T, 1, B, H) -> Squeeze ->
                        MatMul (H, V) + bias -> logits (T, B, V): rnn4j's returnSequences=true
                        layer then Dense(V) on every step.
  {cell}-step.onnx     (F 32, H 128, or step:FxH): the single-step latency model, X (1, 1, F),
                        inputs initial_h (and initial_c for LSTM) (1, 1, H), outputs Y_h (and
                        Y_c), so a caller feeds the state back on every call.
  check/{cell}/         parity fixture, a tiny config (B 3, T 7, F 5, H 6): the ONNX model, the
                        same weights in PyTorch's layout (weight_ih_l0, weight_hh_l0, bias_ih_l0,
                        bias_hh_l0) and the input x (T, B, F) as raw little-endian float32 (.f32),
                        and torch.nn.{RNN,LSTM,GRU}'s h_n for that input (torch-h_n.f32), computed
                        here with those weights. OrtRnnBench --check runs the ONNX model in ONNX
                        Runtime and compares with torch's h_n (and with rnn4j's own layer loaded
                        with the same PyTorch weights).
  manifest.json         onnx and torch versions, IR version, opset, seed, and each model's shape.

Layout: X is sequence-first (ONNX layout 0). ONNX Runtime 1.29's CPU kernels reject layout=1
("Batchwise recurrent operations (layout == 1) are not supported", checked for RNN, LSTM and GRU),
and the benchmark builds its input tensor once, so the layout costs nothing in the timed calls.
Weights: random from a fixed seed (per model, so a model does not depend on which others are
written), PyTorch's default U(-1/sqrt(H), 1/sqrt(H)), drawn in PyTorch's layout and reordered
into ONNX's (LSTM i,f,g,o -> i,o,f,c; GRU r,z,n -> z,r,h), so the fixture's PyTorch weights are
exactly the model's. GRU has linear_before_reset=1 (= Keras resetAfter=true, rnn4j's default,
= PyTorch's GRU). Activations are the defaults (sigmoid gates, tanh).

What it is not: a benchmark (nothing is timed here) and not a converter of trained models. There
is no onnxruntime Python package on this machine, so the ONNX-vs-torch comparison itself runs in
Java (OrtRnnBench --check). A configuration it does not know is skipped with a note.

    /usr/bin/python3 tools/bench/onnx_rnn_models.py --out /tmp/rnn4j-onnx
"""
import argparse
import json
import os
import sys
import tempfile
import zlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

# name: (kind, batch, seq, features, units) -- as BenchCommand.CONFIGS (charlm: features = vocabulary)
CONFIGS = {
    "small": ("seq", 32, 50, 8, 64),
    "medium": ("seq", 64, 100, 32, 256),
    "large": ("seq", 128, 200, 128, 512),
    "charlm": ("charlm", 64, 100, 65, 512),
    "step": ("step", 1, 1, 32, 128),
}
DEFAULT_CONFIGS = "small,medium,large,charlm,step"
CHECK = (3, 7, 5, 6)  # the parity fixture: tiny, so the check is instant
GATES = {"simple": 1, "lstm": 4, "gru": 3}
OP = {"simple": "RNN", "lstm": "LSTM", "gru": "GRU"}
# for each ONNX gate block, the PyTorch block it comes from
ONNX_FROM_TORCH = {"simple": [0], "lstm": [0, 3, 1, 2], "gru": [1, 0, 2]}


def config(s):
    """(kind, B, T, F, H) of a named or custom configuration (BxTxFxH, charlm:BxTxVxH, step:FxH), or None."""
    low = s.lower()
    if low in CONFIGS:
        return CONFIGS[low]
    kind, dims, n = "seq", low, 4
    if low.startswith("charlm:"):
        kind, dims = "charlm", low[len("charlm:"):]
    elif low.startswith("step:"):
        kind, dims, n = "step", low[len("step:"):], 2
    p = dims.split("x")
    if len(p) != n or not all(v.isdigit() and int(v) > 0 for v in p):
        return None
    v = [int(x) for x in p]
    return ("step", 1, 1, v[0], v[1]) if kind == "step" else (kind, *v)


def rng_for(seed, name):
    """A generator per model, so a model's weights do not depend on which other models are written."""
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def torch_weights(cell, f, h, rng):
    """PyTorch-layout weights of a 1-layer module, U(-1/sqrt(H), 1/sqrt(H)) like PyTorch's init."""
    g, k = GATES[cell], 1.0 / np.sqrt(h)
    u = lambda *shape: rng.uniform(-k, k, size=shape).astype(np.float32)
    return {"weight_ih_l0": u(g * h, f), "weight_hh_l0": u(g * h, h),
            "bias_ih_l0": u(g * h), "bias_hh_l0": u(g * h)}


def reorder(a, cell, h):
    """Rows of a PyTorch (G*H, ...) block matrix in ONNX's gate order."""
    return np.concatenate([a[b * h:(b + 1) * h] for b in ONNX_FROM_TORCH[cell]], axis=0)


def make_model(cell, kind, b, t, f, h, w, opset, rng=None):
    """One ONNX recurrent operator over X (T, B, F) with the given PyTorch-layout weights; for
    kind "charlm" followed by a Dense(V) on every step, for kind "step" with state inputs/outputs."""
    W = reorder(w["weight_ih_l0"], cell, h)[None]
    R = reorder(w["weight_hh_l0"], cell, h)[None]
    B = np.concatenate([reorder(w["bias_ih_l0"], cell, h), reorder(w["bias_hh_l0"], cell, h)])[None]
    inits = [numpy_helper.from_array(W, "W"), numpy_helper.from_array(R, "R"), numpy_helper.from_array(B, "B")]
    inputs = [helper.make_tensor_value_info("X", TensorProto.FLOAT, [t, b, f])]
    state = [1, b, h]
    node_in = ["X", "W", "R", "B"]
    node_out = ["", "Y_h"]
    outputs = [helper.make_tensor_value_info("Y_h", TensorProto.FLOAT, state)]
    nodes = []
    if kind == "step":
        # inputs: X, W, R, B, sequence_lens (none), initial_h[, initial_c]
        node_in += ["", "initial_h"]
        inputs.append(helper.make_tensor_value_info("initial_h", TensorProto.FLOAT, state))
        if cell == "lstm":
            node_in.append("initial_c")
            node_out.append("Y_c")
            inputs.append(helper.make_tensor_value_info("initial_c", TensorProto.FLOAT, state))
            outputs.append(helper.make_tensor_value_info("Y_c", TensorProto.FLOAT, state))
    elif kind == "charlm":
        # every step's h -> Dense(V): Y (T, 1, B, H) -> (T, B, H) @ (H, V) + b -> logits (T, B, V)
        node_out = ["Y"]
        k = 1.0 / np.sqrt(h)
        inits += [numpy_helper.from_array(rng.uniform(-k, k, size=(h, f)).astype(np.float32), "dense_kernel"),
                  numpy_helper.from_array(rng.uniform(-k, k, size=(f,)).astype(np.float32), "dense_bias"),
                  numpy_helper.from_array(np.array([1], dtype=np.int64), "axis1")]
        nodes += [helper.make_node("Squeeze", ["Y", "axis1"], ["Y_seq"], name="squeeze"),
                  helper.make_node("MatMul", ["Y_seq", "dense_kernel"], ["logits_nb"], name="dense_matmul"),
                  helper.make_node("Add", ["logits_nb", "dense_bias"], ["logits"], name="dense_bias_add")]
        outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [t, b, f])]
    attrs = {"hidden_size": h, "direction": "forward"}
    if cell == "gru":
        attrs["linear_before_reset"] = 1
    nodes.insert(0, helper.make_node(OP[cell], node_in, node_out, name=OP[cell].lower(), **attrs))
    graph = helper.make_graph(nodes, f"{cell}_{kind}_{b}x{t}x{f}x{h}", inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="rnn4j tools/bench/onnx_rnn_models.py")
    # the runner reads H here (a charlm model's outputs do not show it)
    helper.set_model_props(model, {"units": str(h), "kind": kind, "cell": cell})
    onnx.checker.check_model(model, full_check=True)
    return model


def write_f32(path, a):
    np.ascontiguousarray(a, dtype="<f4").tofile(path)


def write_check(out, cell, opset, rng):
    """The parity fixture of one cell: model, PyTorch weights, input, and torch's h_n."""
    import torch
    b, t, f, h = CHECK
    w = torch_weights(cell, f, h, rng)
    x = rng.uniform(-1, 1, size=(t, b, f)).astype(np.float32)
    mod = {"simple": lambda: torch.nn.RNN(f, h, nonlinearity="tanh"),
           "lstm": lambda: torch.nn.LSTM(f, h), "gru": lambda: torch.nn.GRU(f, h)}[cell]()
    mod.load_state_dict({k: torch.from_numpy(v) for k, v in w.items()})
    with torch.no_grad():
        _, hn = mod(torch.from_numpy(x))
    hn = (hn[0] if cell == "lstm" else hn).numpy()  # (1, B, H)
    d = os.path.join(out, "check", cell)
    os.makedirs(d, exist_ok=True)
    onnx.save(make_model(cell, "seq", b, t, f, h, w, opset), os.path.join(d, "model.onnx"))
    for k, v in w.items():
        write_f32(os.path.join(d, k + ".f32"), v)
    write_f32(os.path.join(d, "x.f32"), x)
    write_f32(os.path.join(d, "torch-h_n.f32"), hn)
    return {"cell": cell, "batch": b, "seq": t, "features": f, "units": h, "dir": f"check/{cell}",
            "torch_h_n_abs_max": float(np.abs(hn).max())}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=None, help="output directory (default: a new temp dir); never the repo")
    ap.add_argument("--cells", default="simple,lstm,gru")
    ap.add_argument("--configs", default=DEFAULT_CONFIGS,
                    help=f"small, medium, large, charlm, step, or BxTxFxH, charlm:BxTxVxH, step:FxH "
                         f"(default: {DEFAULT_CONFIGS})")
    ap.add_argument("--opset", type=int, default=14, help="ONNX opset (14: the newest RNN/LSTM/GRU version)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--no-check", action="store_true", help="skip the parity fixture (it needs torch)")
    args = ap.parse_args()
    out = args.out or tempfile.mkdtemp(prefix="rnn4j-onnx-")
    os.makedirs(out, exist_ok=True)
    cells = [c.strip().lower() for c in args.cells.split(",") if c.strip()]
    for c in cells:
        if c not in GATES:
            sys.exit(f"--cells must be simple, lstm or gru, got '{c}'")
    models = []
    print(f"onnx {onnx.__version__} (IR {onnx.IR_VERSION}), opset {args.opset}, layout 0 (X is (T, B, F)), "
          f"seed {args.seed} -> {out}")
    for name in [c.strip() for c in args.configs.split(",") if c.strip()]:
        cfg = config(name)
        if cfg is None:
            print(f"  no ONNX model for configuration '{name}' (known: small, medium, large, charlm, step, "
                  f"BxTxFxH, charlm:BxTxVxH, step:FxH); skipped")
            continue
        kind, b, t, f, h = cfg
        for cell in cells:
            file = f"{cell}-{name.lower()}.onnx"
            rng = rng_for(args.seed, file)
            onnx.save(make_model(cell, kind, b, t, f, h, torch_weights(cell, f, h, rng), args.opset, rng),
                      os.path.join(out, file))
            models.append({"cell": cell, "config": name.lower(), "kind": kind, "file": file, "batch": b, "seq": t,
                           "features": f, "units": h})
            print(f"  {file}: {OP[cell]} {kind} B{b} T{t} {'V' if kind == 'charlm' else 'F'}{f} H{h}")
    manifest = {"onnx": onnx.__version__, "ir_version": onnx.IR_VERSION, "opset": args.opset, "seed": args.seed,
                "layout": 0, "models": models}
    if not args.no_check:
        import torch
        manifest["torch"] = torch.__version__
        manifest["check"] = [write_check(out, cell, args.opset, rng_for(args.seed, "check-" + cell))
                             for cell in ["simple", "lstm", "gru"]]
        print(f"  check/{{simple,lstm,gru}}: parity fixture B{CHECK[0]} T{CHECK[1]} F{CHECK[2]} H{CHECK[3]} "
              f"with torch {torch.__version__} h_n")
    with open(os.path.join(out, "manifest.json"), "w") as fh:
        json.dump(manifest, fh, indent=2)


if __name__ == "__main__":
    main()
