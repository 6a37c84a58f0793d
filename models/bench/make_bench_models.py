#!/usr/bin/env python3
"""Writes the untrained benchmark models of `bin/flink-gru bench`: F=8, L=1, O=1, H in {64, 256}.

Run with Debian's python3-torch and python3-onnx:  /usr/bin/python3 models/bench/make_bench_models.py
The weights are random (seeded): a benchmark measures speed, not quality.

Each model is written twice, on the same weights: gru-f8-hH.pt (TorchScript) and gru-f8-hH.onnx
(ONNX, opset 17, inputs x [batch,8], h [1,batch,H], outputs y [batch,1], h_next [1,batch,H]), so
that `bin/flink-gru jmh -p engine=torchscript,onnx` compares the engines on the same model. A file
that exists is kept: the .onnx is exported from the committed .pt's weights.
"""
import io
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


def export_onnx(model: nn.Module, hidden: int, path: str) -> None:
    import onnx

    buffer = io.BytesIO()
    torch.onnx.export(model, (torch.randn(2, 8), torch.zeros(1, 2, hidden)), buffer,
                      opset_version=17, input_names=["x", "h"], output_names=["y", "h_next"],
                      dynamic_axes={"x": {0: "batch"}, "h": {1: "batch"}, "y": {0: "batch"},
                                    "h_next": {1: "batch"}})
    onnx.checker.check_model(onnx.load_from_string(buffer.getvalue()))
    with open(path, "wb") as f:
        f.write(buffer.getvalue())


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    for hidden in (64, 256):
        path = os.path.join(here, f"gru-f8-h{hidden}.pt")
        model = GruWithHead(8, hidden, 1, 1).eval()
        if os.path.exists(path):
            model.load_state_dict(torch.jit.load(path).state_dict())
            print(path, "kept")
        else:
            torch.manual_seed(hidden)
            model = GruWithHead(8, hidden, 1, 1).eval()
            torch.jit.save(torch.jit.script(model), path)
            print(path, os.path.getsize(path))
        onnx_path = path[: -len(".pt")] + ".onnx"
        if os.path.exists(onnx_path):
            print(onnx_path, "kept")
        else:
            export_onnx(model, hidden, onnx_path)
            print(onnx_path, os.path.getsize(onnx_path))
