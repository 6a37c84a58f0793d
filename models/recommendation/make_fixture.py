#!/usr/bin/env python3
"""Writes models/fixtures/recommendation/: a correctness fixture for the recommendation model.

Run after models/recommendation/train.py, with Debian's python3-torch (1.13):

    /usr/bin/python3 models/recommendation/make_fixture.py

Same layout as models/make_fixtures.py writes (features=1, outputs=2K):
  model.pt          a copy of models/recommendation/model.pt
  events.csv        seq,key,x0: item ids as floats; 20 users (u-0..u-19) of 1..15 events each,
                    interleaved at random (per-user order kept)
  expected.csv      seq,key,y0..y{2K-1}: embedding + nn.GRU over each user's WHOLE sequence at once
                    (zero initial state), the Linear head on every step, then torch.topk inside
                    the logits: K item ids (as floats, best first), then their softmax probabilities
  final_states.csv  key,steps,h0..h{H-1}: each user's state after its last event
  step.csv          one batched step of the exported module from random (non-zero) states
  meta.properties   sizes of the model

No near-ties: at every step of every user (and every row of step.csv) the K+1 largest logits
differ pairwise by at least MIN_GAP, so the order of the top-K ids is the same however the GRU is
computed (stepwise or whole-sequence, CPU or GPU, TF32 included). The sequences are built one
event at a time, each next item drawn (half the time from the previous top-K, else uniformly from
the catalogue) until that step is tie-free.
"""
import csv
import os
import random
import shutil

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), "fixtures", "recommendation")
USERS, MAX_LEN, SEED = 20, 15, 99
MIN_GAP = 0.01  # in logits


def fmt(v: float) -> str:
    # repr of the float32 value read back as float64: parses back to the same float32.
    return repr(float(v))


def gap_ok(logits: torch.Tensor, k: int) -> bool:
    """Whether the k+1 largest of logits [N] are at least MIN_GAP apart."""
    top = torch.topk(logits, k + 1).values
    return bool((top[:-1] - top[1:]).min() >= MIN_GAP)


def top(logits: torch.Tensor, k: int) -> torch.Tensor:
    """[N, ITEMS] logits -> [N, 2K]: top-K ids (float32), then their softmax probabilities."""
    scores, ids = torch.topk(logits, k, dim=1)
    probs = torch.exp(scores - torch.logsumexp(logits, dim=1, keepdim=True))
    return torch.cat([ids.to(torch.float32), probs], dim=1)


def main():
    rng = random.Random(SEED)
    torch.manual_seed(SEED)
    model = torch.jit.load(os.path.join(HERE, "model.pt")).eval()
    # The reference: plain torch.nn modules holding the exported module's weights.
    state = model.state_dict()
    items, embedding = state["embed.weight"].shape
    hidden = state["gru.weight_hh_l0"].shape[1]
    layers = 1
    embed, gru, head = nn.Embedding(items, embedding), nn.GRU(embedding, hidden, layers, batch_first=True), nn.Linear(hidden, items)
    embed.load_state_dict({n[6:]: v for n, v in state.items() if n.startswith("embed.")})
    gru.load_state_dict({n[4:]: v for n, v in state.items() if n.startswith("gru.")})
    head.load_state_dict({n[5:]: v for n, v in state.items() if n.startswith("head.")})
    with torch.no_grad():
        k = model(torch.zeros(1, 1), torch.zeros(layers, 1, hidden))[0].shape[1] // 2
    os.makedirs(OUT, exist_ok=True)
    shutil.copyfile(os.path.join(HERE, "model.pt"), os.path.join(OUT, "model.pt"))

    def logits_of(seq):
        ids = torch.tensor([seq])
        with torch.no_grad():
            out, hn = gru(embed(ids), torch.zeros(layers, 1, hidden))
            return head(out[0]), hn[:, 0, :].reshape(-1)

    # Build each user's sequence event by event, redrawing an event whose step has a near-tie.
    seqs, draws = {}, 0
    for u in range(USERS):
        length = rng.randint(1, MAX_LEN)
        seq = []
        while len(seq) < length:
            prev_top = torch.topk(logits_of(seq)[0][-1], k).indices.tolist() if seq else []
            item = rng.choice(prev_top) if prev_top and rng.random() < 0.5 else rng.randrange(items)
            draws += 1
            if gap_ok(logits_of(seq + [item])[0][-1], k):
                seq.append(item)
        seqs[f"u-{u}"] = seq

    expected, finals = {}, {}
    for key, seq in seqs.items():
        logits, final = logits_of(seq)  # the whole sequence at once
        assert all(gap_ok(row, k) for row in logits)
        with torch.no_grad():
            expected[key] = top(logits, k)
        finals[key] = final
        # The exported module, stepped one event at a time, agrees.
        h = torch.zeros(layers, 1, hidden)
        with torch.no_grad():
            for t, item in enumerate(seq):
                y, h = model(torch.tensor([[float(item)]]), h)
                assert torch.equal(y[0, :k], expected[key][t, :k]), (key, t)
                assert (y[0, k:] - expected[key][t, k:]).abs().max() <= 1e-6, (key, t)

    order = [key for key, seq in seqs.items() for _ in seq]
    rng.shuffle(order)
    cursor = {key: 0 for key in seqs}
    rows = []
    for key in order:
        rows.append((key, cursor[key]))
        cursor[key] += 1

    ys = [f"y{i}" for i in range(2 * k)]
    with open(os.path.join(OUT, "events.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["seq", "key", "x0"])
        for seq_no, (key, t) in enumerate(rows):
            w.writerow([seq_no, key, fmt(seqs[key][t])])
    with open(os.path.join(OUT, "expected.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["seq", "key"] + ys)
        for seq_no, (key, t) in enumerate(rows):
            w.writerow([seq_no, key] + [fmt(v) for v in expected[key][t]])
    with open(os.path.join(OUT, "final_states.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["key", "steps"] + [f"h{i}" for i in range(layers * hidden)])
        for key in sorted(finals, key=lambda s: int(s.split("-")[1])):
            w.writerow([key, len(seqs[key])] + [fmt(v) for v in finals[key]])

    # One batched step of the exported module from random, non-zero states (tie-free rows only).
    xs, hs = [], []
    while len(xs) < 5:
        x = torch.tensor([[float(rng.randrange(items))]])
        h = torch.randn(layers, 1, hidden) * 0.5
        with torch.no_grad():
            out, _ = gru(embed(x[:, 0].long()).unsqueeze(1), h)
            if gap_ok(head(out[0, 0]), k):
                xs.append(x)
                hs.append(h)
    x, h = torch.cat(xs), torch.cat(hs, 1)
    with torch.no_grad():
        y, h_next = model(x, h)
    with open(os.path.join(OUT, "step.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["x0"] + [f"h{i}" for i in range(layers * hidden)] + ys
                   + [f"n{i}" for i in range(layers * hidden)])
        for b in range(x.shape[0]):
            w.writerow([fmt(x[b, 0])] + [fmt(v) for v in h[:, b, :].reshape(-1)]
                       + [fmt(v) for v in y[b]] + [fmt(v) for v in h_next[:, b, :].reshape(-1)])

    with open(os.path.join(OUT, "meta.properties"), "w") as f:
        f.write("# models/recommendation/make_fixture.py; model.pt: a copy of models/recommendation/model.pt\n")
        f.write("# y = top-K item ids (float32, best first) then their softmax probabilities;\n")
        f.write(f"# the K+1 largest logits of every step differ by >= {MIN_GAP} (no near-ties)\n")
        f.write(f"features=1\nhidden={hidden}\nlayers={layers}\noutputs={2 * k}\n")
        f.write(f"items={items}\nk={k}\nscores=softmax\nmodel=model.pt\n")
        f.write(f"keys={USERS}\nevents={len(rows)}\ntorch={torch.__version__}\n")
    print(f"recommendation: F=1 H={hidden} L={layers} O={2 * k} keys={USERS} events={len(rows)} "
          f"({draws - len(rows)} near-tie draws redrawn)")


if __name__ == "__main__":
    main()
