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

--via-replay runs the same rollout through the real Flink operator with the command line, after the
torch part (needs bin/flink-gru, which builds itself on first use):

    /usr/bin/python3 models/recommendation/rollout.py --via-replay   # --replay-dir DIR keeps files

It writes the held-out users' items 0..S+M as replay's IN.csv (header seq,key,x0; key u-<user>,
x0 the item id as a float, seq the row index), ordered by step then user, so the first S x users
rows are every user's first S events. Then `bin/flink-gru replay --model A --hidden-size 64
--layers 1 --events IN.csv --out OUT1 --history N --stop-after <S x users> --savepoint-dir D`
once, and per policy RESET, KEEP, REWARM `bin/flink-gru replay --model B ... --out OUT2
--state-policy P --history N --resume D` (a fresh OUT2 each; the savepoint is resumed three times).
The predictions (header seq,key,y0..y19, joined by seq) are scored exactly as the torch part:
hit-rate@10 and @1 on the first step after the swap and over the M steps, printed next to the torch
figures, with how many users' top-10 lists at event S equal torch's (ids, in order). Writes
replay.hitrate10.first.<policy>, replay.hitrate1.first.<policy>, replay.hitrate10.window<M>.<policy>
and replay.top10.equal.<policy> to the properties file as well (only with --via-replay).
"""
import argparse
import csv
import os
import shutil
import subprocess
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
REPLAY_POLICIES = ["reset", "keep", "rewarm"]
ROOT = os.path.dirname(os.path.dirname(HERE))


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


def write_events(path: str, held_out: torch.Tensor, steps: int) -> None:
    """replay's IN.csv of held_out's items 0..steps-1, by step then user; seq = the row index."""
    users = held_out.shape[0]
    with open(path, "w", newline="") as f:
        f.write("seq,key,x0\n")
        for t in range(steps):
            for u in range(users):
                seq = t * users + u
                f.write(f"{seq},u-{train.TRAIN_USERS + u},{float(held_out[u, t])}\n")


def replay(label: str, *flags: str) -> float:
    """Runs bin/flink-gru replay with flags; prints its stderr; returns the wall time."""
    cmd = [os.path.join(ROOT, "bin", "flink-gru"), "replay", *flags]
    print(f"$ {' '.join(cmd)}", flush=True)
    t0 = time.time()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    seconds = time.time() - t0
    for line in (done.stdout + done.stderr).strip().splitlines():
        print(f"  {line}")
    if done.returncode != 0:
        sys.exit(f"replay ({label}) failed with exit {done.returncode}")
    print(f"  ({label}: {seconds:.1f}s wall)", flush=True)
    return seconds


def read_predictions(path: str, users: int, steps: int, first: int, last: int) -> torch.Tensor:
    """OUT.csv of replay joined by seq: [users, steps, 2K], NaN outside steps [first, last).

    Checks each row's key against its seq and that the seqs are exactly steps [first, last)."""
    y = torch.full((users, steps, 2 * train.K), float("nan"))
    seen = set()
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        assert header[:2] == ["seq", "key"] and len(header) == 2 + 2 * train.K, header
        for row in reader:
            seq = int(row[0])
            t, u = divmod(seq, users)
            assert row[1] == f"u-{train.TRAIN_USERS + u}", (seq, row[1])
            assert seq not in seen, f"seq {seq} twice in {path}"
            seen.add(seq)
            y[u, t] = torch.tensor([float(v) for v in row[2:]])
    expected = set(range(first * users, last * users))
    assert seen == expected, (path, len(seen), len(expected), len(seen ^ expected))
    return y


def via_replay(args, model_a: str, model_b: str, held_out, states, tops_a, tops, hits, hits1):
    """The rollout through bin/flink-gru replay; returns the replay.* figures."""
    S, N, M = args.swap_at, args.history, args.window
    users = held_out.shape[0]
    work = os.path.abspath(args.replay_dir or tempfile.mkdtemp(prefix="rollout-replay-"))
    os.makedirs(work, exist_ok=True)
    model_a, model_b = os.path.abspath(model_a), os.path.abspath(model_b)
    events = os.path.join(work, "events.csv")
    steps = S + M + 1  # items 0..S+M; the prediction at event S+M is not scored
    write_events(events, held_out, steps)
    print(f"\nvia replay: {steps * users} events ({users} users x items 0..{S + M}) -> {events}")
    common = ["--hidden-size", str(train.HIDDEN), "--layers", str(train.LAYERS),
              "--events", events, "--history", str(N)]
    savepoint = os.path.join(work, "savepoint")
    out1 = os.path.join(work, "out-a.csv")
    if os.path.exists(out1):
        os.remove(out1)
    shutil.rmtree(savepoint, ignore_errors=True)  # a --replay-dir used before
    walls = {"a": replay("model A, stop at the swap", "--model", model_a, *common, "--out", out1,
                         "--stop-after", str(S * users), "--savepoint-dir", savepoint)}
    y_a = read_predictions(out1, users, S, 0, S)
    equal_a = (y_a[:, :, : train.K].round().long() == tops_a).all(2)
    print(f"  model A, events 0..{S - 1}: top-10 ids equal torch's for {equal_a.sum().item()} "
          f"of {equal_a.numel()} (user, event)")

    figures, rows = {}, []
    targets = held_out[:, S + 1 : S + M + 1]
    for name in REPLAY_POLICIES:
        out2 = os.path.join(work, f"out-b-{name}.csv")
        if os.path.exists(out2):
            os.remove(out2)
        walls[name] = replay(f"model B, {name.upper()}", "--model", model_b, *common, "--out", out2,
                             "--state-policy", name.upper(), "--resume", savepoint)
        y = read_predictions(out2, users, steps, S, steps)[:, S : S + M]  # events S..S+M-1
        got = y[:, :, : train.K].round().long()
        h = (got == targets.unsqueeze(2)).any(2).float()
        h1 = (got[:, :, 0] == targets).float()
        # torch's output at event S in full (ids and probabilities), for the tie check
        module, state = states[name]
        with torch.no_grad():
            y_torch, _ = module(held_out[:, S : S + 1].to(torch.float32), state)
        assert torch.equal(y_torch[:, : train.K].round().long(), tops[name][:, 0])
        equal = (got[:, 0] == tops[name][:, 0]).all(1)
        same_set = (got[:, 0].sort(1).values == tops[name][:, 0].sort(1).values).all(1)
        prob_diff = (y[:, 0, train.K :] - y_torch[:, train.K :]).abs().max().item()
        # an unequal list whose torch probabilities tie where the ids differ is equal up to ties
        ties = 0
        for u in (~equal).nonzero().flatten().tolist():
            differ = (got[u, 0] != tops[name][u, 0]).nonzero().flatten()
            p = y_torch[u, train.K :][differ]
            ties += int(same_set[u] and (p.max() - p.min()).item() <= 1e-6)
        window_equal = (got == tops[name]).all(2).sum().item()
        figures[f"replay.hitrate10.first.{name}"] = h[:, 0].mean().item()
        figures[f"replay.hitrate1.first.{name}"] = h1[:, 0].mean().item()
        figures[f"replay.hitrate10.window{M}.{name}"] = h.mean().item()
        figures[f"replay.top10.equal.{name}"] = int(equal.sum().item())
        rows.append((name, h, h1, equal.sum().item(), same_set.sum().item(), ties, prob_diff,
                     window_equal))

    print(f"\nswap at event {S}, history {N}, {users} held-out users, window {M}: torch vs replay\n")
    print(f"| policy | hr@10 first step torch | replay | hr@10 first {M} torch | replay "
          f"| hr@1 first step torch | replay | hr@1 first {M} torch | replay "
          f"| top-10 at S equal (ids) | same set | unequal but tied | max abs prob diff at S "
          f"| top-10 equal, {M} steps |")
    print("|---" * 14 + "|")
    for name, h, h1, equal, same_set, ties, prob_diff, window_equal in rows:
        t, t1 = hits[name], hits1[name]
        print(f"| {name.upper()} | {t[:, 0].mean():.4f} | {h[:, 0].mean():.4f} "
              f"| {t.mean():.4f} | {h.mean():.4f} | {t1[:, 0].mean():.4f} | {h1[:, 0].mean():.4f} "
              f"| {t1.mean():.4f} | {h1.mean():.4f} | {equal}/{users} | {same_set}/{users} "
              f"| {ties} | {prob_diff:.2e} | {window_equal}/{users * M} |")
    print("\nreplay wall times: " + ", ".join(f"{k} {v:.1f}s" for k, v in walls.items())
          + f"; files in {work}")
    return figures


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
    parser.add_argument("--via-replay", action="store_true",
                        help="also run the rollout through bin/flink-gru replay (RESET, KEEP, REWARM)")
    parser.add_argument("--replay-dir", help="--via-replay's files (default: a new /tmp directory)")
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
        model_b = args.model_b
        updates, loss = "loaded", float("nan")
        print(f"model B: loaded {args.model_b}")
    else:
        t0 = time.time()
        model, loss = fine_tune(to_recommender(a), sessions[: train.TRAIN_USERS], args.updates)
        torch.jit.save(torch.jit.script(model), args.out_model)
        b = torch.jit.load(args.out_model).eval()
        model_b = args.out_model
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
        tops_a, h_a = run(a, held_out[:, :S], zero)
        states = {
            "reset": (b, zero),
            "keep": (b, h_a),
            "rewarm": (b, run(b, held_out[:, S - N : S], zero)[1]),
            "full": (b, run(b, held_out[:, :S], zero)[1]),
            "no_swap": (a, h_a),
        }
        targets = held_out[:, S + 1 : S + M + 1]
        hits, hits1, tops_by = {}, {}, {}
        for name in POLICIES:
            module, h = states[name]
            tops, _ = run(module, held_out[:, S : S + M], h)
            tops_by[name] = tops
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
    replay_figures = {}
    if args.via_replay:
        replay_figures = via_replay(args, args.model_a, model_b, held_out, states, tops_a, tops_by,
                                    hits, hits1)
    seconds = time.time() - started
    print(f"\n{seconds:.0f}s in all")

    with open(args.properties, "w") as f:
        f.write("# models/recommendation/rollout.py: hit-rate@10 after a model swap A -> B\n")
        f.write(f"updates={updates}\nlr={LR}\nseed={SEED}\nswap_at={S}\nhistory={N}\n")
        f.write(f"window={M}\nusers={users}\n")
        f.write(f"heldout.hitrate10.a={hr_a:.4f}\nheldout.hitrate10.b={hr_b:.4f}\n")
        for key, value in figures.items():
            f.write(f"{key}={value:.4f}\n")
        for key, value in replay_figures.items():
            f.write(f"{key}={value}\n" if isinstance(value, int) else f"{key}={value:.4f}\n")
    print(f"wrote {args.properties}")


if __name__ == "__main__":
    main()
