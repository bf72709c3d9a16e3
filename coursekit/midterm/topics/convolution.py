"""Convolution and pooling: output lengths, a 1D convolution and a pooling by hand, parameter
counts, receptive fields, and writing the ``nn.Conv1d`` call.

PyTorch's formula (``nn.Conv1d`` documentation)::

    L_out = floor((L_in + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1

and PyTorch "convolutions" are cross-correlations: the kernel is not flipped.
"""

from __future__ import annotations

import math

from ..bank import Call, Integer, Misconception, Numbers, Requirement, Signature, Variant, fmt, fmt_seq, question

CONV1D = Signature("Conv1d", ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups",
                              "bias", "padding_mode", "device", "dtype"),
                   {"stride": 1, "padding": 0, "dilation": 1, "groups": 1, "bias": True, "padding_mode": "zeros",
                    "device": None, "dtype": None},
                   scalar_tuples=("kernel_size", "stride", "padding", "dilation"))


def conv_length(length, kernel, stride=1, padding=0, dilation=1, rounding=math.floor, plus_one=True, pad_sides=2):
    span = length + pad_sides * padding - dilation * (kernel - 1) - 1
    value = span / stride
    return (rounding(value) if rounding else value) + (1 if plus_one else 0)


@question("convolution.output_length", "Output length of a 1D convolution", misconceptions=[
    Misconception("ignores_dilation", lambda p: conv_length(p["L"], p["k"], p["s"], p["p"], 1),
                  "Dilation spreads the kernel: it spans dilation * (kernel_size - 1) + 1 samples."),
    Misconception("ceil_not_floor", lambda p: conv_length(p["L"], p["k"], p["s"], p["p"], p["d"], rounding=math.ceil),
                  "PyTorch rounds down (floor): a window that does not fit entirely is dropped."),
    Misconception("no_rounding", lambda p: conv_length(p["L"], p["k"], p["s"], p["p"], p["d"], rounding=None),
                  "A length is a whole number: the division by the stride is rounded down (floor)."),
    Misconception("forgets_plus_one", lambda p: conv_length(p["L"], p["k"], p["s"], p["p"], p["d"], plus_one=False),
                  "Count the first window too: floor(...) + 1."),
    Misconception("pads_one_side", lambda p: conv_length(p["L"], p["k"], p["s"], p["p"], p["d"], pad_sides=1),
                  "padding=p adds p zeros on each side: 2p in total."),
])
def output_length(rng) -> Variant:
    while True:
        L, k = rng.randint(20, 500), rng.choice([3, 5, 7, 9])
        s, p, d = rng.choice([1, 2, 2, 3, 4]), rng.choice([0, 1, 2, 3, 4]), rng.choice([1, 2, 2, 3])
        out = conv_length(L, k, s, p, d)
        if out >= 1:
            break
    span = L + 2 * p - d * (k - 1) - 1
    return Variant(
        text="An ECG of length %d samples goes through `nn.Conv1d(12, 32, kernel_size=%d, stride=%d, padding=%d, "
             "dilation=%d)`. What is the length of the output?" % (L, k, s, p, d),
        answer=Integer(out, unit="samples"),
        explanation="L_out = floor((L + 2p - d(k - 1) - 1) / s) + 1 = floor((%d + %d - %d - 1) / %d) + 1 = "
                    "floor(%d / %d) + 1 = %d." % (L, 2 * p, d * (k - 1), s, span, s, out),
        params={"L": L, "k": k, "s": s, "p": p, "d": d},
    )


def correlate(x, kernel, stride=1, flip=False):
    kernel = kernel[::-1] if flip else kernel
    k = len(kernel)
    return [sum(a * b for a, b in zip(x[i:i + k], kernel)) for i in range(0, len(x) - k + 1, stride)]


@question("convolution.compute_1d", "A 1D convolution by hand", misconceptions=[
    Misconception("flips_kernel", lambda p: correlate(p["x"], p["kernel"], p["stride"], flip=True),
                  "PyTorch's Conv1d computes a cross-correlation: the kernel is used as given, not flipped."),
    Misconception("ignores_stride", lambda p: correlate(p["x"], p["kernel"]) if p["stride"] > 1 else None,
                  "With stride 2 the window moves two samples at a time: keep every second output."),
    Misconception("misses_last_window", lambda p: correlate(p["x"], p["kernel"], p["stride"])[:-1],
                  "The last window that fits entirely counts too: L_out = floor((L - k) / stride) + 1."),
])
def compute_1d(rng) -> Variant:
    x = [rng.randint(-3, 3) for _ in range(rng.choice([6, 7]))]
    while True:
        kernel = [rng.choice([-2, -1, 0, 1, 2]) for _ in range(3)]
        if kernel[0] != kernel[2] and any(kernel):
            break
    stride = rng.choice([1, 1, 2])
    out = correlate(x, kernel, stride)
    return Variant(
        text="`nn.Conv1d(1, 1, kernel_size=3, stride=%d, padding=0, bias=False)` has the weights $%s$. What does it "
             "output for the input signal $x = %s$?" % (stride, fmt_seq(kernel), fmt_seq(x)),
        answer=Numbers(out, integer=True, what="the output signal as a tuple of numbers", example="(1, -2, 0)"),
        explanation="Slide the kernel (unflipped) over x%s: each output is the dot product of the kernel with a window "
                    "of 3 samples, e.g. %s * %s = %s. Output: %s." % (
                        " two samples at a time" if stride == 2 else "", fmt_seq(kernel), fmt_seq(x[:3]), out[0],
                        fmt_seq(out)),
        params={"x": x, "kernel": kernel, "stride": stride},
    )


def pool(x, kernel, stride, op, ceil_mode=False):
    reduce = max if op == "max" else (lambda window: sum(window) / len(window))
    last = len(x) - 1 if ceil_mode else len(x) - kernel
    return [reduce(x[i:i + kernel]) for i in range(0, last + 1, stride)]


@question("convolution.pooling", "Pooling by hand", misconceptions=[
    Misconception("overlapping_windows", lambda p: pool(p["x"], p["k"], 1, p["op"]) if p["s"] > 1 else None,
                  "The pooling stride defaults to the kernel size: windows do not overlap."),
    Misconception("max_average_swap", lambda p: pool(p["x"], p["k"], p["s"], "avg" if p["op"] == "max" else "max"),
                  lambda p: "Max pooling keeps each window's largest value." if p["op"] == "max" else
                  "Average pooling takes each window's mean."),
    Misconception("keeps_partial_window", lambda p: pool(p["x"], p["k"], p["s"], p["op"], ceil_mode=True),
                  "By default (ceil_mode=False) a last window that does not fit entirely is dropped."),
])
def pooling(rng) -> Variant:
    k = rng.choice([2, 3])
    length = rng.choice([n for n in (7, 8, 9, 10) if n % k])
    x = [rng.randint(-4, 6) for _ in range(length)]
    op = rng.choice(["max", "avg"])
    out = pool(x, k, k, op)
    layer = "nn.MaxPool1d(kernel_size=%d)" % k if op == "max" else "nn.AvgPool1d(kernel_size=%d)" % k
    return Variant(
        text="What does `%s` output for the signal $%s$?" % (layer, fmt_seq(x)),
        answer=Numbers(out, atol=0.005, what="the output as a tuple of numbers", example="(1, 2.5, 0)"),
        explanation="The stride defaults to the kernel size, so the windows are %s (the incomplete last window is "
                    "dropped); their %s: %s." % (", ".join(fmt_seq(x[i:i + k]) for i in range(0, length - k + 1, k)),
                                                  "maxima" if op == "max" else "means", fmt_seq(out, 4)),
        params={"x": x, "k": k, "s": k, "op": op},
    )


def _params(p, bias=True, in_channels=True, square=True):
    kernel = p["k"] ** 2 if p["dims"] == 2 and square else p["k"]
    return p["out"] * (p["in"] if in_channels else 1) * kernel + (p["out"] if bias else 0)


@question("convolution.param_count", "Parameters of a convolution layer", misconceptions=[
    Misconception("forgets_bias", lambda p: _params(p, bias=False),
                  "Each output channel has a bias: + out_channels."),
    Misconception("forgets_in_channels", lambda p: _params(p, in_channels=False),
                  "Each filter spans all input channels: out * in * kernel weights."),
    Misconception("kernel_not_squared", lambda p: _params(p, square=False) if p["dims"] == 2 else None,
                  "A 2D kernel_size=k means a k x k kernel: k^2 weights per input channel."),
    Misconception("depends_on_input_length", lambda p: _params(p) * p["L"] if p["dims"] == 1 else None,
                  "A convolution shares its weights along the signal: the count does not depend on the input length."),
])
def param_count(rng) -> Variant:
    dims = rng.choice([1, 2])
    p = {"dims": dims, "in": rng.choice([1, 3, 12, 16, 32]), "out": rng.choice([8, 16, 32, 64]),
         "k": rng.choice([3, 5, 7]), "L": rng.choice([500, 1000, 5000])}
    count = _params(p)
    if dims == 1:
        text = ("How many trainable parameters does `nn.Conv1d(%d, %d, kernel_size=%d)` have? It is applied to ECGs "
                "of %d samples." % (p["in"], p["out"], p["k"], p["L"]))
        formula = "out * in * k + out = %d * %d * %d + %d" % (p["out"], p["in"], p["k"], p["out"])
    else:
        text = "How many trainable parameters does `nn.Conv2d(%d, %d, kernel_size=%d)` have?" % (p["in"], p["out"], p["k"])
        formula = "out * in * k * k + out = %d * %d * %d * %d + %d" % (p["out"], p["in"], p["k"], p["k"], p["out"])
    return Variant(
        text=text,
        answer=Integer(count, unit="parameters"),
        explanation="%s = %d (weights, then one bias per output channel; the input length does not matter)."
                    % (formula, count),
        params=p,
    )


@question("convolution.receptive_field", "Receptive field of stacked convolutions", misconceptions=[
    Misconception("ignores_dilation", lambda p: 1 + len(p["dilations"]) * (p["k"] - 1),
                  "A dilated layer widens the receptive field by dilation * (k - 1), not by k - 1."),
    Misconception("multiplies_kernels", lambda p: p["k"] ** len(p["dilations"]),
                  "Receptive fields of stride-1 layers add up: 1 + sum of dilation * (k - 1)."),
    Misconception("sums_kernel_sizes", lambda p: sum(d * p["k"] for d in p["dilations"]),
                  "Consecutive windows overlap by one sample: each layer adds dilation * (k - 1), and the total "
                  "starts from 1."),
])
def receptive_field(rng) -> Variant:
    k = rng.choice([2, 3, 5])
    n = rng.choice([3, 4])
    dilations = [2 ** i for i in range(n)] if rng.random() < 0.6 else [rng.choice([1, 2, 3]) for _ in range(n)]
    if all(d == 1 for d in dilations):
        dilations[-1] = 2
    field = 1 + sum(d * (k - 1) for d in dilations)
    return Variant(
        text="A stack of %d `nn.Conv1d` layers, all with kernel_size=%d and stride 1, has the dilations %s (first "
             "layer first). How wide is the receptive field of one output sample of the last layer, i.e. how many "
             "input samples lie between the first and the last input sample it depends on (both included)?"
             % (n, k, fmt_seq(dilations)),
        answer=Integer(field, unit="samples"),
        explanation="Each layer adds dilation * (k - 1) samples: 1 + %s = %d." % (
            " + ".join("%d*%d" % (d, k - 1) for d in dilations), field),
        params={"k": k, "dilations": dilations},
    )


def _length_of(arguments, length):
    padding = arguments["padding"]
    stride, dilation, kernel = arguments["stride"], arguments["dilation"], arguments["kernel_size"]
    for name, value in (("stride", stride), ("dilation", dilation), ("kernel_size", kernel)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError("%s must be a positive whole number, got %r" % (name, value))
    if padding == "same":
        if stride != 1:
            raise ValueError("padding='same' is not supported for strided convolutions")
        return length
    if padding == "valid":
        padding = 0
    if not isinstance(padding, int) or isinstance(padding, bool) or padding < 0:
        raise ValueError("padding must be a whole number >= 0, 'same' or 'valid', got %r" % (padding,))
    return conv_length(length, kernel, stride, padding, dilation)


def _conv_call(in_channels, out_channels, kernel, stride, padding):
    extra = "" if stride == 1 else ", stride=%d" % stride
    return "nn.Conv1d(%d, %d, kernel_size=%d%s, padding=%d)" % (in_channels, out_channels, kernel, extra, padding)


@question("convolution.conv1d_call", "Write the nn.Conv1d call", misconceptions=[
    Misconception("swapped_channels", lambda p: _conv_call(p["out"], p["in"], p["k"], p["stride"], p["padding"]),
                  "nn.Conv1d takes in_channels first, then out_channels.", score=2 / 3),
    Misconception("no_padding", lambda p: _conv_call(p["in"], p["out"], p["k"], p["stride"], 0),
                  "Without padding the output is shorter: pad (kernel_size - 1) / 2 zeros on each side.", score=2 / 3),
    Misconception("padding_equals_kernel", lambda p: _conv_call(p["in"], p["out"], p["k"], p["stride"], p["k"]),
                  "padding is added on both sides: (kernel_size - 1) / 2 keeps the length, kernel_size makes it longer.",
                  score=2 / 3),
])
def conv1d_call(rng) -> Variant:
    channels = rng.sample([1, 3, 8, 12, 16, 32, 64], 2)
    k, length = rng.choice([3, 5, 7, 9]), rng.choice([500, 1000, 2000, 2500])
    stride = rng.choice([1, 1, 2])
    target = length // stride
    p = {"in": channels[0], "out": channels[1], "k": k, "L": length, "stride": stride, "padding": (k - 1) // 2,
         "target": target}

    def channels_ok(a):
        if (a["in_channels"], a["out_channels"]) == (p["in"], p["out"]):
            return None
        return "it maps %r to %r channels; the input has %d channels and the output needs %d." % (
            a["in_channels"], a["out_channels"], p["in"], p["out"])

    def kernel_ok(a):
        return None if a["kernel_size"] == k else "kernel_size is %r, the question asks for %d." % (a["kernel_size"], k)

    def length_ok(a):
        got = _length_of(a, length)
        return None if got == target else "the output length would be %s, not %d." % (fmt(got), target)

    goal = "keeps the length" if stride == 1 else "halves the length with stride 2"
    return Variant(
        text="Write the PyTorch layer that takes ECG batches of shape $(N, %d, %d)$ and, with kernel_size=%d, returns "
             "shape $(N, %d, %d)$ (it %s). Give it as a string, e.g. `\"nn.Conv1d(...)\"`."
             % (p["in"], length, k, p["out"], target, goal),
        answer=Call(CONV1D, [Requirement("channels", channels_ok), Requirement("kernel_size", kernel_ok),
                             Requirement("output length", length_ok)],
                    _conv_call(p["in"], p["out"], k, stride, (k - 1) // 2)),
        explanation="in_channels=%d, out_channels=%d, kernel_size=%d%s and padding=(k - 1) / 2 = %d, since "
                    "floor((%d + 2*%d - %d - 1) / %d) + 1 = %d. (padding='same' also works when stride is 1.)"
                    % (p["in"], p["out"], k, "" if stride == 1 else ", stride=2", (k - 1) // 2, length, (k - 1) // 2,
                       k - 1, stride, target),
        params=p,
    )
