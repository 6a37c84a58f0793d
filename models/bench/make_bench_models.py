#!/usr/bin/env python3
"""Writes the untrained benchmark models of `bin/flink-gru bench`: F=8, L=1, O=1, H in {64, 256}.

Run with Debian's python3-torch:  /usr/bin/python3 models/bench/make_bench_models.py
The weights are random (seeded): a benchmark measures speed, not quality.
"""
import os

import torch
from torch import nn


class GruWithHead(nn.Module):
    def __init__(self, features: int, hidden: int, layers: int, outputs: int):
        super().__init__()
        self.gru = nn.GRU(features, hidden, layers, batch_first=True)
        self.head = nn.Linear(hidden, outputs)

    def forward(self, x: torch.Tensor, h: torch.Tensor):
        out, h_next = self.gru(x.unsqueeze(1), h)
        return self.head(out[:, 0, :]), h_next


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    for hidden in (64, 256):
        torch.manual_seed(hidden)
        model = GruWithHead(8, hidden, 1, 1).eval()
        path = os.path.join(here, f"gru-f8-h{hidden}.pt")
        torch.jit.save(torch.jit.script(model), path)
        print(path, os.path.getsize(path))
