#!/usr/bin/env python3
"""Trains the sensor-forecasting GRU of the demo and exports it in the flink-gru model contract.

Run from the repository root with Debian's python3-torch (1.13), after compiling the jobs module:

    mvn -B -q -ntp compile -Dspotless.check.skip=true -pl jobs
    /usr/bin/python3 models/sensor/train.py

The script writes the training data itself by running the Java generator
(java -cp tools/target/classes dev.flinkgru.tools.demo.TrainingData sensor CSV SEED SENSORS STEPS)
into a temporary file, so the model learns exactly the stream the demo job produces. Pass
--csv PATH to read an existing CSV (header key,t,x0..x3) instead.

Model: forward(x: [B,4] raw reading at t, h: [1,B,32]) -> (forecast of the reading at t+1: [B,4],
h': [1,B,32]); self.gru = nn.GRU(4, 32, 1, batch_first=True), self.head = nn.Linear(32, 4). No
input normalization: the generator keeps every channel within about [-2, 3].

Training: MSE, Adam with a one-cycle schedule, UPDATES batches of BATCH windows of WINDOW steps at
random training sensors and offsets, each run from the zero state (as a key starts in the
operator) with teacher forcing over the whole window (batch_first). CPU, 2 threads, seeded.

Data split: sensors [0, TRAIN_SENSORS) train on steps [0, TRAIN_STEPS); held-out sensors
[TRAIN_SENSORS, SENSORS) are evaluated over all their steps, the training sensors over steps
[TRAIN_STEPS, STEPS) (held-out time). MAE is over all four channels, forecasts of steps t >= 1
(each key starting from the zero state, as in the operator), against the naive forecast x[t-1].

Writes models/sensor/model.pt (torch.jit.script) and models/sensor/meta.properties.
"""
import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

FEATURES, HIDDEN, LAYERS, OUTPUTS = 4, 32, 1, 4
DATA_SEED, SENSORS, STEPS = 42, 400, 500
TRAIN_SENSORS, TRAIN_STEPS = 320, 400
SEED = 1234
BATCH, WINDOW, UPDATES, LR = 32, 100, 2000, 5e-3


class SensorForecaster(nn.Module):
    """nn.GRU(batch_first=True) and a Linear head: one step forecasts the next reading."""

    def __init__(self, features: int, hidden: int, layers: int, outputs: int):
        super().__init__()
        self.gru = nn.GRU(features, hidden, layers, batch_first=True)
        self.head = nn.Linear(hidden, outputs)

    def forward(self, x: torch.Tensor, h: torch.Tensor):
        out, h_next = self.gru(x.unsqueeze(1), h)  # one time step for B keys
        return self.head(out[:, 0, :]), h_next

    def sequence(self, x: torch.Tensor) -> torch.Tensor:
        """Forecasts for every step of x: [B,T,F] -> [B,T,O], from the zero state."""
        out, _ = self.gru(x)
        return self.head(out)


def generate_csv(path: str, seed: int, sensors: int, steps: int) -> None:
    classes = os.path.join(ROOT, "tools", "target", "classes")
    if not os.path.isdir(classes):
        sys.exit(f"{classes} is missing: compile the jobs module first")
    subprocess.run(
        ["java", "-cp", classes, "dev.flinkgru.tools.demo.TrainingData", "sensor", path,
         str(seed), str(sensors), str(steps)],
        check=True,
    )


def read_csv(path: str) -> np.ndarray:
    """Returns [sensors, steps, 4] float32, sensors ordered by index (s-0, s-1, ...)."""
    series = {}
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        xi = [header.index(f"x{i}") for i in range(FEATURES)]
        ki, ti = header.index("key"), header.index("t")
        for row in reader:
            series.setdefault(row[ki], []).append((int(row[ti]), [float(row[i]) for i in xi]))
    keys = sorted(series, key=lambda k: int(k.split("-")[1]))
    data = []
    for k in keys:
        rows = sorted(series[k])
        data.append([v for _, v in rows])
    return np.asarray(data, dtype=np.float32)


def mae(model: SensorForecaster, x: torch.Tensor, t_from: int):
    """(model MAE, naive MAE) of forecasts of steps [max(t_from, 1), T) of x: [B,T,F]."""
    with torch.no_grad():
        pred = model.sequence(x)  # pred[:, t] forecasts x[:, t + 1]
    t0 = max(t_from, 1)
    model_err = (pred[:, t0 - 1 : -1] - x[:, t0:]).abs().mean().item()
    naive_err = (x[:, t0 - 1 : -1] - x[:, t0:]).abs().mean().item()
    return model_err, naive_err


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--csv", help="existing training CSV (default: generate one)")
    parser.add_argument("--updates", type=int, default=UPDATES)
    parser.add_argument("--out", default=HERE)
    args = parser.parse_args()

    torch.manual_seed(SEED)
    np.random.seed(SEED)
    torch.set_num_threads(2)

    if args.csv:
        data = read_csv(args.csv)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "sensor.csv")
            generate_csv(path, DATA_SEED, SENSORS, STEPS)
            data = read_csv(path)
    assert data.shape == (SENSORS, STEPS, FEATURES), data.shape
    x_all = torch.from_numpy(data)
    train = x_all[:TRAIN_SENSORS, :TRAIN_STEPS]
    print(f"data: {tuple(x_all.shape)}, channel min {data.min((0, 1))}, max {data.max((0, 1))}")

    model = SensorForecaster(FEATURES, HIDDEN, LAYERS, OUTPUTS)
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=LR, total_steps=args.updates, pct_start=0.1)
    generator = torch.Generator().manual_seed(SEED)
    started = time.time()
    total, count = 0.0, 0
    for update in range(args.updates):
        # A batch of windows at random sensors and offsets, each from the zero state, as a key
        # starts in the operator; teacher forcing over the whole window at once.
        model.train()
        rows = torch.randint(0, TRAIN_SENSORS, (BATCH,), generator=generator)
        starts = torch.randint(0, TRAIN_STEPS - WINDOW, (BATCH,), generator=generator)
        batch = torch.stack([train[r, s : s + WINDOW] for r, s in zip(rows.tolist(), starts.tolist())])
        pred = model.sequence(batch[:, :-1])
        loss = nn.functional.mse_loss(pred, batch[:, 1:])
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        total += loss.item()
        count += 1
        if (update + 1) % 250 == 0 or update + 1 == args.updates:
            model.eval()
            m, n = mae(model, x_all[TRAIN_SENSORS:], 1)
            print(f"update {update + 1:5d} train mse {total / count:.5f} held-out mae {m:.4f} "
                  f"(naive {n:.4f}) {time.time() - started:.0f}s", flush=True)
            total, count = 0.0, 0
    seconds = time.time() - started
    model.eval()

    sensors_model, sensors_naive = mae(model, x_all[TRAIN_SENSORS:], 1)
    sensors_model20, sensors_naive20 = mae(model, x_all[TRAIN_SENSORS:], 20)
    time_model, time_naive = mae(model, x_all[:TRAIN_SENSORS], TRAIN_STEPS)
    print(f"held-out sensors ({SENSORS - TRAIN_SENSORS} x {STEPS} steps): model MAE "
          f"{sensors_model:.4f}, naive {sensors_naive:.4f}, ratio {sensors_model / sensors_naive:.3f}")
    print(f"held-out sensors, steps >= 20: model MAE {sensors_model20:.4f}, naive "
          f"{sensors_naive20:.4f}, ratio {sensors_model20 / sensors_naive20:.3f}")
    print(f"held-out time (training sensors, steps {TRAIN_STEPS}..{STEPS - 1}): model MAE "
          f"{time_model:.4f}, naive {time_naive:.4f}, ratio {time_model / time_naive:.3f}")
    print(f"training: {seconds:.0f}s, {args.updates} updates")

    scripted = torch.jit.script(model)
    path = os.path.join(args.out, "model.pt")
    torch.jit.save(scripted, path)

    # Sanity: the exported module, stepped one event at a time, equals nn.GRU over the sequence.
    loaded = torch.jit.load(path)
    x = x_all[TRAIN_SENSORS : TRAIN_SENSORS + 8, :200]
    with torch.no_grad():
        whole = model.sequence(x)
        h = torch.zeros(LAYERS, x.shape[0], HIDDEN)
        steps = []
        for t in range(x.shape[1]):
            y, h = loaded(x[:, t], h)
            steps.append(y)
        stepped = torch.stack(steps, 1)
    diff = (whole - stepped).abs().max().item()
    print(f"stepwise scripted module vs whole-sequence gru: max |diff| {diff:.2e}")
    assert diff <= 1e-5, diff

    with open(os.path.join(args.out, "meta.properties"), "w") as f:
        f.write("# models/sensor/train.py: next-reading forecast of SensorGenerator sensors\n")
        f.write(f"features={FEATURES}\nhidden={HIDDEN}\nlayers={LAYERS}\noutputs={OUTPUTS}\n")
        f.write(f"seed={SEED}\ndata.seed={DATA_SEED}\ndata.sensors={SENSORS}\n")
        f.write(f"data.steps={STEPS}\ntrain.sensors={TRAIN_SENSORS}\ntrain.steps={TRAIN_STEPS}\n")
        f.write(f"train.batch={BATCH}\ntrain.window={WINDOW}\ntrain.updates={args.updates}\ntrain.seconds={seconds:.0f}\n")
        f.write(f"heldout.sensors.mae.model={sensors_model:.5f}\n")
        f.write(f"heldout.sensors.mae.naive={sensors_naive:.5f}\n")
        f.write(f"heldout.sensors.mae.ratio={sensors_model / sensors_naive:.4f}\n")
        f.write(f"heldout.time.mae.model={time_model:.5f}\n")
        f.write(f"heldout.time.mae.naive={time_naive:.5f}\n")
        f.write(f"heldout.time.mae.ratio={time_model / time_naive:.4f}\n")
        f.write(f"torch={torch.__version__}\n")
    print(f"wrote {path} ({os.path.getsize(path)} bytes) and meta.properties")


if __name__ == "__main__":
    main()
