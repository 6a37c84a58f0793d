#!/usr/bin/env python3
"""Trains the next-item recommendation GRU of the demo and exports it as a flink-gru model.

Run from the repository root with Debian's python3-torch (1.13), after compiling the jobs module:

    mvn -B -q -ntp compile -Dspotless.check.skip=true -pl jobs
    /usr/bin/python3 models/recommendation/train.py
    /usr/bin/python3 models/recommendation/make_fixture.py   # models/fixtures/recommendation

The script writes the training data itself by running the Java generator
(java -cp tools/target/classes dev.flinkgru.tools.demo.TrainingData session CSV SEED USERS STEPS)
into a temporary file, so the model learns exactly the sessions the demo job produces. Pass
--csv PATH to read an existing CSV (header key,t,item) instead.

Model (TorchScript, the flink-gru contract with F = 1, O = 2K):

    forward(x: [B,1] item id as float32, h: [1,B,H]) -> (y: [B,2K], h': [1,B,H])

y[:, :K] are the ids (as float32) of the K most likely next items, best first, and y[:, K:] their
softmax probabilities over all ITEMS items (not logits). torch.topk runs inside the module, so only
2K numbers per key leave the device. Ids are rounded and clamped to [0, ITEMS) (NaN -> 0) so the
module never fails on them; the job validates ids before the model anyway. Submodules:
self.embed = nn.Embedding(ITEMS, E), self.gru = nn.GRU(E, H, 1, batch_first=True),
self.head = nn.Linear(H, ITEMS).

Training: cross-entropy over the catalogue, Adam with a one-cycle schedule, UPDATES batches of
BATCH session windows of WINDOW items at random training users and offsets, each from the zero
state, teacher forcing over the whole window (batch_first). CPU, 2 threads, seeded. The Linear
head over 1,000 items dominates the cost (~0.6 s per batch on 2 cores).

Data split: users [0, TRAIN_USERS) train, users [TRAIN_USERS, USERS) are held out. Hit-rate@10 is
over every step t >= 1 of the held-out users (the next item after seeing items 0..t-1, from the
zero state), against the 10 most frequent items of the training data (most-popular baseline) and,
for reference, a first-order Markov baseline (the 10 most frequent successors of the current item in
the training data, topped up by popularity).

Writes models/recommendation/model.pt and models/recommendation/meta.properties.
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

ITEMS, EMBEDDING, HIDDEN, LAYERS, K = 1000, 32, 64, 1, 10
DATA_SEED, USERS, STEPS = 42, 4000, 150
TRAIN_USERS = 3200
SEED = 4321
BATCH, WINDOW, UPDATES, LR = 64, 33, 800, 1e-2


class Recommender(nn.Module):
    """Embedding, nn.GRU(batch_first=True) and a Linear head over the catalogue; top-K inside."""

    items: torch.jit.Final[int]
    k: torch.jit.Final[int]

    def __init__(self, items: int, embedding: int, hidden: int, layers: int, k: int):
        super().__init__()
        self.items = items
        self.k = k
        self.embed = nn.Embedding(items, embedding)
        self.gru = nn.GRU(embedding, hidden, layers, batch_first=True)
        self.head = nn.Linear(hidden, items)

    def forward(self, x: torch.Tensor, h: torch.Tensor):
        ids = torch.nan_to_num(x[:, 0], nan=0.0).round().clamp(0, self.items - 1).long()
        out, h_next = self.gru(self.embed(ids).unsqueeze(1), h)  # one time step for B keys
        return self.top(self.head(out[:, 0, :])), h_next

    def top(self, logits: torch.Tensor) -> torch.Tensor:
        """[B, ITEMS] logits -> [B, 2K]: top-K ids (float32), then their softmax probabilities."""
        scores, ids = torch.topk(logits, self.k, dim=1)
        probs = torch.exp(scores - torch.logsumexp(logits, dim=1, keepdim=True))
        return torch.cat([ids.to(torch.float32), probs], dim=1)

    @torch.jit.ignore
    def logits(self, ids: torch.Tensor) -> torch.Tensor:
        """Logits for every step of ids: [B,T] long -> [B,T,ITEMS], from the zero state."""
        out, _ = self.gru(self.embed(ids))
        return self.head(out)


def generate_csv(path: str, seed: int, users: int, steps: int) -> None:
    classes = os.path.join(ROOT, "tools", "target", "classes")
    if not os.path.isdir(classes):
        sys.exit(f"{classes} is missing: compile the jobs module first")
    subprocess.run(
        ["java", "-cp", classes, "dev.flinkgru.tools.demo.TrainingData", "session", path,
         str(seed), str(users), str(steps)],
        check=True,
    )


def read_csv(path: str) -> np.ndarray:
    """Returns [users, steps] int64, users ordered by index (u-0, u-1, ...)."""
    sessions = {}
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        ki, ti, ii = header.index("key"), header.index("t"), header.index("item")
        for row in reader:
            sessions.setdefault(row[ki], []).append((int(row[ti]), int(row[ii])))
    keys = sorted(sessions, key=lambda k: int(k.split("-")[1]))
    return np.asarray([[i for _, i in sorted(sessions[k])] for k in keys], dtype=np.int64)


def hit_rate(top: torch.Tensor, targets: torch.Tensor) -> float:
    """Share of rows whose target is among top: [N, 10] and [N]."""
    return (top == targets.unsqueeze(1)).any(1).float().mean().item()


def evaluate(model: Recommender, data: torch.Tensor) -> float:
    """Model hit-rate@K over steps t >= 1 of data: [U, T]."""
    hits = []
    with torch.no_grad():
        for b in range(0, data.shape[0], 256):
            seq = data[b : b + 256]
            logits = model.logits(seq[:, :-1])
            top = torch.topk(logits, K, dim=2).indices
            hits.append((top == seq[:, 1:].unsqueeze(2)).any(2).float().reshape(-1))
    return torch.cat(hits).mean().item()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--csv", help="existing training CSV (default: generate one)")
    parser.add_argument("--updates", type=int, default=UPDATES)
    parser.add_argument("--out", default=HERE)
    args = parser.parse_args()

    torch.manual_seed(SEED)
    torch.set_num_threads(2)

    if args.csv:
        data = read_csv(args.csv)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "session.csv")
            generate_csv(path, DATA_SEED, USERS, STEPS)
            data = read_csv(path)
    assert data.shape == (USERS, STEPS), data.shape
    assert data.min() >= 0 and data.max() < ITEMS
    sessions = torch.from_numpy(data)
    train, held_out = sessions[:TRAIN_USERS], sessions[TRAIN_USERS:]

    # Baselines from the training users only.
    counts = torch.bincount(train.reshape(-1), minlength=ITEMS)
    popular = torch.topk(counts, K).indices
    targets = held_out[:, 1:].reshape(-1)
    popular_hr = hit_rate(popular.expand(len(targets), K), targets)
    pairs = torch.zeros(ITEMS, ITEMS)
    pairs.index_put_((train[:, :-1].reshape(-1), train[:, 1:].reshape(-1)),
                     torch.ones(train[:, 1:].numel()), accumulate=True)
    markov = torch.topk(pairs + counts.float() / counts.sum(), K, dim=1).indices
    markov_hr = hit_rate(markov[held_out[:, :-1].reshape(-1)], targets)
    print(f"data: {USERS} users x {STEPS} steps; held-out baselines: most-popular hr@{K} "
          f"{popular_hr:.4f}, first-order markov {markov_hr:.4f}", flush=True)

    model = Recommender(ITEMS, EMBEDDING, HIDDEN, LAYERS, K)
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=LR, total_steps=args.updates, pct_start=0.1)
    generator = torch.Generator().manual_seed(SEED)
    started = time.time()
    total, count = 0.0, 0
    for update in range(args.updates):
        # A batch of session windows at random users and offsets, each from the zero state, as
        # a key starts in the operator; teacher forcing over the whole window at once.
        model.train()
        rows = torch.randint(0, TRAIN_USERS, (BATCH, 1), generator=generator)
        starts = torch.randint(0, STEPS - WINDOW, (BATCH, 1), generator=generator)
        seq = train[rows, starts + torch.arange(WINDOW)]
        logits = model.logits(seq[:, :-1])
        loss = nn.functional.cross_entropy(logits.reshape(-1, ITEMS), seq[:, 1:].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        total += loss.item()
        count += 1
        if (update + 1) % 250 == 0 or update + 1 == args.updates:
            model.eval()
            print(f"update {update + 1:5d} train loss {total / count:.4f} held-out hr@{K} "
                  f"{evaluate(model, held_out[:200]):.4f} (200 users) "
                  f"{time.time() - started:.0f}s", flush=True)
            total, count = 0.0, 0
    seconds = time.time() - started
    model.eval()
    model_hr = evaluate(model, held_out)
    print(f"held-out users ({USERS - TRAIN_USERS} x {STEPS - 1} next items): hit-rate@{K} model "
          f"{model_hr:.4f}, most-popular {popular_hr:.4f} ({model_hr / popular_hr:.1f}x), "
          f"first-order markov {markov_hr:.4f}")
    print(f"training: {seconds:.0f}s, {args.updates} updates")

    scripted = torch.jit.script(model)
    path = os.path.join(args.out, "model.pt")
    torch.jit.save(scripted, path)

    # Sanity: the exported module, stepped one event at a time, equals the whole-sequence GRU.
    loaded = torch.jit.load(path)
    seq = held_out[:16, :60]
    with torch.no_grad():
        whole = model.logits(seq)
        expected = model.top(whole.reshape(-1, ITEMS)).reshape(seq.shape[0], seq.shape[1], 2 * K)
        h = torch.zeros(LAYERS, seq.shape[0], HIDDEN)
        steps = []
        for t in range(seq.shape[1]):
            y, h = loaded(seq[:, t : t + 1].to(torch.float32), h)
            steps.append(y)
        stepped = torch.stack(steps, 1)
        probe, _ = loaded(torch.tensor([[-3.0], [1e9], [float("nan")]]), torch.zeros(1, 3, HIDDEN))
    id_match = (stepped[..., :K] == expected[..., :K]).float().mean().item()
    prob_diff = (stepped[..., K:] - expected[..., K:]).abs().max().item()
    print(f"stepwise scripted module vs whole-sequence: ids equal {id_match:.4%}, "
          f"max |prob diff| {prob_diff:.2e}; out-of-range ids give {tuple(probe.shape)}")
    assert id_match > 0.99 and prob_diff <= 1e-5, (id_match, prob_diff)

    with open(os.path.join(args.out, "meta.properties"), "w") as f:
        f.write("# models/recommendation/train.py: next-item top-K of SessionGenerator users\n")
        f.write("# y = top-K item ids (float32, best first) then their softmax probabilities\n")
        f.write(f"features=1\nhidden={HIDDEN}\nlayers={LAYERS}\noutputs={2 * K}\n")
        f.write(f"items={ITEMS}\nk={K}\nembedding={EMBEDDING}\nscores=softmax\n")
        f.write(f"seed={SEED}\ndata.seed={DATA_SEED}\ndata.users={USERS}\ndata.steps={STEPS}\n")
        f.write(f"train.users={TRAIN_USERS}\ntrain.batch={BATCH}\ntrain.window={WINDOW}\n")
        f.write(f"train.updates={args.updates}\n")
        f.write(f"train.seconds={seconds:.0f}\n")
        f.write(f"heldout.hitrate10.model={model_hr:.4f}\n")
        f.write(f"heldout.hitrate10.popular={popular_hr:.4f}\n")
        f.write(f"heldout.hitrate10.markov1={markov_hr:.4f}\n")
        f.write(f"torch={torch.__version__}\n")
    print(f"wrote {path} ({os.path.getsize(path)} bytes) and meta.properties")


if __name__ == "__main__":
    main()
