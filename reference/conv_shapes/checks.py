"""Hidden tests for 02_conv_shapes (output shapes of conv/pool layers, 1D convolution by hand).

Every group is built so that the fault it is named after shows up whatever the seed: a
"stride" group only draws inputs whose last window does not fit (so floor and ceil differ),
a "dilation" group uses stride 1 and kernels of 2 or more (so ignoring dilation changes the
length), and so on. ``_draw`` redraws until an input has the property its group is about.
``grader_tests/test_units.py`` proves each mutant in
``reference/conv_shapes/wrong.py`` loses points on several seeds.
"""

import numpy as np

from coursekit.checks import Case, Check, Group
from coursekit.upstream import UPSTREAM_PROBE, own_upstream_judge, with_upstream
from reference.conv_shapes import solution as ref

#: Inputs are O(1) (standard normal) and outputs sums of at most ~20 products. float64 agrees
#: with the reference to ~1e-13; a float32 implementation (a legitimate choice) is off by up to
#: ~1e-6 in absolute terms, where terms cancel. Every indexing, padding, bias or flipping fault
#: moves some output by O(0.1) or more, so these bounds separate the two by four decades.
VALUE_RTOL = 1e-6
VALUE_ATOL = 1e-5


def _int(rng, low, high):
    """A Python int in [low, high] (inclusive)."""
    return int(rng.integers(low, high + 1))


def _draw(rng, make, accept, tries=10_000):
    """``make(rng)`` redrawn until ``accept(value)`` holds (the group's property)."""
    for _ in range(tries):
        value = make(rng)
        if accept(value):
            return value
    raise RuntimeError("no input with the required property after %d draws" % tries)


def _conv_length_or_none(L, k, s=1, p=0, d=1):
    try:
        return ref.conv1d_output_length(L, k, s, p, d)
    except ValueError:
        return None


def _span(k, d):
    return d * (k - 1) + 1


# --------------------------------------------------------------------------- conv1d_output_length

def _conv_length_groups(rng):
    def plain(rng):
        L = _int(rng, 1, 64)
        return (L, _int(rng, 1, L))

    def padded(rng):
        L, p = _int(rng, 1, 40), _int(rng, 1, 5)
        return (L, _int(rng, 1, L + 2 * p), p)

    def strided(rng):  # the last window does not fit: floor and ceil differ
        s = _int(rng, 2, 5)
        L = _int(rng, 6, 60)
        return (L, _int(rng, 1, L - 1), s)

    def dilated(rng):  # stride 1, kernel >= 2: ignoring dilation changes the length
        d, k = _int(rng, 2, 4), _int(rng, 2, 6)
        return (_int(rng, _span(k, d), 80), k, d)

    def everything(rng):
        L, k, s, p, d = _int(rng, 1, 80), _int(rng, 2, 7), _int(rng, 2, 4), _int(rng, 1, 4), _int(rng, 2, 3)
        return (L, k, s, p, d)

    plains = [plain(rng) for _ in range(3)]
    paddeds = [_draw(rng, padded, lambda c: True) for _ in range(3)]
    strideds = [_draw(rng, strided, lambda c: (c[0] - c[1]) % c[2] != 0) for _ in range(3)]
    # ... and windows that tile the input exactly: (room + 1) // stride would lose the last one
    exact = [_draw(rng, strided, lambda c: (c[0] - c[1]) % c[2] == 0 and c[0] - c[1] >= c[2]) for _ in range(2)]
    dilateds = [dilated(rng) for _ in range(3)]
    everythings = [_draw(rng, everything,
                         lambda c: _conv_length_or_none(*c) is not None
                         and (c[0] + 2 * c[3] - _span(c[1], c[4])) % c[2] != 0) for _ in range(4)]
    return [
        Group("no padding, stride 1, dilation 1", [Case(c) for c in plains]),
        Group("zero padding on both sides",
              [Case((L, k), {"padding": p}) for L, k, p in paddeds[:2]]
              + [Case((paddeds[2][0], paddeds[2][1], 1, paddeds[2][2]))]),
        Group("stride: a last window that does not fit is dropped (floor)",
              [Case((L, k), {"stride": s}) for L, k, s in strideds]),
        Group("stride: windows that fit exactly, the last one ending on the last sample",
              [Case((L, k, s)) for L, k, s in exact]),
        Group("dilation spreads the kernel over dilation*(kernel_size-1)+1 samples",
              [Case((L, k), {"dilation": d}) for L, k, d in dilateds]),
        Group("padding, stride and dilation together",
              [Case((L, k, s, p, d)) for L, k, s, p, d in everythings[:2]]
              + [Case((L, k), {"stride": s, "padding": p, "dilation": d}) for L, k, s, p, d in everythings[2:]]),
    ]


def _conv_length_invalid_groups(rng):
    L = _int(rng, 12, 40)
    k = _int(rng, 2, 5)

    def too_long(rng):  # the dilated kernel is longer than the padded input
        L, k, p, d = _int(rng, 2, 20), _int(rng, 2, 6), _int(rng, 0, 2), _int(rng, 1, 3)
        return (L, k, p, d)

    def just_too_long(rng):  # overshoot smaller than the stride: int() would round -0.5 up to 0
        s = _int(rng, 2, 5)
        L, k = _int(rng, 3, 30), _int(rng, 2, 6)
        p = _int(rng, 0, 2)
        return (L, k, s, p)

    def longer_than_input_when_dilated(rng):  # kernel_size fits, the dilated span does not
        L, k, d = _int(rng, 3, 20), _int(rng, 2, 5), _int(rng, 2, 4)
        return (L, k, d)

    def exact_fit(rng):
        k, d, p = _int(rng, 2, 6), _int(rng, 1, 3), _int(rng, 0, 2)
        return (_span(k, d) - 2 * p, k, p, d)

    longs = _draw(rng, too_long, lambda c: _span(c[1], c[3]) > c[0] + 2 * c[2])
    overshoot = _draw(rng, just_too_long, lambda c: 0 < _span(c[1], 1) - (c[0] + 2 * c[3]) < c[2])
    dilated = _draw(rng, longer_than_input_when_dilated, lambda c: c[1] <= c[0] < _span(c[1], c[2]))
    fits = [_draw(rng, exact_fit, lambda c: c[0] >= 1) for _ in range(2)]
    return [
        Group("kernel_size < 1 raises ValueError",
              [Case((L, 0)), Case((L, -_int(rng, 1, 5)))]),
        Group("stride < 1 raises ValueError",
              [Case((L, k), {"stride": 0}), Case((L, k), {"stride": -_int(rng, 1, 3)})]),
        Group("dilation < 1 raises ValueError",
              [Case((L, k), {"dilation": 0}), Case((L, k), {"dilation": -_int(rng, 1, 3)})]),
        # -1 padding would still give a positive length by the formula: only a check catches it.
        Group("negative padding raises ValueError",
              [Case((L, k), {"padding": -1}), Case((L, 1), {"padding": -_int(rng, 1, 3)})]),
        Group("L_in < 1 raises ValueError",
              [Case((0, 1), {"padding": _int(rng, 1, 3)}), Case((-_int(rng, 1, 9), 1), {"padding": 10})]),
        Group("a dilated kernel longer than the padded input raises ValueError",
              [Case((longs[0], longs[1]), {"padding": longs[2], "dilation": longs[3]}),
               Case((overshoot[0], overshoot[1]), {"stride": overshoot[2], "padding": overshoot[3]}),
               Case((dilated[0], dilated[1]), {"dilation": dilated[2]})]),
        Group("a kernel that exactly fits, or a stride longer than the input, gives length 1",
              [Case((L, k), {"padding": p, "dilation": d}) for L, k, p, d in fits]
              + [Case((L, k), {"stride": L + _int(rng, 1, 10)})]),
    ]


# --------------------------------------------------------------------------- conv2d_output_shape

def _conv2d_groups(rng):
    def distinct_pair(rng, low, high):
        a = _int(rng, low, high)
        return (a, _draw(rng, lambda r: _int(r, low, high), lambda b: b != a))

    def shape_or_none(case):
        try:
            return ref.conv2d_output_shape(*case)
        except ValueError:
            return None

    def ints(rng):
        return (_int(rng, 8, 64), _int(rng, 8, 64), _int(rng, 1, 5), _int(rng, 1, 3), _int(rng, 0, 2),
                _int(rng, 1, 2))

    def kernel_pair(rng):  # stride 1: swapping kh and kw changes both output sizes
        return (_int(rng, 10, 40), _int(rng, 10, 40), distinct_pair(rng, 1, 7), 1, _int(rng, 0, 2), 1)

    def stride_pair(rng):
        return (_int(rng, 20, 60), _int(rng, 20, 60), _int(rng, 1, 5), distinct_pair(rng, 1, 4), 0, 1)

    def padding_pair(rng):
        return (_int(rng, 5, 40), _int(rng, 5, 40), _int(rng, 1, 5), 1, distinct_pair(rng, 0, 3), 1)

    def dilation_pair(rng):
        return (_int(rng, 15, 40), _int(rng, 15, 40), _int(rng, 2, 5), 1, 0, distinct_pair(rng, 1, 3))

    def pairs(rng):
        return (_int(rng, 8, 64), _int(rng, 8, 64), distinct_pair(rng, 1, 5), distinct_pair(rng, 1, 3),
                distinct_pair(rng, 0, 2), distinct_pair(rng, 1, 2))

    def swapped(case):
        """The same case with every pair reversed: a pair's order must change the answer."""
        return case[:2] + tuple(v[::-1] if isinstance(v, tuple) else v for v in case[2:])

    def first_only(case):
        return case[:2] + tuple((v[0], v[0]) if isinstance(v, tuple) else v for v in case[2:])

    def heights_differ(case):
        shape = shape_or_none(case)
        return shape is not None and shape[0] != shape[1]

    def pair_matters(case):
        shape = shape_or_none(case)
        return (shape is not None and shape_or_none(swapped(case)) != shape
                and shape_or_none(first_only(case)) != shape and shape[0] != shape[1])

    def impossible(rng, axis):
        H, W = _int(rng, 3, 20), _int(rng, 3, 20)
        kernel = [_int(rng, 1, 3), _int(rng, 1, 3)]
        kernel[axis] = (H, W)[axis] + _int(rng, 1, 4)
        return (H, W, tuple(kernel))

    def keywords(case):
        H, W, k, s, p, d = case
        return Case((H, W, k), {"stride": s, "padding": p, "dilation": d})

    return [
        Group("int arguments apply to height and width",
              [Case(_draw(rng, ints, heights_differ)) for _ in range(3)]),
        Group("kernel_size as an (h, w) pair",
              [keywords(_draw(rng, kernel_pair, pair_matters)) for _ in range(2)]),
        Group("stride as an (h, w) pair",
              [keywords(_draw(rng, stride_pair, pair_matters)) for _ in range(2)]),
        Group("padding as an (h, w) pair",
              [keywords(_draw(rng, padding_pair, pair_matters)) for _ in range(2)]),
        Group("dilation as an (h, w) pair",
              [keywords(_draw(rng, dilation_pair, pair_matters)) for _ in range(2)]),
        Group("every argument a pair", [Case(_draw(rng, pairs, pair_matters)) for _ in range(3)]),
        Group("a kernel taller or wider than the padded image raises ValueError",
              [Case(impossible(rng, 0)), Case(impossible(rng, 1))]),
    ]


# --------------------------------------------------------------------------- pool1d_output_length

def _pool_room(L, k, s, p, d):
    return L + 2 * p - _span(k, d)


def _pool_ceil_case(rng):
    k = _int(rng, 2, 6)
    return (_int(rng, 2, 30), k, _int(rng, 1, 6), _int(rng, 0, k // 2), _int(rng, 1, 2))


def _last_window_start(L, k, s, p, d):
    """Start (in the padded input) of the extra window ceil mode would add."""
    room = _pool_room(L, k, s, p, d)
    return -(-room // s) * s


def _pool_groups(rng):
    def default_stride(rng):
        k = _int(rng, 2, 5)
        return (_int(rng, k + 1, 60), k)

    def explicit_stride(rng):
        k = _int(rng, 1, 5)
        return (_int(rng, 10, 60), k, _draw(rng, lambda r: _int(r, 1, 6), lambda s: s != k))

    def padded_dilated(rng):
        k = _int(rng, 2, 6)
        return (_int(rng, 20, 60), k, 1, _int(rng, 1, k // 2), _int(rng, 2, 3))

    def ceil_partial(rng):  # no padding and stride <= kernel: PyTorch's last-window rule never fires
        k = _int(rng, 2, 6)
        return (_int(rng, k + 1, 40), k, _int(rng, 1, k), 0, 1)

    def floor_length(c):
        L, k, s, p, d = c
        return _pool_room(L, k, s, p, d) // s + 1

    def ceil_differs(c):
        return _pool_room(*c) >= 0 and _pool_room(*c) % c[2] != 0

    def start_in_right_padding(c):  # ceil would add a window that starts in the right padding
        L, k, s, p, d = c
        return ceil_differs(c) and _last_window_start(*c) >= L + p

    def start_in_input(c):  # ... or one that starts inside the input, beyond position L
        L, k, s, p, d = c
        return ceil_differs(c) and p > 0 and L <= _last_window_start(*c) < L + p

    def as_case(c, ceil_mode):
        L, k, s, p, d = c
        return Case((L, k), {"stride": s, "padding": p, "dilation": d, "ceil_mode": ceil_mode})

    defaults = [default_stride(rng) for _ in range(3)]
    explicit = [explicit_stride(rng) for _ in range(3)]
    half_even = _int(rng, 1, 3)
    half_odd = _int(rng, 1, 3)
    return [
        Group("stride defaults to kernel_size",
              [Case(c) for c in defaults[:2]] + [Case(defaults[2], {"stride": None})]),
        Group("explicit stride, floor mode", [Case(c) for c in explicit]),
        Group("padding and dilation, floor mode",
              [as_case(padded_dilated(rng), False) for _ in range(3)]),
        Group("ceil_mode keeps a last partial window",
              [as_case(_draw(rng, ceil_partial, ceil_differs), True) for _ in range(3)]),
        Group("ceil_mode drops a last window that would start in the right padding",
              [as_case(_draw(rng, _pool_ceil_case, lambda c: start_in_right_padding(c) and floor_length(c) >= 1),
                       True) for _ in range(2)]),
        Group("ceil_mode keeps a last window that starts inside the input",
              [as_case(_draw(rng, _pool_ceil_case, start_in_input), True) for _ in range(2)]),
        Group("padding up to kernel_size / 2 is allowed",
              [Case((_int(rng, 10, 40), 2 * half_even), {"padding": half_even}),
               Case((_int(rng, 10, 40), 2 * half_odd + 1), {"stride": 1, "padding": half_odd})]),
        Group("padding above kernel_size / 2 raises ValueError",
              [Case((_int(rng, 20, 40), 2 * half_odd + 1), {"padding": half_odd + 1}),
               Case((_int(rng, 20, 40), 2 * half_even), {"stride": 1, "padding": half_even + _int(rng, 1, 2),
                                                          "ceil_mode": True})]),
        Group("kernel_size, stride or dilation < 1, or a window longer than the input, raise ValueError",
              [Case((_int(rng, 5, 20), 0)), Case((_int(rng, 5, 20), 2), {"stride": 0}),
               Case((_int(rng, 5, 20), 2), {"dilation": 0}),
               Case((_int(rng, 1, 4), _int(rng, 5, 8)), {"stride": 1})]),
    ]


# --------------------------------------------------------------------------- conv1d

def _conv1d_groups(rng):
    def signal(n):
        return rng.normal(0.0, 1.0, size=n)

    def bias():
        return float(rng.choice([-1.0, 1.0]) * rng.uniform(0.5, 2.0))

    def case(L, K, **options):
        return Case((signal(L), signal(K)), options)

    def strided():
        K, s = _int(rng, 1, 4), _int(rng, 2, 4)
        return case(_int(rng, K + 2 * s, 20), K, stride=s)

    def dilated():
        K, d = _int(rng, 2, 4), _int(rng, 2, 3)
        return case(_int(rng, _span(K, d), 20), K, dilation=d)

    def everything():
        K, s, p, d = _int(rng, 2, 4), _int(rng, 2, 3), _int(rng, 1, 3), _int(rng, 1, 3)
        L = _int(rng, max(1, _span(K, d) - 2 * p + s), 24)
        return Case((signal(L), signal(K), bias()), {"stride": s, "padding": p, "dilation": d})

    def too_long():
        K, p = _int(rng, 4, 7), _int(rng, 0, 1)
        return case(_int(rng, 1, K - 2 * p - 1), K, padding=p)

    return [
        Group("no padding, stride 1 (the kernel is not flipped)",
              [case(_int(rng, 4, 20), _int(rng, 2, 4)) for _ in range(3)]),
        Group("bias b is added once to every output",
              [Case((signal(_int(rng, 4, 20)), signal(_int(rng, 1, 4)), bias())) for _ in range(2)]
              + [Case((signal(_int(rng, 4, 20)), signal(_int(rng, 1, 4))), {"b": bias()})]),
        Group("zero padding on both sides",
              [case(_int(rng, 3, 20), _int(rng, 2, 4), padding=_int(rng, 1, 3)) for _ in range(3)]),
        Group("stride", [strided() for _ in range(3)]),
        Group("dilation", [dilated() for _ in range(3)]),
        Group("bias, stride, padding and dilation together", [everything() for _ in range(3)]),
        Group("a kernel longer than the padded input raises ValueError", [too_long() for _ in range(2)]),
    ]


# --------------------------------------------------------------------------- conv1d_multichannel

def _multichannel_groups(rng):
    def labelled(x, W, b, options):
        """Shapes, not 100 abbreviated numbers: what a student needs to find a shape or axis fault."""
        parts = ["x of shape %s" % (x.shape,), "W of shape %s" % (W.shape,),
                 "b=None" if b is None else "b of shape %s" % (b.shape,)]
        parts += ["%s=%d" % item for item in options.items()]
        return Case((x, W, b), options, label="conv1d_multichannel(%s)" % ", ".join(parts))

    def case(C_in, C_out, L, K, bias=True, **options):
        x = rng.normal(0.0, 1.0, size=(C_in, L))
        W = rng.normal(0.0, 1.0, size=(C_out, C_in, K))
        b = rng.normal(0.0, 1.0, size=C_out) if bias else None
        return labelled(x, W, b, options)

    def distinct_channels():
        C_in = _int(rng, 2, 4)
        return C_in, _draw(rng, lambda r: _int(r, 2, 4), lambda c: c != C_in)

    def mismatch(extra):
        C_in, C_out, K = _int(rng, 2, 3), _int(rng, 1, 3), _int(rng, 1, 3)
        x = rng.normal(0.0, 1.0, size=(C_in + extra, _int(rng, 5, 12)))
        W = rng.normal(0.0, 1.0, size=(C_out, C_in, K))
        return labelled(x, W, rng.normal(0.0, 1.0, size=C_out), {})

    def options():
        K, s, p, d = _int(rng, 2, 3), _int(rng, 1, 3), _int(rng, 1, 2), _int(rng, 2, 3)
        return K, {"stride": s, "padding": p, "dilation": d}

    cases_options = [options() for _ in range(2)]
    return [
        Group("one input and one output channel",
              [case(1, 1, _int(rng, 4, 16), _int(rng, 2, 4)) for _ in range(2)]),
        Group("the input channels are summed",
              [case(_int(rng, 2, 4), 1, _int(rng, 4, 16), _int(rng, 1, 4)) for _ in range(2)]),
        Group("each output channel has its own kernels and bias",
              [case(*distinct_channels(), _int(rng, 5, 16), _int(rng, 1, 4)) for _ in range(2)]),
        Group("b=None adds no bias",
              [case(*distinct_channels(), _int(rng, 5, 16), _int(rng, 1, 4), bias=False) for _ in range(2)]),
        Group("stride, padding and dilation",
              [case(*distinct_channels(), _int(rng, 10, 20), K, **o) for K, o in cases_options]),
        Group("x with the wrong number of channels raises ValueError", [mismatch(1), mismatch(-1)]),
    ]


# --------------------------------------------------------------------------- pooling values

def _pool_value_groups(rng, negative_group: bool):
    def signal(n):
        return rng.normal(0.0, 1.0, size=n)

    def default_partial():
        k = _int(rng, 2, 4)
        L = _draw(rng, lambda r: _int(r, 2 * k, 24), lambda n: n % k != 0)
        return Case((signal(L), k))

    def exact_cover():
        k = _int(rng, 2, 4)
        return Case((signal(k * _int(rng, 2, 6)), k))

    def overlapping():
        k = _int(rng, 2, 5)
        s = _int(rng, 1, k - 1)
        L = _draw(rng, lambda r: _int(r, k + 2 * s, 24), lambda n: (n - k) % s == 0)
        return Case((signal(L), k), {"stride": s})

    def gaps():
        k = _int(rng, 1, 3)
        s = _int(rng, k + 1, 5)
        return Case((signal(_int(rng, k + 2 * s, 30)), k, s))

    def negative():
        k = _int(rng, 2, 4)
        return Case((-np.abs(signal(_int(rng, 2 * k, 20))) - 0.1, k), {"stride": _int(rng, 1, k)})

    def monotone(increasing):  # each window's maximum sits at one of its ends
        k = _int(rng, 2, 4)
        ramp = np.cumsum(rng.uniform(0.1, 1.0, size=_int(rng, 2 * k + 1, 20)))
        return Case((ramp if increasing else -ramp, k), {"stride": _int(rng, 1, k)})

    def too_long():
        L = _int(rng, 1, 6)
        return Case((signal(L), L + _int(rng, 1, 4)))

    groups = [
        Group("stride defaults to kernel_size; a last window that does not fit is dropped",
              [default_partial() for _ in range(3)]),
        Group("windows that exactly cover x: the last one is kept", [exact_cover() for _ in range(2)]),
        Group("overlapping windows (stride < kernel_size)", [overlapping() for _ in range(3)]),
        Group("windows with gaps (stride > kernel_size)", [gaps() for _ in range(2)]),
    ]
    if negative_group:
        groups.append(Group("all values negative", [negative() for _ in range(2)]))
        groups.append(Group("increasing and decreasing signals (the maximum at a window's edge)",
                            [monotone(True), monotone(False)]))
    groups.append(Group("kernel_size longer than x raises ValueError", [too_long() for _ in range(2)]))
    return groups


def _max_pool_groups(rng):
    return _pool_value_groups(rng, negative_group=True)


def _avg_pool_groups(rng):
    return _pool_value_groups(rng, negative_group=False)


# --------------------------------------------------------------------------- parameter count

def _num_parameters_groups(rng):
    def sizes():
        in_channels = _int(rng, 2, 64)
        out_channels = _draw(rng, lambda r: _int(r, 2, 64), lambda c: c != in_channels)
        return (in_channels, out_channels, _int(rng, 2, 9))

    return [
        Group("bias by default", [Case(sizes()) for _ in range(3)]),
        Group("bias=False", [Case(sizes(), {"bias": False}) for _ in range(2)]),
        Group("bias=True", [Case(sizes(), {"bias": True}), Case(sizes() + (True,))]),
        Group("sizes below 1 raise ValueError",
              [Case((0, _int(rng, 1, 8), 3)), Case((_int(rng, 1, 8), 0, 3)),
               Case((_int(rng, 1, 8), _int(rng, 1, 8), -_int(rng, 0, 2)))]),
    ]


# --------------------------------------------------------------------------- the student's own upstream
# The notebook says "Reuse conv1d_output_length" (conv2d_output_shape), "Reuse your conv1d"
# (conv1d_multichannel); its solutions also call conv1d_output_length in conv1d and
# pool1d_output_length in the pools. Each of these checks asks for the student's answers to
# those calls too, so that a fault in the earlier function is charged once, in its own check
# (coursekit/upstream.py).

def _pair(value):
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


def _conv2d_upstream(H_in, W_in, kernel_size, stride=1, padding=0, dilation=1):
    pairs = [_pair(v) for v in (kernel_size, stride, padding, dilation)]
    return [("conv1d_output_length", (size,) + tuple(int(p[axis]) for p in pairs), {})
            for axis, size in enumerate((H_in, W_in))]


def _conv2d_from_own_lengths(case, lengths):
    return tuple(lengths)


def _conv1d_upstream(x, w, b=0.0, stride=1, padding=0, dilation=1):
    return [("conv1d_output_length", (len(x), len(w), stride, padding, dilation), {})]


def _conv1d_call(case):
    names = ("x", "w", "b", "stride", "padding", "dilation")
    values = dict(zip(names, (None, None, 0.0, 1, 0, 1)))
    values.update(zip(names, case.args))
    values.update(case.kwargs)
    return values


def _conv1d_with_length(x, w, b, stride, padding, dilation, length):
    """conv1d's formula for ``length`` outputs; raises when a window leaves the padded input."""
    x_padded = np.pad(np.asarray(x, dtype=float), padding)
    w = np.asarray(w, dtype=float)
    taps = np.arange(len(w)) * dilation
    y = np.empty(int(length))
    for i in range(int(length)):
        where = i * stride + taps
        if where[-1] >= len(x_padded):
            raise IndexError("window %d leaves the padded input" % i)
        y[i] = b + w @ x_padded[where]
    return y


def _conv1d_from_own_length(case, values):
    call = _conv1d_call(case)
    return _conv1d_with_length(call["x"], call["w"], call["b"], call["stride"], call["padding"],
                               call["dilation"], values[0])


def _multichannel_upstream(x, W, b, stride=1, padding=0, dilation=1):
    ref.conv1d_multichannel(x, W, b, stride, padding, dilation)  # only valid input: raises otherwise
    return [("conv1d", (x[c], W[o, c], 0.0, stride, padding, dilation), {})
            for o in range(W.shape[0]) for c in range(W.shape[1])]


def _multichannel_from_own_conv1d(case, outputs):
    x, W, b = case.args[:3]
    C_out, C_in = W.shape[:2]
    rows = [sum(np.asarray(outputs[o * C_in + c], dtype=float) for c in range(C_in)) for o in range(C_out)]
    y = np.stack(rows)
    return y if b is None else y + np.asarray(b, dtype=float)[:, None]


def _pool_upstream(x, kernel_size, stride=None):
    return [("pool1d_output_length", (len(x), kernel_size, kernel_size if stride is None else stride), {})]


def _pool_from_own_length(reduce):
    def compose(case, lengths):
        x, kernel_size = case.args[:2]
        stride = (case.args[2] if len(case.args) > 2 else case.kwargs.get("stride")) or kernel_size
        windows = [x[i * stride:i * stride + kernel_size] for i in range(int(lengths[0]))]
        if any(len(window) != kernel_size for window in windows):
            raise IndexError("a window leaves the input")
        return np.array([reduce(window) for window in windows])
    return compose


def _own_upstream(compose, **tolerances):
    return own_upstream_judge(ref, compose, **tolerances)


CHECKS = [
    Check("conv_shapes.conv1d_output_length", "conv1d_output_length", ref.conv1d_output_length,
          _conv_length_groups, strict_types=True),
    Check("conv_shapes.conv1d_output_length_invalid", "conv1d_output_length", ref.conv1d_output_length,
          _conv_length_invalid_groups, strict_types=True),
    Check("conv_shapes.conv2d_output_shape", "conv2d_output_shape", ref.conv2d_output_shape,
          with_upstream(_conv2d_groups, _conv2d_upstream), probe=UPSTREAM_PROBE,
          judge=_own_upstream(_conv2d_from_own_lengths, strict_types=True)),
    Check("conv_shapes.pool1d_output_length", "pool1d_output_length", ref.pool1d_output_length,
          _pool_groups, strict_types=True),
    Check("conv_shapes.conv1d", "conv1d", ref.conv1d, with_upstream(_conv1d_groups, _conv1d_upstream),
          probe=UPSTREAM_PROBE, judge=_own_upstream(_conv1d_from_own_length, rtol=VALUE_RTOL, atol=VALUE_ATOL)),
    Check("conv_shapes.conv1d_multichannel", "conv1d_multichannel", ref.conv1d_multichannel,
          with_upstream(_multichannel_groups, _multichannel_upstream), probe=UPSTREAM_PROBE,
          judge=_own_upstream(_multichannel_from_own_conv1d, rtol=VALUE_RTOL, atol=VALUE_ATOL)),
    Check("conv_shapes.max_pool1d", "max_pool1d", ref.max_pool1d, with_upstream(_max_pool_groups, _pool_upstream),
          probe=UPSTREAM_PROBE, judge=_own_upstream(_pool_from_own_length(np.max), rtol=VALUE_RTOL, atol=VALUE_ATOL)),
    Check("conv_shapes.avg_pool1d", "avg_pool1d", ref.avg_pool1d, with_upstream(_avg_pool_groups, _pool_upstream),
          probe=UPSTREAM_PROBE, judge=_own_upstream(_pool_from_own_length(np.mean), rtol=VALUE_RTOL, atol=VALUE_ATOL)),
    Check("conv_shapes.conv1d_num_parameters", "conv1d_num_parameters", ref.conv1d_num_parameters,
          _num_parameters_groups, strict_types=True),
]
