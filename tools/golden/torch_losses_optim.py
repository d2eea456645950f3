#!/usr/bin/python3
"""PyTorch reference values for rnn4j's losses and optimizers (io.github.rnn4j.training).

Writes rnn4j-core/src/test/resources/golden/torch-training/torch_losses_optim.json, read by
LossGoldenTest and OptimizerGoldenTest. Run with Debian's python (it has python3-torch):

    /usr/bin/python3 tools/golden/torch_losses_optim.py

What it records and why it is a fair reference for Keras semantics:
- Losses: value (mean over every row, Keras's sum_over_batch_size) and d(loss)/d(y_pred) by
  autograd in float64 from float32-exact inputs. Probabilities stay inside [0.02, 0.98] so
  torch's log clamp (-100) and Keras's epsilon clip are both inactive; clipping is tested in Java.
  Categorical cross-entropy on probabilities renormalises by the row sum first, as Keras does.
- Optimizers: torch's SGD (momentum, nesterov) equals Keras's while the learning rate is
  constant; torch's Adam/AdamW/RMSprop put epsilon elsewhere than Keras, so they are run with
  eps = 0, where both formulas coincide. Keras's epsilon placement is checked in Java against an
  independent double-precision implementation of Keras's formulas.
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "rnn4j-core", "src", "test",
                   "resources", "golden", "torch-training", "torch_losses_optim.json")


def f32(a):
    """float32-exact float64 values, so Java's float inputs are the same numbers."""
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def flat(t):
    return [float(v) for v in np.asarray(t.detach() if torch.is_tensor(t) else t).reshape(-1)]


def case(name, loss_name, cfg, pred, true, fn):
    p = torch.tensor(f32(pred), requires_grad=True)
    y = torch.tensor(f32(true))
    value = fn(p, y)
    value.backward()
    return {"name": name, "loss": loss_name, "config": cfg,
            "pred_shape": list(p.shape), "pred": flat(p), "true_shape": list(y.shape), "true": flat(y),
            "value": float(value), "grad": flat(p.grad)}


def cce_probs(p, y, ls=0.0):
    c = p.shape[-1]
    y = y * (1 - ls) + ls / c
    q = p / p.sum(-1, keepdim=True)
    return -(y * torch.log(q)).sum(-1).mean()


def losses(rng):
    out = []
    u = lambda *s: rng.uniform(-2, 2, size=s)
    prob = lambda *s: rng.uniform(0.02, 0.98, size=s)
    for shape in [(3, 4), (2, 3, 2), (5,)]:
        a, b = u(*shape), u(*shape)
        out.append(case("mse_%s" % "x".join(map(str, shape)), "mse", {}, a, b, lambda p, y: F.mse_loss(p, y)))
        out.append(case("mae_%s" % "x".join(map(str, shape)), "mae", {}, a, b, lambda p, y: F.l1_loss(p, y)))
        for d in (1.0, 0.5):
            out.append(case("huber_d%s_%s" % (d, "x".join(map(str, shape))), "huber", {"delta": d}, a, b,
                            lambda p, y, d=d: F.huber_loss(p, y, delta=d)))
    for shape in [(4, 3), (2, 3, 1)]:
        y01 = rng.integers(0, 2, size=shape).astype(np.float64)
        out.append(case("bce_probs_%s" % "x".join(map(str, shape)), "binary_crossentropy", {"from_logits": False},
                        prob(*shape), y01, lambda p, y: F.binary_cross_entropy(p, y)))
        out.append(case("bce_probs_ls0.2_%s" % "x".join(map(str, shape)), "binary_crossentropy",
                        {"from_logits": False, "label_smoothing": 0.2}, prob(*shape), y01,
                        lambda p, y: F.binary_cross_entropy(p, y * 0.8 + 0.1)))
        logits = u(*shape) * 3
        logits.reshape(-1)[0] = 40.0
        logits.reshape(-1)[1] = -45.0
        out.append(case("bce_logits_%s" % "x".join(map(str, shape)), "binary_crossentropy", {"from_logits": True},
                        logits, y01, lambda p, y: F.binary_cross_entropy_with_logits(p, y)))
    for shape in [(4, 5), (2, 3, 4)]:
        c = shape[-1]
        ids = rng.integers(0, c, size=shape[:-1])
        onehot = np.eye(c)[ids]
        logits = u(*shape) * 3
        logits.reshape(-1)[0] = 60.0  # a large logit: log-sum-exp must stay finite
        cls_first = lambda t: t if t.dim() == 2 else t.permute(0, 2, 1)
        for ls in (0.0, 0.1):
            out.append(case("cce_logits_ls%s_%s" % (ls, "x".join(map(str, shape))), "categorical_crossentropy",
                            {"from_logits": True, "label_smoothing": ls}, logits, onehot,
                            lambda p, y, ls=ls: F.cross_entropy(cls_first(p), cls_first(y), label_smoothing=ls)))
            out.append(case("cce_probs_ls%s_%s" % (ls, "x".join(map(str, shape))), "categorical_crossentropy",
                            {"from_logits": False, "label_smoothing": ls}, prob(*shape), onehot,
                            lambda p, y, ls=ls: cce_probs(p, y, ls)))
        out.append(case("scce_logits_%s" % "x".join(map(str, shape)), "sparse_categorical_crossentropy",
                        {"from_logits": True}, logits, ids.astype(np.float64),
                        lambda p, y: F.cross_entropy(cls_first(p), y.long())))
        out.append(case("scce_probs_%s" % "x".join(map(str, shape)), "sparse_categorical_crossentropy",
                        {"from_logits": False}, prob(*shape), ids.astype(np.float64),
                        lambda p, y: F.nll_loss(cls_first(torch.log(p / p.sum(-1, keepdim=True))), y.long())))
    return out


def optim_case(name, keras_class, keras_cfg, make, rng, steps=6):
    shapes = [(2, 3), (4,)]
    init = [f32(rng.uniform(-1, 1, size=s)) for s in shapes]
    grads = [[f32(rng.uniform(-1, 1, size=s)) for s in shapes] for _ in range(steps)]
    ps = [torch.tensor(v.copy(), requires_grad=True) for v in init]
    opt = make(ps)
    after = []
    for k in range(steps):
        for p, g in zip(ps, grads[k]):
            p.grad = torch.tensor(g)
        opt.step()
        after.append([flat(p) for p in ps])
    return {"name": name, "class_name": keras_class, "config": keras_cfg,
            "shapes": [list(s) for s in shapes], "init": [flat(v) for v in init],
            "grads": [[flat(g) for g in gs] for gs in grads], "after": after}


def optimizers(rng):
    o = []
    o.append(optim_case("sgd_plain", "SGD", {"learning_rate": 0.1}, lambda p: torch.optim.SGD(p, lr=0.1), rng))
    o.append(optim_case("sgd_momentum", "SGD", {"learning_rate": 0.05, "momentum": 0.9},
                        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9), rng))
    o.append(optim_case("sgd_nesterov", "SGD", {"learning_rate": 0.05, "momentum": 0.8, "nesterov": True},
                        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8, nesterov=True), rng))
    o.append(optim_case("adam_eps0", "Adam", {"learning_rate": 0.01, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 0.0},
                        lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.9, 0.999), eps=0.0), rng))
    o.append(optim_case("adam_amsgrad_eps0", "Adam",
                        {"learning_rate": 0.02, "beta_1": 0.8, "beta_2": 0.9, "epsilon": 0.0, "amsgrad": True},
                        lambda p: torch.optim.Adam(p, lr=0.02, betas=(0.8, 0.9), eps=0.0, amsgrad=True), rng))
    o.append(optim_case("adamw_eps0", "AdamW",
                        {"learning_rate": 0.01, "weight_decay": 0.1, "epsilon": 0.0},
                        lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1, eps=0.0), rng))
    o.append(optim_case("rmsprop_eps0", "RMSprop", {"learning_rate": 0.01, "rho": 0.9, "epsilon": 0.0},
                        lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=0.0), rng))
    o.append(optim_case("rmsprop_centered_momentum_eps0", "RMSprop",
                        {"learning_rate": 0.01, "rho": 0.8, "momentum": 0.5, "epsilon": 0.0, "centered": True},
                        lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.8, eps=0.0, momentum=0.5, centered=True),
                        rng))
    return o


def main():
    rng = np.random.default_rng(20240607)
    doc = {"generator": "tools/golden/torch_losses_optim.py", "torch_version": torch.__version__,
           "numpy_version": np.__version__, "python_version": sys.version.split()[0], "seed": 20240607,
           "dtype": "float64 computation on float32-exact inputs",
           "losses": losses(rng), "optimizers": optimizers(rng)}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
    print("wrote", os.path.normpath(OUT), len(doc["losses"]), "loss cases,", len(doc["optimizers"]), "optimizer cases")


if __name__ == "__main__":
    main()
