#!/usr/bin/env python3
"""Writes the torch fixtures that flink-gru's tests compare against.

Run with Debian's python3-torch (1.13):  /usr/bin/python3 models/make_fixtures.py
The outputs are small and committed, so the tests never need Python.

For every fixture set NAME it writes models/fixtures/NAME/:
  model.pt      TorchScript module honouring the flink-gru model contract:
                forward(x: [B,F], h: [L,B,H]) -> (y: [B,O], h': [L,B,H])
  events.csv    seq,key,x0..x{F-1}: many keys of random lengths, interleaved at random
  expected.csv  seq,key,y0..y{O-1}: torch.nn.GRU run over each key's WHOLE sequence at once
                (zero initial state), then the Linear head on every time step
  final_states.csv  key,steps,h0..h{L*H-1}: each key's state after its last event, layer-major
  step.csv      one batched step from random (non-zero) states: x.., h.., y.., h_next..
  meta.properties   sizes of the model
"""
import csv
import os
import random

import torch
from torch import nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


class GruWithHead(nn.Module):
    """The reference architecture: nn.GRU(batch_first=True) and a Linear head."""

    def __init__(self, features: int, hidden: int, layers: int, outputs: int):
        super().__init__()
        self.gru = nn.GRU(features, hidden, layers, batch_first=True)
        self.head = nn.Linear(hidden, outputs)

    def forward(self, x: torch.Tensor, h: torch.Tensor):
        out, h_next = self.gru(x.unsqueeze(1), h)
        return self.head(out[:, 0, :]), h_next


def fmt(v: float) -> str:
    # repr of the float32 value read back as float64: parses back to the same float32.
    return repr(float(v))


def write_set(name, features, hidden, layers, outputs, keys, max_len, seed):
    torch.manual_seed(seed)
    rng = random.Random(seed)
    model = GruWithHead(features, hidden, layers, outputs).eval()
    target = os.path.join(OUT, name)
    os.makedirs(target, exist_ok=True)
    torch.jit.save(torch.jit.script(model), os.path.join(target, "model.pt"))

    # Per-key sequences of random length, then interleaved at random (per-key order kept).
    lengths = {f"k{i:03d}": rng.randint(1, max_len) for i in range(keys)}
    seqs = {k: torch.randn(n, features) * 1.5 for k, n in lengths.items()}
    order = [k for k, n in lengths.items() for _ in range(n)]
    rng.shuffle(order)
    cursor = {k: 0 for k in lengths}
    rows = []
    for k in order:
        rows.append((k, cursor[k]))
        cursor[k] += 1

    expected = {}
    finals = {}
    with torch.no_grad():
        for k, x in seqs.items():
            h0 = torch.zeros(layers, 1, hidden)
            out, hn = model.gru(x.unsqueeze(0), h0)  # the whole sequence at once
            expected[k] = model.head(out[0])
            finals[k] = hn[:, 0, :].reshape(-1)

    xs = [f"x{i}" for i in range(features)]
    ys = [f"y{i}" for i in range(outputs)]
    with open(os.path.join(target, "events.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["seq", "key"] + xs)
        for seq, (k, t) in enumerate(rows):
            w.writerow([seq, k] + [fmt(v) for v in seqs[k][t]])
    with open(os.path.join(target, "expected.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["seq", "key"] + ys)
        for seq, (k, t) in enumerate(rows):
            w.writerow([seq, k] + [fmt(v) for v in expected[k][t]])
    with open(os.path.join(target, "final_states.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["key", "steps"] + [f"h{i}" for i in range(layers * hidden)])
        for k in sorted(finals):
            w.writerow([k, lengths[k]] + [fmt(v) for v in finals[k]])

    # One batched step from random, non-zero states, through the exported module itself.
    batch = 5
    x = torch.randn(batch, features)
    h = torch.randn(layers, batch, hidden) * 0.5
    with torch.no_grad():
        y, h_next = model(x, h)
    hs = [f"h{i}" for i in range(layers * hidden)]
    with open(os.path.join(target, "step.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(xs + hs + ys + [f"n{i}" for i in range(layers * hidden)])
        for b in range(batch):
            w.writerow(
                [fmt(v) for v in x[b]]
                + [fmt(v) for v in h[:, b, :].reshape(-1)]
                + [fmt(v) for v in y[b]]
                + [fmt(v) for v in h_next[:, b, :].reshape(-1)]
            )

    with open(os.path.join(target, "meta.properties"), "w") as f:
        f.write(f"features={features}\nhidden={hidden}\nlayers={layers}\noutputs={outputs}\n")
        f.write(f"keys={keys}\nevents={len(rows)}\ntorch={torch.__version__}\n")
    print(f"{name}: F={features} H={hidden} L={layers} O={outputs} keys={keys} events={len(rows)}")


class OneOutput(nn.Module):
    """Breaks the contract: returns y only, no new state."""

    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(3, 8, 1, batch_first=True)

    def forward(self, x: torch.Tensor, h: torch.Tensor):
        out, h_next = self.gru(x.unsqueeze(1), h)
        return out[:, 0, :]


class WrongState(nn.Module):
    """Breaks the contract: the returned state has 4 units per layer, not the 8 it takes."""

    def __init__(self):
        super().__init__()
        self.cell = nn.Linear(3 + 8, 4)

    def forward(self, x: torch.Tensor, h: torch.Tensor):
        h_next = torch.tanh(self.cell(torch.cat([x, h[0]], dim=1))).unsqueeze(0)
        return h_next[0], h_next


def write_faulty():
    target = os.path.join(OUT, "faulty")
    os.makedirs(target, exist_ok=True)
    torch.manual_seed(3)
    torch.jit.save(torch.jit.script(OneOutput().eval()), os.path.join(target, "one-output.pt"))
    torch.jit.save(torch.jit.script(WrongState().eval()), os.path.join(target, "wrong-state.pt"))
    with open(os.path.join(target, "README"), "w") as f:
        f.write("Models that break the flink-gru contract, for the tests of its error messages.\n")
        f.write("Both take x[B,3] and h[1,B,8].\n")
    print("faulty: one-output.pt, wrong-state.pt")


if __name__ == "__main__":
    write_faulty()
    write_set("tiny", features=3, hidden=8, layers=2, outputs=2, keys=60, max_len=30, seed=7)
    write_set("small", features=4, hidden=16, layers=1, outputs=3, keys=24, max_len=12, seed=11)
    write_set("h64", features=8, hidden=64, layers=1, outputs=1, keys=50, max_len=40, seed=23)
