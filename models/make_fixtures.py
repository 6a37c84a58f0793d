#!/usr/bin/env python3
"""Writes the torch fixtures that flink-gru's tests compare against.

Run with Debian's python3-torch (1.13) and python3-onnx (1.12), from anywhere:

    /usr/bin/python3 models/make_fixtures.py

The outputs are small and committed, so the tests never need Python. Files that exist are never
rewritten (a committed savepoint holds the fingerprint of tiny/model.pt, and the tests compare
against the committed expected.csv files): a set whose meta.properties exists is kept as it is and
only gets the files it lacks (model.onnx, exported from its committed model.pt, after checking that
the re-built torch module gives exactly the committed module's outputs). To regenerate a set,
delete its folder first. Afterwards `git status models/` shows only new files.

For every fixture set NAME it writes models/fixtures/NAME/:
  model.pt      TorchScript module honouring the flink-gru model contract:
                forward(x: [B,F], h: [L,B,H]) -> (y: [B,O], h': [L,B,H])
  model.onnx    the same module exported to ONNX (torch.onnx.export, opset 17): inputs x [batch,F],
                h [L,batch,H]; outputs y [batch,O], h_next [L,batch,H]; the batch dimension is
                dynamic (dynamic_axes)
  events.csv    seq,key,x0..x{F-1}: many keys of random lengths, interleaved at random
  expected.csv  seq,key,y0..y{O-1}: the model over each key's WHOLE sequence at once (nn.GRU on the
                whole sequence from the zero state, the model's front end and head on every step)
  final_states.csv  key,steps,h0..h{L*H-1}: each key's state after its last event, layer-major
  step.csv      one batched step from random (non-zero) states: x.., h.., y.., h_next..
  meta.properties   sizes of the model

The sets:
  tiny, small, h64   nn.GRU + Linear head (GruWithHead), the reference architecture
  recommendation     written by models/recommendation/make_fixture.py; here only model.onnx
  projection         a sensor-style model: Linear(F, 12) + tanh in front of its GRU (so the GRU's
                     input width is not F), L=1; sensor-like readings, keys of varied shapes
  recommender-emb    item ids -> nn.Embedding named `emb` -> GRU -> Linear over the catalogue, top-K
                     inside the model (torch.topk): y = K ids (as float32) then their softmax
                     probabilities; no near-ties (see models/recommendation/make_fixture.py)
  two-layer          a two-layer GRU with a two-layer MLP head and several outputs
  recommender-strict recommender-emb's architecture (StrictEmbRecommender) without clamping the
                     ids: an id outside [0, items) makes the model throw (its embedding's index is
                     out of range, in torch and in ONNX Runtime), for the tests of a model that
                     fails on one event; padded rows are zero, a valid id

And models/fixtures/faulty/: models that break the contract, for the tests of its error messages,
each as .pt and .onnx, all taking x[B,3] and h[1,B,8]:
  one-output         returns y only, no new state
  wrong-state        returns a state of 4 units per layer, not 8
  float64-y          returns y as float64
  y-rows-capped      returns only the first 8 rows of y: right for B <= 8, wrong for larger batches
  h-rows-capped      returns only the first 8 rows of the new state: likewise
  y-one-row          returns only the first row of y: right for B=1 only
  late-float64.pt    (TorchScript only) returns y as float64 for batches larger than 8
  static-batch.onnx  a right model exported without dynamic_axes: its batch is fixed at 1

small/model-positional.onnx is small's model with inputs named features, state and outputs
prediction, state_out: a model whose x, h, y and h_next are taken by position.
"""
import csv
import io
import os
import random
import sys

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures")
OPSET = 17


def fmt(v: float) -> str:
    # repr of the float32 value read back as float64: parses back to the same float32.
    return repr(float(v))


def export_onnx(module: nn.Module, features: int, hidden: int, layers: int, path: str,
                outputs=("y", "h_next"), example=None, inputs=("x", "h"), dynamic=True):
    """Exports module to ONNX with a dynamic batch dimension (inputs x and h, unless renamed)."""
    module = module.eval()
    if example is None:
        example = (torch.randn(2, features), torch.zeros(layers, 2, hidden))
    names = tuple(inputs) + tuple(outputs)
    axes = [{0: "batch"}, {1: "batch"}, {0: "batch"}, {1: "batch"}][: len(names)]
    buffer = io.BytesIO()
    torch.onnx.export(module, example, buffer, opset_version=OPSET, input_names=list(inputs),
                      output_names=list(outputs),
                      dynamic_axes=dict(zip(names, axes)) if dynamic else None)
    import onnx  # only needed here

    onnx.checker.check_model(onnx.load_from_string(buffer.getvalue()))
    write_new(path, buffer.getvalue())


def write_new(path: str, data: bytes) -> bool:
    """Writes data to path unless the file exists (committed files are never rewritten)."""
    if os.path.exists(path):
        print(f"  kept {os.path.relpath(path, HERE)} (exists)")
        return False
    with open(path, "wb") as f:
        f.write(data)
    print(f"  wrote {os.path.relpath(path, HERE)} ({len(data)} bytes)")
    return True


def csv_bytes(header, rows) -> bytes:
    text = io.StringIO()
    w = csv.writer(text, lineterminator="\r\n")  # csv's default, as the committed sets have
    w.writerow(header)
    w.writerows(rows)
    return text.getvalue().encode()


def script_bytes(module: nn.Module) -> bytes:
    buffer = io.BytesIO()
    torch.jit.save(torch.jit.script(module.eval()), buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# Models. Each has forward(x [B,F], h [L,B,H]) -> (y [B,O], h' [L,B,H]), one step for B keys, and
# sequence(x [T,F]) -> (y [T,O], h [L,H]): the whole sequence of one key at once, from zero.


class GruWithHead(nn.Module):
    """The reference architecture: nn.GRU(batch_first=True) and a Linear head."""

    def __init__(self, features: int, hidden: int, layers: int, outputs: int):
        super().__init__()
        self.gru = nn.GRU(features, hidden, layers, batch_first=True)
        self.head = nn.Linear(hidden, outputs)

    def forward(self, x: torch.Tensor, h: torch.Tensor):
        out, h_next = self.gru(x.unsqueeze(1), h)
        return self.head(out[:, 0, :]), h_next

    @torch.jit.ignore
    def sequence(self, x: torch.Tensor):
        h0 = torch.zeros(self.gru.num_layers, 1, self.gru.hidden_size)
        out, hn = self.gru(x.unsqueeze(0), h0)
        return self.head(out[0]), hn[:, 0, :]


class ProjectedSensorGru(nn.Module):
    """A sensor model with a projection front end: Linear(F, P) + tanh, then nn.GRU(P, H)."""

    def __init__(self, features: int, projection: int, hidden: int, outputs: int):
        super().__init__()
        self.proj = nn.Linear(features, projection)
        self.gru = nn.GRU(projection, hidden, 1, batch_first=True)
        self.head = nn.Linear(hidden, outputs)

    def forward(self, x: torch.Tensor, h: torch.Tensor):
        out, h_next = self.gru(torch.tanh(self.proj(x)).unsqueeze(1), h)
        return self.head(out[:, 0, :]), h_next

    @torch.jit.ignore
    def sequence(self, x: torch.Tensor):
        h0 = torch.zeros(1, 1, self.gru.hidden_size)
        out, hn = self.gru(torch.tanh(self.proj(x)).unsqueeze(0), h0)
        return self.head(out[0]), hn[:, 0, :]


class EmbRecommender(nn.Module):
    """Item id -> nn.Embedding `emb` -> nn.GRU -> Linear over the catalogue -> top-K inside."""

    items: torch.jit.Final[int]
    k: torch.jit.Final[int]

    def __init__(self, items: int, embedding: int, hidden: int, k: int):
        super().__init__()
        self.items = items
        self.k = k
        self.emb = nn.Embedding(items, embedding)
        self.gru = nn.GRU(embedding, hidden, 1, batch_first=True)
        self.head = nn.Linear(hidden, items)

    def forward(self, x: torch.Tensor, h: torch.Tensor):
        ids = torch.nan_to_num(x[:, 0], nan=0.0).round().clamp(0, self.items - 1).long()
        out, h_next = self.gru(self.emb(ids).unsqueeze(1), h)
        return self.top(self.head(out[:, 0, :])), h_next

    def top(self, logits: torch.Tensor) -> torch.Tensor:
        """[B, ITEMS] logits -> [B, 2K]: top-K ids (float32), then their softmax probabilities."""
        scores, ids = torch.topk(logits, self.k, dim=1)
        probs = torch.exp(scores - torch.logsumexp(logits, dim=1, keepdim=True))
        return torch.cat([ids.to(torch.float32), probs], dim=1)

    @torch.jit.ignore
    def logits_of(self, items):
        """The logits of every step of one key's item list, the whole sequence at once."""
        h0 = torch.zeros(1, 1, self.gru.hidden_size)
        out, hn = self.gru(self.emb(torch.tensor([items])), h0)
        return self.head(out[0]), hn[:, 0, :]

    @torch.jit.ignore
    def sequence(self, x: torch.Tensor):
        logits, hn = self.logits_of([int(v) for v in x[:, 0].tolist()])
        return self.top(logits), hn


class StrictEmbRecommender(EmbRecommender):
    """EmbRecommender that does not clamp the ids: an id outside [0, items) makes it throw."""

    def forward(self, x: torch.Tensor, h: torch.Tensor):
        ids = x[:, 0].round().long()  # no clamp: emb(ids) refuses an id it has no row for
        out, h_next = self.gru(self.emb(ids).unsqueeze(1), h)
        return self.top(self.head(out[:, 0, :])), h_next


class TwoLayerMultiOutput(nn.Module):
    """A two-layer nn.GRU with a two-layer MLP head of several outputs."""

    def __init__(self, features: int, hidden: int, outputs: int):
        super().__init__()
        self.gru = nn.GRU(features, hidden, 2, batch_first=True)
        self.hidden_layer = nn.Linear(hidden, 2 * hidden)
        self.out = nn.Linear(2 * hidden, outputs)

    def head(self, h: torch.Tensor) -> torch.Tensor:
        return self.out(torch.relu(self.hidden_layer(h)))

    def forward(self, x: torch.Tensor, h: torch.Tensor):
        out, h_next = self.gru(x.unsqueeze(1), h)
        return self.head(out[:, 0, :]), h_next

    @torch.jit.ignore
    def sequence(self, x: torch.Tensor):
        h0 = torch.zeros(2, 1, self.gru.hidden_size)
        out, hn = self.gru(x.unsqueeze(0), h0)
        return self.head(out[0]), hn[:, 0, :]


# ---------------------------------------------------------------------------------------------
# Events.


def plain_keys(count):
    return [f"k{i:03d}" for i in range(count)]


def varied_keys(count, rng):
    """Keys of varied shapes: short, long, path-like, dotted, hex ids, non-ASCII; no commas."""
    shapes = [
        lambda i: f"s-{i}",
        lambda i: f"plant-{i % 7}/line-{i % 3}/sensor-{i}",
        lambda i: f"{rng.getrandbits(64):016x}",
        lambda i: f"capteur-\u00e9t\u00e9-{i}",
        lambda i: f"device:{i}:temp",
        lambda i: chr(ord("A") + i % 26) + str(i),
        lambda i: f"user_{i}@example.org",
        lambda i: "long-" + "x" * 40 + f"-{i}",
    ]
    return [shapes[i % len(shapes)](i) for i in range(count)]


def interleave(lengths, rng):
    """(key, t) rows: every key's events in order, the keys interleaved at random."""
    order = [k for k, n in lengths.items() for _ in range(n)]
    rng.shuffle(order)
    cursor = {k: 0 for k in lengths}
    rows = []
    for k in order:
        rows.append((k, cursor[k]))
        cursor[k] += 1
    return rows


def sensor_readings(n, features, rng):
    """Sensor-like readings: per-channel level, scale and period, a slow drift, some noise."""
    t = torch.arange(n, dtype=torch.float32)
    channels = []
    for _ in range(features):
        level, scale = rng.uniform(-2, 2), rng.uniform(0.2, 3.0)
        period, phase = rng.uniform(5, 40), rng.uniform(0, 6.3)
        drift = rng.uniform(-0.02, 0.02)
        noise = torch.randn(n) * rng.uniform(0.01, 0.3)
        channels.append(level + scale * torch.sin(2 * 3.14159 * t / period + phase) + drift * t
                        + noise)
    return torch.stack(channels, dim=1)


# ---------------------------------------------------------------------------------------------
# Sets.


def write_set_files(target, model, features, hidden, layers, outputs, seqs, rows, meta_comment,
                    step_x, step_h, meta_extra=None):
    """Writes a new set: model.pt, model.onnx, events, expected, final states, step, meta."""
    os.makedirs(target, exist_ok=True)
    write_new(os.path.join(target, "model.pt"), script_bytes(model))
    export_onnx(model, features, hidden, layers, os.path.join(target, "model.onnx"))

    expected, finals = {}, {}
    with torch.no_grad():
        for k, x in seqs.items():
            expected[k], finals[k] = model.sequence(x)  # the whole sequence at once
            # The exported module stepped one event at a time agrees (ids exactly).
            h = torch.zeros(layers, 1, hidden)
            for t in range(x.shape[0]):
                y, h = model(x[t : t + 1], h)
                assert (y[0] - expected[k][t]).abs().max() <= 1e-5, (k, t)

    xs = [f"x{i}" for i in range(features)]
    ys = [f"y{i}" for i in range(outputs)]
    hs = [f"h{i}" for i in range(layers * hidden)]
    write_new(os.path.join(target, "events.csv"), csv_bytes(
        ["seq", "key"] + xs,
        ([seq, k] + [fmt(v) for v in seqs[k][t]] for seq, (k, t) in enumerate(rows))))
    write_new(os.path.join(target, "expected.csv"), csv_bytes(
        ["seq", "key"] + ys,
        ([seq, k] + [fmt(v) for v in expected[k][t]] for seq, (k, t) in enumerate(rows))))
    write_new(os.path.join(target, "final_states.csv"), csv_bytes(
        ["key", "steps"] + hs,
        ([k, seqs[k].shape[0]] + [fmt(v) for v in finals[k].reshape(-1)] for k in sorted(finals))))

    # One batched step of the exported module from random, non-zero states.
    with torch.no_grad():
        y, h_next = torch.jit.script(model)(step_x, step_h)
    write_new(os.path.join(target, "step.csv"), csv_bytes(
        xs + hs + ys + [f"n{i}" for i in range(layers * hidden)],
        ([fmt(v) for v in step_x[b]] + [fmt(v) for v in step_h[:, b, :].reshape(-1)]
         + [fmt(v) for v in y[b]] + [fmt(v) for v in h_next[:, b, :].reshape(-1)]
         for b in range(step_x.shape[0]))))

    meta = "".join(f"# {line}\n" for line in meta_comment)
    meta += f"features={features}\nhidden={hidden}\nlayers={layers}\noutputs={outputs}\n"
    meta += "".join(f"{key}={value}\n" for key, value in (meta_extra or {}).items())
    meta += f"keys={len(seqs)}\nevents={len(rows)}\ntorch={torch.__version__}\n"
    write_new(os.path.join(target, "meta.properties"), meta.encode())
    print(f"{os.path.basename(target)}: F={features} H={hidden} L={layers} O={outputs} "
          f"keys={len(seqs)} events={len(rows)}")


def committed(name):
    return os.path.exists(os.path.join(OUT, name, "meta.properties"))


def write_set(name, features, hidden, layers, outputs, keys, max_len, seed):
    """A GruWithHead set (tiny, small, h64): kept if committed, else written."""
    target = os.path.join(OUT, name)
    if committed(name):
        top_up_gru_with_head(name, features, hidden, layers, outputs)
        return
    torch.manual_seed(seed)
    rng = random.Random(seed)
    model = GruWithHead(features, hidden, layers, outputs).eval()
    lengths = {k: rng.randint(1, max_len) for k in plain_keys(keys)}
    seqs = {k: torch.randn(n, features) * 1.5 for k, n in lengths.items()}
    rows = interleave(lengths, rng)
    write_set_files(target, model, features, hidden, layers, outputs, seqs, rows, [],
                    torch.randn(5, features), torch.randn(layers, 5, hidden) * 0.5)


def top_up_gru_with_head(name, features, hidden, layers, outputs):
    """A committed GruWithHead set: only model.onnx, from the committed model.pt's weights."""
    target = os.path.join(OUT, name)
    scripted = torch.jit.load(os.path.join(target, "model.pt")).eval()
    model = GruWithHead(features, hidden, layers, outputs).eval()
    model.load_state_dict(scripted.state_dict())
    check_same_module(scripted, model, features, hidden, layers)
    export_onnx(model, features, hidden, layers, os.path.join(target, "model.onnx"))
    if name == "small":  # the same model with other names: x, h, y and h_next taken by position
        export_onnx(model, features, hidden, layers, os.path.join(target, "model-positional.onnx"),
                    inputs=("features", "state"), outputs=("prediction", "state_out"))
    print(f"{name}: committed set kept")


def check_same_module(scripted, module, features, hidden, layers, x=None):
    """The re-built module gives exactly the committed TorchScript module's outputs."""
    if x is None:
        x = torch.randn(7, features)
    h = torch.randn(layers, x.shape[0], hidden) * 0.5
    with torch.no_grad():
        for a, b in zip(scripted(x, h), module(x, h)):
            assert torch.equal(a, b), "the re-built module differs from the committed model.pt"


def top_up_recommendation():
    """models/fixtures/recommendation (models/recommendation/make_fixture.py): model.onnx."""
    target = os.path.join(OUT, "recommendation")
    sys.path.insert(0, os.path.join(HERE, "recommendation"))
    from train import Recommender  # the demo model's own class

    scripted = torch.jit.load(os.path.join(target, "model.pt")).eval()
    state = scripted.state_dict()
    items, embedding = state["embed.weight"].shape
    hidden = state["gru.weight_hh_l0"].shape[1]
    k = scripted(torch.zeros(1, 1), torch.zeros(1, 1, hidden))[0].shape[1] // 2
    model = Recommender(items, embedding, hidden, 1, k).eval()
    model.load_state_dict(state)
    ids = torch.tensor([[float(i)] for i in (0, 5, 17, 999, 3, 250, 42)])
    check_same_module(scripted, model, 1, hidden, 1, ids)
    export_onnx(model, 1, hidden, 1, os.path.join(target, "model.onnx"), example=(
        ids[:2], torch.zeros(1, 2, hidden)))
    print("recommendation: committed set kept")


def write_projection(seed=31):
    name, features, projection, hidden, outputs = "projection", 5, 12, 24, 2
    if committed(name):
        print(f"{name}: committed set kept")
        return
    torch.manual_seed(seed)
    rng = random.Random(seed)
    model = ProjectedSensorGru(features, projection, hidden, outputs).eval()
    lengths = {k: rng.randint(1, 20) for k in varied_keys(100, rng)}
    seqs = {k: sensor_readings(n, features, rng) for k, n in lengths.items()}
    rows = interleave(lengths, rng)
    write_set_files(
        os.path.join(OUT, name), model, features, hidden, 1, outputs, seqs, rows,
        [f"Linear({features}, {projection}) + tanh in front of nn.GRU({projection}, {hidden}):"
         " the GRU's input width is not F", "sensor-like readings; keys of varied shapes"],
        sensor_readings(5, features, rng), torch.randn(1, 5, hidden) * 0.5)


def write_recommender_emb(seed=57):
    write_emb_recommender("recommender-emb", EmbRecommender, 300, 16, 32, 5, 60, 20, seed,
                          "named emb")


def write_recommender_strict(seed=61):
    name, items, hidden = "recommender-strict", 200, 32
    write_emb_recommender(name, StrictEmbRecommender, items, 16, hidden, 5, 40, 16, seed,
                          f"named emb, ids NOT clamped: an id outside [0, {items}) makes the model"
                          " throw (index out of range)", {"strict": "true"})
    # The committed model refuses an id it has no embedding for, and takes the zero of a padded row.
    scripted = torch.jit.load(os.path.join(OUT, name, "model.pt")).eval()
    with torch.no_grad():
        y, _ = scripted(torch.zeros(2, 1), torch.zeros(1, 2, hidden))
        assert y.shape == (2, 10), y.shape
        try:
            scripted(torch.tensor([[0.0], [float(items)]]), torch.zeros(1, 2, hidden))
        except RuntimeError as e:
            print(f"{name}: id {items} refused: {str(e).splitlines()[0]}")
        else:
            raise AssertionError(f"{name}: id {items} did not make the model throw")


def write_emb_recommender(name, model_class, items, embedding, hidden, k, users, max_len, seed,
                          emb_comment, meta_extra=None):
    min_gap = 0.01  # in logits
    if committed(name):
        print(f"{name}: committed set kept")
        return
    torch.manual_seed(seed)
    rng = random.Random(seed)
    model = model_class(items, embedding, hidden, k).eval()
    with torch.no_grad():
        model.head.weight.mul_(6.0)  # spread the untrained logits, fewer near-ties to redraw

    def gap_ok(logits):
        top = torch.topk(logits, k + 1).values
        return bool((top[:-1] - top[1:]).min() >= min_gap)

    # Each key's items drawn one at a time (half the time from the previous top-K), redrawn
    # while that step has a near-tie among its K+1 largest logits: the ids are then exact.
    seqs, draws = {}, 0
    with torch.no_grad():
        for key in varied_keys(users, rng):
            length, seq = rng.randint(1, max_len), []
            while len(seq) < length:
                prev = torch.topk(model.logits_of(seq)[0][-1], k).indices.tolist() if seq else []
                item = rng.choice(prev) if prev and rng.random() < 0.5 else rng.randrange(items)
                draws += 1
                if gap_ok(model.logits_of(seq + [item])[0][-1]):
                    seq.append(item)
            seqs[key] = torch.tensor([[float(i)] for i in seq])
    rows = interleave({key: s.shape[0] for key, s in seqs.items()}, rng)

    xs, hs = [], []
    with torch.no_grad():
        while len(xs) < 5:
            x = torch.tensor([[float(rng.randrange(items))]])
            h = torch.randn(1, 1, hidden) * 0.5
            out, _ = model.gru(model.emb(x[:, 0].long()).unsqueeze(1), h)
            if gap_ok(model.head(out[0, 0])):
                xs.append(x)
                hs.append(h)
    write_set_files(
        os.path.join(OUT, name), model, 1, hidden, 1, 2 * k, seqs, rows,
        [f"nn.Embedding({items}, {embedding}) {emb_comment} -> nn.GRU -> Linear({hidden}, {items})"
         f" -> torch.topk inside: y = top-{k} ids (float32, best first) then their softmax"
         " probabilities", f"the K+1 largest logits of every step differ by >= {min_gap}"
         f" (no near-ties; {draws - len(rows)} draws redrawn)"],
        torch.cat(xs), torch.cat(hs, 1),
        {"items": items, "k": k, "scores": "softmax", **(meta_extra or {})})


def write_two_layer(seed=73):
    name, features, hidden, outputs = "two-layer", 4, 16, 5
    if committed(name):
        print(f"{name}: committed set kept")
        return
    torch.manual_seed(seed)
    rng = random.Random(seed)
    model = TwoLayerMultiOutput(features, hidden, outputs).eval()
    lengths = {k: rng.randint(1, 30) for k in varied_keys(80, rng)}
    seqs = {k: torch.randn(n, features) * 1.5 for k, n in lengths.items()}
    rows = interleave(lengths, rng)
    write_set_files(
        os.path.join(OUT, name), model, features, hidden, 2, outputs, seqs, rows,
        [f"nn.GRU({features}, {hidden}, 2) -> Linear -> relu -> Linear({2 * hidden}, {outputs})"],
        torch.randn(5, features), torch.randn(2, 5, hidden) * 0.5)


# ---------------------------------------------------------------------------------------------
# Models that break the contract (x[B,3], h[1,B,8]).


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


class Float64Y(GruWithHead):
    """Breaks the contract: y is float64."""

    def __init__(self):
        super().__init__(3, 8, 1, 2)

    def forward(self, x: torch.Tensor, h: torch.Tensor):
        out, h_next = self.gru(x.unsqueeze(1), h)
        return self.head(out[:, 0, :]).double(), h_next


class YRowsCapped(GruWithHead):
    """Breaks the contract for B > 8: y holds only the first 8 rows."""

    def __init__(self):
        super().__init__(3, 8, 1, 2)

    def forward(self, x: torch.Tensor, h: torch.Tensor):
        out, h_next = self.gru(x.unsqueeze(1), h)
        return self.head(out[:8, 0, :]), h_next


class YOneRow(GruWithHead):
    """Breaks the contract for B > 1: y holds only the first row."""

    def __init__(self):
        super().__init__(3, 8, 1, 2)

    def forward(self, x: torch.Tensor, h: torch.Tensor):
        out, h_next = self.gru(x.unsqueeze(1), h)
        return self.head(out[:1, 0, :]), h_next


class HRowsCapped(GruWithHead):
    """Breaks the contract for B > 8: the new state holds only the first 8 rows."""

    def __init__(self):
        super().__init__(3, 8, 1, 2)

    def forward(self, x: torch.Tensor, h: torch.Tensor):
        out, h_next = self.gru(x.unsqueeze(1), h)
        return self.head(out[:, 0, :]), h_next[:, :8, :]


class LateFloat64(GruWithHead):
    """Breaks the contract for B > 8: y is float64 then (TorchScript only)."""

    def __init__(self):
        super().__init__(3, 8, 1, 2)

    def forward(self, x: torch.Tensor, h: torch.Tensor):
        out, h_next = self.gru(x.unsqueeze(1), h)
        y = self.head(out[:, 0, :])
        if x.shape[0] > 8:
            return y.double(), h_next
        return y, h_next


def write_faulty():
    target = os.path.join(OUT, "faulty")
    os.makedirs(target, exist_ok=True)
    torch.manual_seed(3)
    one, wrong = OneOutput().eval(), WrongState().eval()
    if not os.path.exists(os.path.join(target, "one-output.pt")):
        write_new(os.path.join(target, "one-output.pt"), script_bytes(one))
        write_new(os.path.join(target, "wrong-state.pt"), script_bytes(wrong))
    else:  # the committed ones, for their ONNX twins
        one.load_state_dict(torch.jit.load(os.path.join(target, "one-output.pt")).state_dict())
        wrong.load_state_dict(torch.jit.load(os.path.join(target, "wrong-state.pt")).state_dict())
    export_onnx(one, 3, 8, 1, os.path.join(target, "one-output.onnx"), outputs=("y",))
    export_onnx(wrong, 3, 4, 1, os.path.join(target, "wrong-state.onnx"),
                example=(torch.randn(2, 3), torch.zeros(1, 2, 8)))
    torch.manual_seed(5)
    for name, cls in (("float64-y", Float64Y), ("y-rows-capped", YRowsCapped),
                      ("h-rows-capped", HRowsCapped)):
        model = cls().eval()
        write_new(os.path.join(target, name + ".pt"), script_bytes(model))
        # Exported with a batch of 16, so that the traced slice is not folded away.
        export_onnx(model, 3, 8, 1, os.path.join(target, name + ".onnx"),
                    example=(torch.randn(16, 3), torch.zeros(1, 16, 8)))
    write_new(os.path.join(target, "late-float64.pt"), script_bytes(LateFloat64().eval()))
    model = YOneRow().eval()
    write_new(os.path.join(target, "y-one-row.pt"), script_bytes(model))
    export_onnx(model, 3, 8, 1, os.path.join(target, "y-one-row.onnx"),
                example=(torch.randn(16, 3), torch.zeros(1, 16, 8)))
    # Exported without dynamic axes: its batch is fixed at 1.
    export_onnx(GruWithHead(3, 8, 1, 2), 3, 8, 1, os.path.join(target, "static-batch.onnx"),
                example=(torch.randn(1, 3), torch.zeros(1, 1, 8)), dynamic=False)
    readme = ("Models that break the flink-gru contract, for the tests of its error messages.\n"
              "Both take x[B,3] and h[1,B,8].\n")
    write_new(os.path.join(target, "README"), readme.encode())  # make_fixtures.py lists them all



def write_rollout(seed=89):
    """Two versions of one model, and what each policy makes of a switch from the first to the second.

    rollout/: model-a.pt, model-b.pt (and .onnx): GruWithHead F=4 H=16 L=1 O=3; B is A fine-tuned
    (A's weights plus small noise), so carrying A's states over (KEEP) is meaningful. events.csv has
    the first SPLIT rows (every key's early events, interleaved) then the rest; keys of varied
    shapes, some only before the split, some only after. expected-POLICY.csv has, for every row,
    the first SPLIT rows under A from the zero state, then under B:
      reset   from the zero state at the split
      keep    from A's state at the split
      rewarm  from B run over the key's last HISTORY events before the split, from the zero state
    model-h8.pt is a model of H=8 (refused where H=16 is configured).
    """
    name, features, hidden, layers, outputs, history = "rollout", 4, 16, 1, 3, 6
    target = os.path.join(OUT, name)
    if committed(name):
        print(f"{name}: committed set kept")
        return
    torch.manual_seed(seed)
    rng = random.Random(seed)
    model_a = GruWithHead(features, hidden, layers, outputs).eval()
    model_b = GruWithHead(features, hidden, layers, outputs).eval()
    with torch.no_grad():
        for pa, pb in zip(model_a.parameters(), model_b.parameters()):
            pb.copy_(pa + 0.05 * torch.randn_like(pa))
    broken = GruWithHead(features, 8, layers, outputs).eval()

    keys = varied_keys(40, rng)
    before = {k: rng.randint(1, 14) for k in keys[:34]}  # 2..14 events before the split; some 1
    after = {k: rng.randint(1, 10) for k in keys[6:]}  # keys[:6] only before, keys[34:] only after
    total = {k: before.get(k, 0) + after.get(k, 0) for k in keys}
    readings = {k: sensor_readings(n, features, rng) for k, n in total.items()}
    rows = interleave(before, rng)
    split = len(rows)
    rows += [(k, before.get(k, 0) + t) for k, t in interleave(after, rng)]

    def run(model, x, h0=None):
        """y [T,O] and h [L,1,H] of model over x [T,F] from h0 (default zero), all at once."""
        if h0 is None:
            h0 = torch.zeros(layers, 1, hidden)
        if x.shape[0] == 0:
            return torch.zeros(0, outputs), h0
        out, hn = model.gru(x.unsqueeze(0), h0)
        return model.head(out[0]), hn

    expected = {policy: {} for policy in ("reset", "keep", "rewarm")}
    with torch.no_grad():
        for k in keys:
            x, n = readings[k], before.get(k, 0)
            y_a, h_a = run(model_a, x[:n])
            post = x[n:]
            y_reset, _ = run(model_b, post)
            y_keep, _ = run(model_b, post, h_a)
            warm = x[max(0, n - history):]
            y_rewarm = run(model_b, warm)[0][min(n, history):]
            for policy, y_post in (("reset", y_reset), ("keep", y_keep), ("rewarm", y_rewarm)):
                expected[policy][k] = torch.cat([y_a, y_post])
            # Stepping the scripted modules one event at a time agrees.
            h = torch.zeros(layers, 1, hidden)
            for t in range(x.shape[0]):
                y, h = (model_a if t < n else model_b)(x[t : t + 1], h)
                assert (y[0] - expected["keep"][k][t]).abs().max() <= 1e-5, (k, t)

    os.makedirs(target, exist_ok=True)
    write_new(os.path.join(target, "model-a.pt"), script_bytes(model_a))
    write_new(os.path.join(target, "model-b.pt"), script_bytes(model_b))
    write_new(os.path.join(target, "model-h8.pt"), script_bytes(broken))
    export_onnx(model_a, features, hidden, layers, os.path.join(target, "model-a.onnx"))
    export_onnx(model_b, features, hidden, layers, os.path.join(target, "model-b.onnx"))
    xs = [f"x{i}" for i in range(features)]
    ys = [f"y{i}" for i in range(outputs)]
    write_new(os.path.join(target, "events.csv"), csv_bytes(
        ["seq", "key"] + xs,
        ([seq, k] + [fmt(v) for v in readings[k][t]] for seq, (k, t) in enumerate(rows))))
    for policy, ys_of in expected.items():
        write_new(os.path.join(target, f"expected-{policy}.csv"), csv_bytes(
            ["seq", "key"] + ys,
            ([seq, k] + [fmt(v) for v in ys_of[k][t]] for seq, (k, t) in enumerate(rows))))
    meta = ("# two versions of GruWithHead; B = A + 0.05 N(0,1) on every weight\n"
            f"features={features}\nhidden={hidden}\nlayers={layers}\noutputs={outputs}\n"
            f"split={split}\nhistory={history}\nkeys={len(keys)}\nevents={len(rows)}\n"
            f"torch={torch.__version__}\n")
    write_new(os.path.join(target, "meta.properties"), meta.encode())
    print(f"{name}: F={features} H={hidden} split={split} events={len(rows)} history={history}")

if __name__ == "__main__":
    write_faulty()
    write_set("tiny", features=3, hidden=8, layers=2, outputs=2, keys=60, max_len=30, seed=7)
    write_set("small", features=4, hidden=16, layers=1, outputs=3, keys=24, max_len=12, seed=11)
    write_set("h64", features=8, hidden=64, layers=1, outputs=1, keys=50, max_len=40, seed=23)
    top_up_recommendation()
    write_projection()
    write_recommender_emb()
    write_two_layer()
    write_rollout()
    write_recommender_strict()
