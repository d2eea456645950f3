#!/usr/bin/env python3
"""Reference numbers for rnn4j's NgramModel: add-one (Laplace) character n-gram cross-entropy.

Independent of rnn4j (pure Python, no packages): reads a UTF-8 text, splits it 90/10 in reading
order (nanoGPT's shakespeare_char split: the first int(0.9 * n) characters train), counts
n-grams of orders 1..3 on the training part (every position with a full context inside it) and
prints the mean -ln p over the validation characters, each predicted from the characters before
it, with p(c | ctx) = (count(ctx, c) + 1) / (count(ctx) + V), V = distinct characters of the text.

    python3 tools/golden/ngram_baselines.py rnn4j-cli/src/main/resources/io/github/rnn4j/cli/data/tinyshakespeare.txt

The values it printed (Python 3.11) are the ones CharLmCommandTest checks.
"""
import collections
import json
import math
import platform
import sys


def main(path):
    text = open(path, encoding="utf-8").read()
    vocab = sorted(set(text))
    v = len(vocab)
    n = len(text)
    split = int(n * 0.9)
    train = text[:split]
    out = {"python": platform.python_version(), "file": path, "characters": n, "vocabulary": v, "split": split,
           "nats_per_char": {}}
    for order in (1, 2, 3):
        ctx = collections.Counter()
        full = collections.Counter()
        for i in range(order - 1, len(train)):
            c = train[i - order + 1:i]
            ctx[c] += 1
            full[(c, train[i])] += 1
        total = 0.0
        for i in range(split, n):
            c = text[i - order + 1:i]
            total -= math.log((full[(c, text[i])] + 1) / (ctx[c] + v))
        out["nats_per_char"][{1: "unigram", 2: "bigram", 3: "trigram"}[order]] = total / (n - split)
    out["uniform"] = math.log(v)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: ngram_baselines.py TEXT_FILE")
    main(sys.argv[1])
