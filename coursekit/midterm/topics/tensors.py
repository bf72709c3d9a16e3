"""Tensors: the shapes PyTorch layers expect, shapes after operations, broadcasting, memory."""

from __future__ import annotations

from ..bank import Misconception, Numbers, Numeric, Variant, fmt, fmt_seq, question


def _batch_images(rng):
    n, side = rng.choice([8, 16, 32, 64]), rng.choice([64, 128, 224, 256])
    if rng.random() < 0.5:
        return dict(what="a mini-batch of %d RGB histology patches of %d x %d pixels, as `nn.Conv2d` expects it"
                    % (n, side, side), shape=[n, 3, side, side], channels_last=[n, side, side, 3],
                    why="PyTorch's Conv2d takes (batch, channels, height, width); RGB has 3 channels.")
    return dict(what="a mini-batch of %d grey-scale CT slices of %d x %d pixels, as `nn.Conv2d` expects it"
                % (n, side, side), shape=[n, 1, side, side], no_channel=[n, side, side],
                why="PyTorch's Conv2d takes (batch, channels, height, width); a grey-scale image has 1 channel.")


def _batch_ecg(rng):
    n, leads, rate, seconds = rng.choice([16, 32, 64]), rng.choice([1, 3, 12]), rng.choice([250, 360, 500]), \
        rng.choice([2, 4, 10])
    return dict(what="a mini-batch of %d ECG recordings of %d seconds, %d lead%s sampled at %d Hz, as `nn.Conv1d` "
                     "expects it" % (n, seconds, leads, "" if leads == 1 else "s", rate),
                shape=[n, leads, rate * seconds], time_first=[n, rate * seconds, leads], seconds=[n, leads, seconds],
                why="PyTorch's Conv1d takes (batch, channels, length): the leads are channels and the length is "
                    "%d Hz * %d s = %d samples." % (rate, seconds, rate * seconds))


def _batch_sequences(rng):
    n, steps, features = rng.choice([8, 16, 32]), rng.choice([20, 50, 100]), rng.choice([3, 6, 13, 40])
    return dict(what="a mini-batch of %d sequences of %d time steps with %d features per step, for "
                     "`nn.LSTM(%d, 64, batch_first=True)`" % (n, steps, features, features),
                shape=[n, steps, features], time_first=[steps, n, features],
                why="with batch_first=True an LSTM takes (batch, time, features).")


@question("tensors.batch_shape", "The shape of a mini-batch", misconceptions=[
    Misconception("channels_last", lambda p: p.get("channels_last"),
                  "PyTorch puts channels before height and width (N, C, H, W); (N, H, W, C) is the layout of "
                  "image files and TensorFlow."),
    Misconception("forgets_channel_axis", lambda p: p.get("no_channel"),
                  "Even one channel needs its own axis: Conv2d expects a 4-d tensor (N, 1, H, W)."),
    Misconception("time_before_channels", lambda p: p.get("time_first"),
                  "Check the layer's convention: Conv1d wants (N, C, L); an LSTM with batch_first=True wants (N, L, "
                  "features); only the default LSTM (batch_first=False) puts time first."),
    Misconception("length_in_seconds", lambda p: p.get("seconds"),
                  "The length axis counts samples (sampling rate * duration), not seconds."),
])
def batch_shape(rng) -> Variant:
    make = rng.choice([_batch_images, _batch_ecg, _batch_sequences])
    p = make(rng)
    return Variant(
        text="What is the shape of %s?" % p["what"],
        answer=Numbers(p["shape"], integer=True, what="a shape: a tuple of whole numbers"),
        explanation="%s So the shape is %s." % (p["why"], fmt_seq(p["shape"])),
        params={k: v for k, v in p.items() if k not in ("why",)},
    )


def _sum(rng, shape):
    d = rng.randrange(3)
    out = shape[:d] + shape[d + 1:]
    kept = shape[:d] + [1] + shape[d + 1:]
    return "x.sum(dim=%d)" % d, out, {"keepdim": kept}, "sum over dim %d removes that axis" % d


def _mean_keepdim(rng, shape):
    d = rng.randrange(3)
    return ("x.mean(dim=%d, keepdim=True)" % d, shape[:d] + [1] + shape[d + 1:],
            {"dropped": shape[:d] + shape[d + 1:]}, "keepdim=True keeps the averaged axis with size 1")


def _flatten(rng, shape):
    return ("x.flatten(1)", [shape[0], shape[1] * shape[2]], {"flatten_all": [shape[0] * shape[1] * shape[2]]},
            "flatten(1) merges every axis from 1 on and keeps the batch axis 0")


def _permute(rng, shape):
    order = rng.choice([(0, 2, 1), (2, 0, 1), (1, 2, 0)])
    out = [shape[i] for i in order]
    inverse = [0, 0, 0]
    for position, axis in enumerate(order):
        inverse[axis] = position
    wrong = [shape[i] for i in inverse]
    return ("x.permute%s" % (order,), out, {"inverse_permutation": wrong},
            "permute(%s) makes new axis i the old axis order[i]" % ", ".join(map(str, order)))


def _unsqueeze(rng, shape):
    d = rng.choice([0, 1, 2])
    return ("x.unsqueeze(%d)" % d, shape[:d] + [1] + shape[d:], {"appends_axis": shape + [1]},
            "unsqueeze(%d) inserts an axis of size 1 at position %d" % (d, d))


def _index(rng, shape):
    return ("x[:, 0]", [shape[0], shape[2]], {"keepdim": [shape[0], 1, shape[2]]},
            "an integer index removes that axis (a slice 0:1 would keep it)")


def _matmul(rng, shape):
    k = rng.choice([2, 5, 7, 10, 16])
    return ("x @ W, where W has shape (%d, %d)" % (shape[2], k), [shape[0], shape[1], k],
            {},
            "matrix multiplication acts on the last axis: (..., %d) @ (%d, %d) gives (..., %d)"
            % (shape[2], shape[2], k, k))


@question("tensors.shape_after_op", "Shape after a tensor operation", misconceptions=[
    Misconception("keeps_reduced_axis", lambda p: p["wrong"].get("keepdim"),
                  "Without keepdim=True, reducing (or indexing with an integer) removes the axis instead of "
                  "keeping it with size 1."),
    Misconception("drops_kept_axis", lambda p: p["wrong"].get("dropped"),
                  "keepdim=True keeps the reduced axis, with size 1."),
    Misconception("flattens_everything", lambda p: p["wrong"].get("flatten_all"),
                  "flatten(1) (start_dim=1) keeps the batch axis; only flatten() merges everything."),
    Misconception("inverse_permutation", lambda p: p["wrong"].get("inverse_permutation"),
                  "x.permute(order) puts old axis order[i] at new position i; you applied the inverse permutation."),
    Misconception("appends_axis", lambda p: p["wrong"].get("appends_axis"),
                  "unsqueeze(d) inserts the new axis at position d, not at the end."),
])
def shape_after_op(rng) -> Variant:
    shape = rng.sample([2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 32, 64], 3)
    op = rng.choice([_sum, _mean_keepdim, _flatten, _permute, _unsqueeze, _index, _matmul])
    expression, out, wrong, why = op(rng, list(shape))
    return Variant(
        text="A tensor `x` has shape %s. What is the shape of `%s`?" % (fmt_seq(shape), expression),
        answer=Numbers(out, integer=True, what="a shape: a tuple of whole numbers"),
        explanation="`%s`: %s, so the result has shape %s." % (expression, why, fmt_seq(out)),
        params={"shape": list(shape), "expression": expression, "wrong": {k: v for k, v in wrong.items() if v}},
    )


@question("tensors.broadcast", "Broadcasting", misconceptions=[
    Misconception("first_shape_wins", lambda p: p["a"] if p["a"] != p["out"] else None,
                  "Broadcasting stretches the size-1 axes of both tensors: the result can be larger than either."),
    Misconception("second_shape_wins", lambda p: [1] + p["b"] if [1] + p["b"] != p["out"] else None,
                  "Broadcasting stretches the size-1 axes of both tensors: the result takes, axis by axis, the "
                  "larger of the two sizes."),
])
def broadcast(rng) -> Variant:
    while True:
        out = rng.sample([2, 3, 4, 5, 6, 7, 8, 9], 3)
        a = [d if rng.random() < 0.5 else 1 for d in out]
        b = [d if rng.random() < 0.5 else 1 for d in out[1:]]
        full_b = [1] + b
        if all(x == d or y == d for x, y, d in zip(a, full_b, out)) and a != out and a.count(1) < 3:
            break
    return Variant(
        text="`a` has shape %s and `b` has shape %s. What is the shape of `a + b`?" % (fmt_seq(a), fmt_seq(b)),
        answer=Numbers(out, integer=True, what="a shape: a tuple of whole numbers"),
        explanation="Align the shapes from the right: %s and (1, %s). Each axis takes the larger size, a size-1 "
                    "axis being stretched: %s." % (fmt_seq(a), ", ".join(map(str, b)), fmt_seq(out)),
        params={"a": a, "b": b, "out": out},
    )


@question("tensors.memory", "Memory of a tensor", misconceptions=[
    Misconception("counts_numbers_not_bytes", lambda p: p["elements"] / 1e6,
                  "That is millions of numbers; each float32 number takes 4 bytes."),
    Misconception("float64_bytes", lambda p: p["elements"] * 8 / 1e6,
                  "float32 takes 4 bytes per number (8 is float64)."),
    Misconception("mebibytes", lambda p: p["elements"] * 4 / 2 ** 20,
                  "The question asks for megabytes, 1 MB = 10^6 bytes (you gave mebibytes, 2^20 bytes)."),
    Misconception("adds_dimensions", lambda p: sum(p["shape"]) * 4 / 1e6,
                  "The number of elements is the product of the dimensions, not their sum."),
])
def memory(rng) -> Variant:
    shape = [rng.choice([16, 32, 64, 128]), rng.choice([1, 3, 8, 12]), rng.choice([1000, 2500, 5000, 7500])]
    elements = shape[0] * shape[1] * shape[2]
    megabytes = elements * 4 / 1e6
    return Variant(
        text="A float32 tensor holds a batch of ECG recordings with shape %s (batch, leads, samples). How many "
             "megabytes (1 MB = 10^6 bytes) does it occupy?" % fmt_seq(shape),
        answer=Numeric(megabytes, rtol=0.01, unit="MB"),
        explanation="%s = %d numbers of 4 bytes each: %d bytes = %s MB."
                    % (" * ".join(map(str, shape)), elements, elements * 4, fmt(megabytes)),
        params={"shape": shape, "elements": elements},
    )
