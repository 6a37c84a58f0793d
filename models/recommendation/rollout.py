#!/usr/bin/env python3
"""Measures what a model rollout (model A -> model B mid-stream) does to the recommender's quality.

Run from the repository root with Debian's python3-torch (1.13), after train.py has written
models/recommendation/model.pt (model A) and tools/target/classes is compiled:

    /usr/bin/python3 models/recommendation/rollout.py                 # --swap-at 50 --history 20
    /usr/bin/python3 models/recommendation/rollout.py --history 6 \\
        --model-b /tmp/recommendation-model-b.pt --properties /tmp/rollout-h6.properties

Model B is A fine-tuned: A's weights in a train.Recommender, then UPDATES more batches the way
train.py trains (same batch, window and data, teacher forcing from the zero state), Adam at a
constant LR and a different seed. B is saved as TorchScript to --out-model (--model-b PATH loads an
existing B instead of training one). The held-out hit-rate@10 of A and B is train.evaluate's.

The rollout, for every held-out user (users [TRAIN_USERS, USERS)): items 0..S-1 go through A one
event at a time from the zero state (S = --swap-at); at event S the key's model becomes B, with its
state made by a policy:

    RESET    zero state
    KEEP     A's state carried over as is
    REWARM   B run from zero over the user's last N events before the swap (N = --history),
             items S-N..S-1
    FULL     B run from zero over all items 0..S-1 (the ideal, if the whole history were kept)
    NO_SWAP  A continuing (reference: no rollout at all)

Then for steps t = S .. S+M-1 (M = --window) the model (B, A for NO_SWAP) sees item t and its top-10
is scored against item t+1. Reported per policy: hit-rate@10 on the first step after the swap
(predicting S+1 after seeing S), over the M steps, and per step for the first 5; and hit-rate@1 on
the first step and over the M steps. Hit-rate@10 hardly sees the state here: the generator's next
item is mostly one of the current item's 2 x 4 successors, all of which fit in a top-10 from the
current item alone, so a lost state shows mainly in the order of the top-10 (hit-rate@1).
Every step uses the TorchScript modules' own forward (x [B,1] item id as float, h [1,B,64];
y[:, :10] are the ids), batched over the users. One thread, seeded.

Writes models/recommendation/rollout.properties (--properties).
"""
import argparse
import os
import sys
import tempfile
import time

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import train  # noqa: E402

SEED, UPDATES, LR = 2468, 100, 2e-3
POLICIES = ["reset", "keep", "rewarm", "full", "no_swap"]


def to_recommender(module) -> train.Recommender:
    model = train.Recommender(train.ITEMS, train.EMBEDDING, train.HIDDEN, train.LAYERS, train.K)
    model.load_state_dict(module.state_dict())
    return model.eval()


def fine_tune(model: train.Recommender, data: torch.Tensor, updates: int):
    """train.py's training loop, from A's weights, at a constant LR; returns (model, mean loss)."""
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    generator = torch.Generator().manual_seed(SEED)
    total = 0.0
    model.train()
    for _ in range(updates):
        rows = torch.randint(0, train.TRAIN_USERS, (train.BATCH, 1), generator=generator)
        starts = torch.randint(0, train.STEPS - train.WINDOW, (train.BATCH, 1), generator=generator)
        seq = data[rows, starts + torch.arange(train.WINDOW)]
        logits = model.logits(seq[:, :-1])
        loss = nn.functional.cross_entropy(logits.reshape(-1, train.ITEMS), seq[:, 1:].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        total += loss.item()
    return model.eval(), total / max(updates, 1)


def run(module, items: torch.Tensor, h: torch.Tensor):
    """Steps module over items [U,T] one event at a time from h; returns (top ids [U,T,K], h)."""
    tops = []
    for t in range(items.shape[1]):
        y, h = module(items[:, t : t + 1].to(torch.float32), h)
        tops.append(y[:, : train.K].round().long())
    return torch.stack(tops, 1) if tops else None, h


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--csv", help="existing training CSV (default: generate one)")
    parser.add_argument("--model-a", default=os.path.join(HERE, "model.pt"))
    parser.add_argument("--model-b", help="existing model B (default: fine-tune A)")
    parser.add_argument("--out-model", default="/tmp/recommendation-model-b.pt")
    parser.add_argument("--updates", type=int, default=UPDATES)
    parser.add_argument("--swap-at", type=int, default=50)
    parser.add_argument("--history", type=int, default=20)
    parser.add_argument("--window", type=int, default=10)
    parser.add_argument("--properties", default=os.path.join(HERE, "rollout.properties"))
    args = parser.parse_args()
    S, N, M = args.swap_at, args.history, args.window
    assert 0 < N <= S and S + M < train.STEPS, (S, N, M)

    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    started = time.time()

    if args.csv:
        data = train.read_csv(args.csv)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "session.csv")
            train.generate_csv(path, train.DATA_SEED, train.USERS, train.STEPS)
            data = train.read_csv(path)
    assert data.shape == (train.USERS, train.STEPS), data.shape
    sessions = torch.from_numpy(data)
    held_out = sessions[train.TRAIN_USERS :]

    a = torch.jit.load(args.model_a).eval()
    if args.model_b:
        b = torch.jit.load(args.model_b).eval()
        updates, loss = "loaded", float("nan")
        print(f"model B: loaded {args.model_b}")
    else:
        t0 = time.time()
        model, loss = fine_tune(to_recommender(a), sessions[: train.TRAIN_USERS], args.updates)
        torch.jit.save(torch.jit.script(model), args.out_model)
        b = torch.jit.load(args.out_model).eval()
        updates = args.updates
        print(f"model B: {args.updates} updates, Adam lr {LR}, seed {SEED}, mean loss {loss:.4f}, "
              f"{time.time() - t0:.0f}s; wrote {args.out_model}")
    with torch.no_grad():
        hr_a = train.evaluate(to_recommender(a), held_out)
        hr_b = train.evaluate(to_recommender(b), held_out)
    print(f"held-out hit-rate@10 (train.evaluate): A {hr_a:.4f}, B {hr_b:.4f}")

    users = held_out.shape[0]
    zero = torch.zeros(train.LAYERS, users, train.HIDDEN)
    with torch.no_grad():
        _, h_a = run(a, held_out[:, :S], zero)
        states = {
            "reset": (b, zero),
            "keep": (b, h_a),
            "rewarm": (b, run(b, held_out[:, S - N : S], zero)[1]),
            "full": (b, run(b, held_out[:, :S], zero)[1]),
            "no_swap": (a, h_a),
        }
        targets = held_out[:, S + 1 : S + M + 1]
        hits, hits1 = {}, {}
        for name in POLICIES:
            module, h = states[name]
            tops, _ = run(module, held_out[:, S : S + M], h)
            hits[name] = (tops == targets.unsqueeze(2)).any(2).float()  # [U, M]
            hits1[name] = (tops[:, :, 0] == targets).float()

    figures = {}
    print(f"\nswap at event {S}, history {N}, {users} held-out users, window {M}\n")
    steps = min(5, M)
    print("| policy | hr@10 first step | hr@10 first %d | %s | hr@1 first step | hr@1 first %d |"
          % (M, " | ".join(f"hr@10 step {i + 1}" for i in range(steps)), M))
    print("|---|---|---|" + "---|" * (steps + 2))
    for name in POLICIES:
        h = hits[name]
        figures[f"hitrate10.first.{name}"] = h[:, 0].mean().item()
        figures[f"hitrate10.window{M}.{name}"] = h.mean().item()
        for i in range(steps):
            figures[f"hitrate10.step{i + 1}.{name}"] = h[:, i].mean().item()
        h1 = hits1[name]
        figures[f"hitrate1.first.{name}"] = h1[:, 0].mean().item()
        figures[f"hitrate1.window{M}.{name}"] = h1.mean().item()
        print(f"| {name.upper()} | {h[:, 0].mean():.4f} | {h.mean():.4f} | "
              + " | ".join(f"{h[:, i].mean():.4f}" for i in range(steps))
              + f" | {h1[:, 0].mean():.4f} | {h1.mean():.4f} |")
    seconds = time.time() - started
    print(f"\n{seconds:.0f}s in all")

    with open(args.properties, "w") as f:
        f.write("# models/recommendation/rollout.py: hit-rate@10 after a model swap A -> B\n")
        f.write(f"updates={updates}\nlr={LR}\nseed={SEED}\nswap_at={S}\nhistory={N}\n")
        f.write(f"window={M}\nusers={users}\n")
        f.write(f"heldout.hitrate10.a={hr_a:.4f}\nheldout.hitrate10.b={hr_b:.4f}\n")
        for key, value in figures.items():
            f.write(f"{key}={value:.4f}\n")
    print(f"wrote {args.properties}")


if __name__ == "__main__":
    main()
