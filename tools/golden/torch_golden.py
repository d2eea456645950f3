#!/usr/bin/python3
"""PyTorch golden vectors for rnn4j's recurrent layers (forward and every gradient).

What it is: the generator of rnn4j-core/src/test/resources/golden/torch/*.json, read by
TorchParityTest.  For nn.RNN(tanh) / nn.LSTM / nn.GRU with batch_first=True, 1 and 2 layers,
uni- and bidirectional, a few seeds and two size sets, it records the PyTorch parameters (and
the same weights converted to Keras layout), the inputs, the outputs and final states, and the
gradients of two scalar losses with respect to x, h0, c0 and every parameter.

Numbers: parameters, inputs, initial states and loss weights are drawn in float32 (so they are
exact in float32 and written as their shortest float32 text); the forward and backward passes
run in float64, and derived values (outputs, losses, gradients, the summed Keras biases) are
written with 13 significant digits (relative rounding <= 5e-14: far below the float32
tolerances of the Java tests, and still inside 1e-12 for a float64 reimplementation).  Readers
must round the exact-float32 values to float32 (text -> double -> float): the text is the
shortest decimal for the float32, not its exact binary value.  The vectors agree with the
reference set in the steering repo (same RNG scheme) to ~5e-13 for the same configuration.  File format: "torch-golden-v1", the one of the reference vectors described in the
steering repo's torch-golden README (same fields; see FORMAT_NOTES below).

What it is not: a test.  It does not check rnn4j; it needs torch and numpy, which the Java build
does not.  Run it by hand when the format or the cases change, and commit its output:

    /usr/bin/python3 tools/golden/torch_golden.py            # writes the default output dir
    /usr/bin/python3 tools/golden/torch_golden.py --out DIR

(Debian's python3-torch is only visible to /usr/bin/python3.)
"""

import argparse
import datetime
import json
import math
import os
import platform
import sys

import numpy as np
import torch

FORMAT = "torch-golden-v1"
SCRIPT = "tools/golden/torch_golden.py"
DEFAULT_OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                           "rnn4j-core", "src", "test", "resources", "golden", "torch")

# (cell id, file prefix, torch module, gates G)
CELLS = [("RNN_TANH", "rnn_tanh", 1), ("LSTM", "lstm", 4), ("GRU", "gru", 3)]
# (num_layers, bidirectional), in the order of the reference vectors' config_index
LAYOUTS = [(1, False), (1, True), (2, False), (2, True)]
# size sets: (tag, batch B, seq_len T, input_size I, hidden_size H, seeds)
#   the first one is the reference vectors' size (B=3, T=5, I=4, H=6) and their seed scheme;
#   the second has other, mutually distinct sizes so that a swapped axis cannot pass.
SIZES = [("", 3, 5, 4, 6, (1, 2)),
         ("B2T7I3H5", 2, 7, 3, 5, (1,))]

GATE_ORDER = {
    "RNN_TANH": "rows of weight_ih/weight_hh/bias_* are 1 block of hidden_size",
    "LSTM": "rows of weight_ih/weight_hh/bias_* are 4 blocks of hidden_size: i, f, g, o",
    "GRU": "rows of weight_ih/weight_hh/bias_* are 3 blocks of hidden_size: r, z, n",
}
EQUATIONS = {
    "RNN_TANH": ["h' = tanh(W_ih x + b_ih + W_hh h + b_hh)"],
    "LSTM": ["i = sigmoid(W_ii x + b_ii + W_hi h + b_hi)",
             "f = sigmoid(W_if x + b_if + W_hf h + b_hf)",
             "g = tanh(W_ig x + b_ig + W_hg h + b_hg)",
             "o = sigmoid(W_io x + b_io + W_ho h + b_ho)",
             "c' = f * c + i * g",
             "h' = o * tanh(c')"],
    "GRU": ["r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)",
            "z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)",
            "n = tanh(W_in x + b_in + r * (W_hn h + b_hn))   # reset applied AFTER the matmul "
            "(Keras reset_after=True, ONNX linear_before_reset=1)",
            "h' = (1 - z) * n + z * h"],
}
KERAS_LAYER = {"RNN_TANH": "SimpleRNN", "LSTM": "LSTM", "GRU": "GRU(reset_after=True)"}

FORMAT_NOTES = [
    "every tensor is {shape, data} with data the row-major flattening",
    "params/inputs/loss_weights are float32 values written as their shortest decimal text (read "
    "them as float32); outputs, loss, grads, grads_full are float64 results for those float32 "
    "values, written with 13 significant digits",
    "keras_weights: kernel = weight_ih^T, recurrent_kernel = weight_hh^T; SimpleRNN/LSTM bias = "
    "bias_ih + bias_hh (float64 sum, not float32-exact); GRU blocks permuted r,z,n -> z,r,n and "
    "bias = [bias_ih; bias_hh] of shape [2, 3H]",
    "inputs.h0/c0 and outputs.h_n/c_n are [L*D, B, H] indexed layer*D + direction (1 = reverse)",
    "outputs.output is [B, T, D*H] = [forward H, backward H]; the backward half at time t is the "
    "reverse pass's state after consuming x[T-1..t]",
    "loss.output = sum(output * G_out) -> grads; loss.full adds sum(h_n * G_h) [+ sum(c_n * G_c)] "
    "-> grads_full",
]


# ---- number formatting ----------------------------------------------------------------------

class _Raw:
    """Pre-formatted JSON text (lets tensors be written one per line with chosen precision)."""

    def __init__(self, text):
        self.text = text


def _f32(v):
    # shortest text that reads back as the same float32 (numpy's Dragon4 'unique' mode); checked
    # to survive the path a reader takes: text -> float64 -> round to float32
    v32 = np.float32(v)
    s = _compact(np.format_float_scientific(v32, unique=True, trim="-"))
    if np.float32(float(s)) != v32:
        raise AssertionError("float32 text %s does not read back as %r" % (s, v32))
    return s


def _f64(v):
    v = float(v)
    if not math.isfinite(v):
        raise ValueError("non-finite value %r" % v)
    return _compact("%.13g" % v)


def _compact(s):
    # '1.5e+00' -> '1.5', '1.5e-05' stays scientific; keep JSON-valid numbers
    f = float(s)
    r = repr(f)
    return r if len(r) <= len(s) else s


def tensor(t, exact32):
    a = t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
    flat = a.reshape(-1)
    if exact32:
        assert np.all(flat.astype(np.float32).astype(np.float64) == flat.astype(np.float64)), "not float32-exact"
        data = ",".join(_f32(v) for v in flat)
    else:
        data = ",".join(_f64(v) for v in flat)
    return _Raw('{"shape": %s, "data": [%s]}' % (json.dumps(list(a.shape)), data))


def dumps(obj, indent=0):
    """json.dumps with _Raw leaves, one key per line."""
    pad = " " * (indent + 1)
    if isinstance(obj, _Raw):
        return obj.text
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        items = [pad + json.dumps(k) + ": " + dumps(v, indent + 1) for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    if isinstance(obj, list) and obj and isinstance(obj[0], dict):
        return "[\n" + ",\n".join(pad + json.dumps(v) for v in obj) + "\n" + " " * indent + "]"
    if isinstance(obj, float):
        return _f64(obj)
    return json.dumps(obj)


# ---- one case -------------------------------------------------------------------------------

def make_module(cell, size_in, hidden, layers, bidi):
    kw = dict(input_size=size_in, hidden_size=hidden, num_layers=layers, bias=True,
              batch_first=True, dropout=0.0, bidirectional=bidi)
    if cell == "RNN_TANH":
        return torch.nn.RNN(nonlinearity="tanh", **kw)
    if cell == "LSTM":
        return torch.nn.LSTM(**kw)
    return torch.nn.GRU(**kw)


def keras_weights(cell, named, layers, bidi, hidden):
    """The same weights in Keras layout, keyed l{k} / l{k}_reverse."""
    out = {}
    h = hidden
    for k in range(layers):
        for sfx in ([""] + (["_reverse"] if bidi else [])):
            w_ih = named["weight_ih_l%d%s" % (k, sfx)].double()
            w_hh = named["weight_hh_l%d%s" % (k, sfx)].double()
            b_ih = named["bias_ih_l%d%s" % (k, sfx)].double()
            b_hh = named["bias_hh_l%d%s" % (k, sfx)].double()
            if cell == "GRU":
                perm = torch.cat([torch.arange(h, 2 * h), torch.arange(0, h), torch.arange(2 * h, 3 * h)])
                kern = w_ih[perm].t()
                rec = w_hh[perm].t()
                bias = torch.stack([b_ih[perm], b_hh[perm]])
                bias_exact = True
            else:
                kern = w_ih.t()
                rec = w_hh.t()
                bias = b_ih + b_hh
                bias_exact = False
            out["l%d%s" % (k, sfx)] = {
                "kernel": tensor(kern, True),
                "recurrent_kernel": tensor(rec, True),
                "bias": tensor(bias, bias_exact),
            }
    return out


def run_case(cell, prefix, gates, layers, bidi, size, seed, config_index):
    tag, nb, nt, ni, nh, _ = size
    nd = 2 if bidi else 1
    manual_seed = seed * 100 + config_index + (0 if not tag else 50)
    torch.manual_seed(manual_seed)
    # draw everything in float32 (PyTorch's default init U(-1/sqrt(H), 1/sqrt(H))), then compute in float64
    mod32 = make_module(cell, ni, nh, layers, bidi)
    x32 = torch.randn(nb, nt, ni)
    h032 = 0.5 * torch.randn(layers * nd, nb, nh)
    c032 = 0.5 * torch.randn(layers * nd, nb, nh) if cell == "LSTM" else None
    g_out32 = torch.randn(nb, nt, nd * nh)
    g_h32 = torch.randn(layers * nd, nb, nh)
    g_c32 = torch.randn(layers * nd, nb, nh) if cell == "LSTM" else None

    param_names = [n for n, _ in mod32.named_parameters()]
    params32 = {n: p.detach().clone() for n, p in mod32.named_parameters()}

    def forward_backward(full):
        mod = make_module(cell, ni, nh, layers, bidi).double()
        with torch.no_grad():
            for n, p in mod.named_parameters():
                p.copy_(params32[n].double())
        x = x32.double().requires_grad_(True)
        h0 = h032.double().requires_grad_(True)
        if cell == "LSTM":
            c0 = c032.double().requires_grad_(True)
            out, (h_n, c_n) = mod(x, (h0, c0))
        else:
            c0 = c_n = None
            out, h_n = mod(x, h0)
        loss = (out * g_out32.double()).sum()
        if full:
            loss = loss + (h_n * g_h32.double()).sum()
            if cell == "LSTM":
                loss = loss + (c_n * g_c32.double()).sum()
        loss.backward()
        grads = {"x": tensor(x.grad, False), "h0": tensor(h0.grad, False)}
        if cell == "LSTM":
            grads["c0"] = tensor(c0.grad, False)
        for n, p in mod.named_parameters():
            grads[n] = tensor(p.grad, False)
        return out, h_n, c_n, loss.item(), grads

    out, h_n, c_n, loss_out, grads = forward_backward(False)
    _, _, _, loss_full, grads_full = forward_backward(True)

    name = "%s_L%d_%s%s_seed%d" % (prefix, layers, "bi" if bidi else "uni", ("_" + tag) if tag else "", seed)
    full_formula = "sum(output * loss_weights.output) + sum(h_n * loss_weights.h_n)"
    if cell == "LSTM":
        full_formula += " + sum(c_n * loss_weights.c_n)"
    doc = {
        "format": FORMAT,
        "name": name,
        "seed": seed,
        "torch_manual_seed": manual_seed,
        "generator": {"torch_version": torch.__version__, "script": SCRIPT, "compute_dtype": "float64",
                      "values_exact_in_float32": True, "notes": FORMAT_NOTES},
        "cell": cell,
        "config": {"mode": "RNN_TANH" if cell == "RNN_TANH" else cell, "input_size": ni, "hidden_size": nh,
                   "num_layers": layers, "bidirectional": bidi, "num_directions": nd, "batch_first": True,
                   "bias": True, "nonlinearity": "tanh" if cell == "RNN_TANH" else None, "dropout": 0.0,
                   "batch": nb, "seq_len": nt},
        "gate_order": GATE_ORDER[cell],
        "equations": EQUATIONS[cell],
        "param_names": param_names,
        "keras_layer": KERAS_LAYER[cell],
        "params": {n: tensor(params32[n], True) for n in param_names},
        "keras_weights": keras_weights(cell, params32, layers, bidi, nh),
        "inputs": dict([("x", tensor(x32, True)), ("h0", tensor(h032, True))]
                       + ([("c0", tensor(c032, True))] if cell == "LSTM" else [])),
        "outputs": dict([("output", tensor(out, False)), ("h_n", tensor(h_n, False))]
                        + ([("c_n", tensor(c_n, False))] if cell == "LSTM" else [])),
        "loss_weights": dict([("output", tensor(g_out32, True)), ("h_n", tensor(g_h32, True))]
                             + ([("c_n", tensor(g_c32, True))] if cell == "LSTM" else [])),
        "loss": {"output": {"formula": "sum(output * loss_weights.output)", "value": loss_out},
                 "full": {"formula": full_formula, "value": loss_full}},
        "grads": grads,
        "grads_full": grads_full,
    }
    entry = {"file": name + ".json", "cell": cell, "num_layers": layers, "bidirectional": bidi, "seed": seed,
             "batch": nb, "seq_len": nt, "input_size": ni, "hidden_size": nh,
             "loss_output": loss_out, "loss_full": loss_full}
    return name, doc, entry


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=DEFAULT_OUT, help="output directory (default: %(default)s)")
    args = ap.parse_args()
    out_dir = os.path.normpath(args.out)
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(1)  # deterministic reductions
    entries = []
    total = 0
    for size in SIZES:
        for seed in size[5]:
            config_index = 0
            for cell, prefix, gates in CELLS:
                for layers, bidi in LAYOUTS:
                    name, doc, entry = run_case(cell, prefix, gates, layers, bidi, size, seed, config_index)
                    config_index += 1
                    text = dumps(doc) + "\n"
                    with open(os.path.join(out_dir, name + ".json"), "w") as f:
                        f.write(text)
                    total += len(text)
                    entries.append(entry)
    index = {
        "format": FORMAT,
        "generator": {
            "script": SCRIPT,
            "torch_version": torch.__version__,
            "numpy_version": np.__version__,
            "python_version": platform.python_version(),
            "platform": platform.platform(),
            "generated": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "compute_dtype": "float64",
            "rng": "torch.manual_seed(seed*100 + config_index [+ 50 for the non-default size set]); "
                   "draw order: module init, x ~ N(0,1), h0 = 0.5*N(0,1), [c0 = 0.5*N(0,1)], "
                   "G_out, G_h, [G_c] ~ N(0,1)",
        },
        "files": entries,
    }
    with open(os.path.join(out_dir, "index.json"), "w") as f:
        f.write(dumps(index) + "\n")
    print("wrote %d files (%.0f kB) to %s" % (len(entries), total / 1024.0, out_dir), file=sys.stderr)


if __name__ == "__main__":
    main()
