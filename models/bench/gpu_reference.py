#!/usr/bin/env python3
"""PyTorch's own time for one batched step of a TorchScript GRU on a GPU, host arrays in and out as
the predictor calls it (numpy -> device, forward, device -> numpy): the reference our Java predictor
is measured against (docs/performance.md, "The GPU check").

    python3 models/bench/gpu_reference.py [--batches 1,256,1024,4096,16384] [--steps 50] MODEL.pt:F:H:L ...

For each model it also says whether cuDNN compacted the GRU's weights on every call (the
"not part of single contiguous chunk of memory" warning), and prints where the weights of a model
flattened on the device itself lie in its one buffer (`--layout`), which is the layout an export
must give them to avoid that compaction.
"""
import argparse
import statistics
import time
import warnings

import numpy as np
import torch


def step_time(model, dev, batch, features, hidden, layers, steps):
    rng = np.random.default_rng(batch)
    x = rng.standard_normal((batch, features), dtype=np.float32)
    h = (rng.random((layers, batch, hidden), dtype=np.float32) - 0.5).astype(np.float32)
    times = []
    with torch.no_grad():
        for i in range(steps + 10):
            t0 = time.perf_counter()
            y, hn = model(torch.from_numpy(x).to(dev), torch.from_numpy(h).to(dev))
            y.cpu().numpy()
            hn.cpu().numpy()
            if i >= 10:
                times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e6


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batches", default="1,256,1024,4096,16384")
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--layout", action="store_true")
    p.add_argument("models", nargs="+")
    a = p.parse_args()
    dev = torch.device("cuda")
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    print(f"torch {torch.__version__}, {torch.cuda.get_device_name(0)}, TF32 off")
    for spec in a.models:
        path, f, hid, lay = spec.split(":")
        f, hid, lay = int(f), int(hid), int(lay)
        model = torch.jit.load(path, map_location=dev).eval()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with torch.no_grad():
                model(torch.zeros(4, f, device=dev), torch.zeros(lay, 4, hid, device=dev))
        compacted = any("contiguous chunk" in str(w.message) for w in caught)
        print(f"{path}: weights compacted per call: {'yes' if compacted else 'no'}")
        for b in [int(s) for s in a.batches.split(",")]:
            us = step_time(model, dev, b, f, hid, lay, a.steps)
            print(f"reference {path} H={hid} L={lay} B={b} µs p50 {us:.0f} events/s {b / us * 1e6:,.0f}")
    if a.layout:
        gru = torch.nn.GRU(8, 64, 1, batch_first=True).to(dev)
        gru.flatten_parameters()
        base = gru._flat_weights[0].data_ptr()
        print("layout of a GRU flattened on the device (float offsets, in _flat_weights order):",
              [(w.data_ptr() - base) // 4 for w in gru._flat_weights],
              [tuple(w.shape) for w in gru._flat_weights])


if __name__ == "__main__":
    main()
