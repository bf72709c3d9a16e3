"""Wrong implementations of 02_conv_shapes that students really write, named after the fault.

Each source replaces one function of ``reference/conv_shapes/solution.py`` (the other functions stay
correct, as for a student who got everything else right). ``check`` is the hidden check that
must take points from it; ``grader_tests/test_units.py`` proves it does on several seeds.
"""

from coursekit.manifest import Mutant, Submission

_LENGTH = "conv_shapes.conv1d_output_length"
_LENGTH_INVALID = "conv_shapes.conv1d_output_length_invalid"
_SHAPE2D = "conv_shapes.conv2d_output_shape"
_POOL_LENGTH = "conv_shapes.pool1d_output_length"
_CONV1D = "conv_shapes.conv1d"
_MULTI = "conv_shapes.conv1d_multichannel"
_MAX = "conv_shapes.max_pool1d"
_AVG = "conv_shapes.avg_pool1d"
_PARAMS = "conv_shapes.conv1d_num_parameters"

# A correct validation prologue, shared by mutants whose fault lies elsewhere.
_VALIDATE = """
    if L_in < 1 or kernel_size < 1 or stride < 1 or dilation < 1 or padding < 0:
        raise ValueError("invalid argument")
"""


def _length(body: str, validate: bool = True) -> str:
    return ("def conv1d_output_length(L_in, kernel_size, stride=1, padding=0, dilation=1):\n"
            + (_VALIDATE if validate else "") + body)


def _conv1d(index: str = "w[j] * x_padded[i * stride + j * dilation]", bias: str = "y[i] += b") -> str:
    """A student's loop conv1d, with the product in the inner loop and the bias line given."""
    return """
def conv1d(x, w, b=0.0, stride=1, padding=0, dilation=1):
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    L_out = conv1d_output_length(len(x), len(w), stride, padding, dilation)
    x_padded = np.pad(x, padding)
    y = np.zeros(L_out)
    for i in range(L_out):
        for j in range(len(w)):
            y[i] += %s
        %s
    return y
""" % (index, bias or "pass")


def _multichannel(combine: str = "sum(conv1d(x[c], W[o, c], 0.0, stride, padding, dilation) for c in range(C_in))",
                  bias: str = "y if b is None else y + np.asarray(b)[:, None]") -> str:
    """A student's conv1d_multichannel built on conv1d, with output channel ``o`` and its bias given."""
    return """
def conv1d_multichannel(x, W, b, stride=1, padding=0, dilation=1):
    x, W = np.asarray(x, dtype=float), np.asarray(W, dtype=float)
    C_out, C_in, K = W.shape
    if x.shape[0] != C_in:
        raise ValueError("x has the wrong number of channels")
    y = np.stack([%s for o in range(C_out)])
    return %s
""" % (combine, bias)


def _pool(function: str, default_stride: str = "kernel_size", always: bool = False, reduce: str = "") -> str:
    """A student's max_pool1d / avg_pool1d over pool1d_output_length windows."""
    reduce = reduce or ("max()" if function == "max_pool1d" else "mean()")
    condition = "True" if always else "stride is None"
    return """
def %s(x, kernel_size, stride=None):
    x = np.asarray(x, dtype=float)
    if %s:
        stride = %s
    L_out = pool1d_output_length(len(x), kernel_size, stride)
    return np.array([x[i * stride:i * stride + kernel_size].%s for i in range(L_out)])
""" % (function, condition, default_stride, reduce)


MUTANTS = [
    # ------------------------------------------------------------------ conv1d_output_length
    Mutant("conv_len_ignores_dilation", _LENGTH, _length("""
    L_out = (L_in + 2 * padding - kernel_size) // stride + 1
    if L_out < 1:
        raise ValueError("too short")
    return L_out
""")),
    Mutant("conv_len_uses_ceil", _LENGTH, _length("""
    import math
    L_out = math.ceil((L_in + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1
    if L_out < 1:
        raise ValueError("too short")
    return L_out
""")),
    Mutant("conv_len_padding_counted_once", _LENGTH, _length("""
    L_out = (L_in + padding - dilation * (kernel_size - 1) - 1) // stride + 1
    if L_out < 1:
        raise ValueError("too short")
    return L_out
""")),
    Mutant("conv_len_missing_plus_one", _LENGTH, _length("""
    L_out = (L_in + 2 * padding - dilation * (kernel_size - 1) - 1) // stride
    if L_out < 1:
        raise ValueError("too short")
    return L_out
""")),
    Mutant("conv_len_float_division", _LENGTH, _length("""
    L_out = (L_in + 2 * padding - dilation * (kernel_size - 1) - 1) / stride + 1
    if L_out < 1:
        raise ValueError("too short")
    return L_out
""")),
    Mutant("conv_len_returns_numpy_float", _LENGTH, _length("""
    L_out = np.floor((L_in + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1
    if L_out < 1:
        raise ValueError("too short")
    return L_out
""")),
    Mutant("conv_len_dilation_times_kernel", _LENGTH, _length("""
    L_out = (L_in + 2 * padding - dilation * kernel_size) // stride + 1
    if L_out < 1:
        raise ValueError("too short")
    return L_out
""")),
    Mutant("conv_len_stride_divides_whole_expression", _LENGTH, _length("""
    L_out = (L_in + 2 * padding - dilation * (kernel_size - 1) - 1 + 1) // stride
    if L_out < 1:
        raise ValueError("too short")
    return L_out
""")),
    # ... and the faults only invalid input shows
    Mutant("conv_len_no_validation", _LENGTH_INVALID, _length("""
    return (L_in + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1
""", validate=False)),
    Mutant("conv_len_only_checks_output_length", _LENGTH_INVALID, _length("""
    L_out = (L_in + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1
    if L_out < 1:
        raise ValueError("too short")
    return L_out
""", validate=False)),
    Mutant("conv_len_allows_negative_padding", _LENGTH_INVALID, """
def conv1d_output_length(L_in, kernel_size, stride=1, padding=0, dilation=1):
    if L_in < 1 or kernel_size < 1 or stride < 1 or dilation < 1:
        raise ValueError("invalid argument")
    L_out = (L_in + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1
    if L_out < 1:
        raise ValueError("too short")
    return L_out
"""),
    Mutant("conv_len_truncates_toward_zero", _LENGTH_INVALID, _length("""
    L_out = int((L_in + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1
    if L_out < 1:
        raise ValueError("too short")
    return L_out
""")),
    Mutant("conv_len_checks_undilated_kernel", _LENGTH_INVALID, _length("""
    if kernel_size > L_in + 2 * padding:
        raise ValueError("kernel longer than the padded input")
    return max((L_in + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1, 0)
""")),
    Mutant("conv_len_rejects_exact_fit", _LENGTH_INVALID, _length("""
    if dilation * (kernel_size - 1) + 1 >= L_in + 2 * padding:
        raise ValueError("kernel does not fit")
    return (L_in + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1
""")),
    Mutant("conv_len_raises_when_stride_exceeds_input", _LENGTH_INVALID, _length("""
    if stride > L_in:
        raise ValueError("stride longer than the input")
    L_out = (L_in + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1
    if L_out < 1:
        raise ValueError("too short")
    return L_out
""")),

    # ------------------------------------------------------------------ conv2d_output_shape
    Mutant("conv2d_pair_elements_swapped", _SHAPE2D, """
def conv2d_output_shape(H_in, W_in, kernel_size, stride=1, padding=0, dilation=1):
    def pair(v):
        return (v[1], v[0]) if isinstance(v, (tuple, list)) else (v, v)
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = pair(kernel_size), pair(stride), pair(padding), pair(dilation)
    return (conv1d_output_length(H_in, kh, sh, ph, dh), conv1d_output_length(W_in, kw, sw, pw, dw))
"""),
    Mutant("conv2d_uses_first_element_of_pairs", _SHAPE2D, """
def conv2d_output_shape(H_in, W_in, kernel_size, stride=1, padding=0, dilation=1):
    def first(v):
        return v[0] if isinstance(v, (tuple, list)) else v
    k, s, p, d = first(kernel_size), first(stride), first(padding), first(dilation)
    return (conv1d_output_length(H_in, k, s, p, d), conv1d_output_length(W_in, k, s, p, d))
"""),
    Mutant("conv2d_returns_width_then_height", _SHAPE2D, """
def conv2d_output_shape(H_in, W_in, kernel_size, stride=1, padding=0, dilation=1):
    def pair(v):
        return tuple(v) if isinstance(v, (tuple, list)) else (v, v)
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = pair(kernel_size), pair(stride), pair(padding), pair(dilation)
    return (conv1d_output_length(W_in, kw, sw, pw, dw), conv1d_output_length(H_in, kh, sh, ph, dh))
"""),
    Mutant("conv2d_ignores_dilation", _SHAPE2D, """
def conv2d_output_shape(H_in, W_in, kernel_size, stride=1, padding=0, dilation=1):
    def pair(v):
        return tuple(v) if isinstance(v, (tuple, list)) else (v, v)
    (kh, kw), (sh, sw), (ph, pw) = pair(kernel_size), pair(stride), pair(padding)
    return (conv1d_output_length(H_in, kh, sh, ph), conv1d_output_length(W_in, kw, sw, pw))
"""),
    Mutant("conv2d_pairs_only_for_kernel", _SHAPE2D, """
def conv2d_output_shape(H_in, W_in, kernel_size, stride=1, padding=0, dilation=1):
    kh, kw = kernel_size if isinstance(kernel_size, (tuple, list)) else (kernel_size, kernel_size)
    s = stride[0] if isinstance(stride, (tuple, list)) else stride
    p = padding[0] if isinstance(padding, (tuple, list)) else padding
    d = dilation[0] if isinstance(dilation, (tuple, list)) else dilation
    return (conv1d_output_length(H_in, kh, s, p, d), conv1d_output_length(W_in, kw, s, p, d))
"""),
    Mutant("conv2d_float_division", _SHAPE2D, """
def conv2d_output_shape(H_in, W_in, kernel_size, stride=1, padding=0, dilation=1):
    def pair(v):
        return tuple(v) if isinstance(v, (tuple, list)) else (v, v)
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = pair(kernel_size), pair(stride), pair(padding), pair(dilation)
    H_out = (H_in + 2 * ph - dh * (kh - 1) - 1) / sh + 1
    W_out = (W_in + 2 * pw - dw * (kw - 1) - 1) / sw + 1
    if H_out < 1 or W_out < 1:
        raise ValueError("too small")
    return (H_out, W_out)
"""),
    Mutant("conv2d_no_validation", _SHAPE2D, """
def conv2d_output_shape(H_in, W_in, kernel_size, stride=1, padding=0, dilation=1):
    def pair(v):
        return tuple(v) if isinstance(v, (tuple, list)) else (v, v)
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = pair(kernel_size), pair(stride), pair(padding), pair(dilation)
    return ((H_in + 2 * ph - dh * (kh - 1) - 1) // sh + 1, (W_in + 2 * pw - dw * (kw - 1) - 1) // sw + 1)
"""),
    Mutant("conv2d_padding_counted_once", _SHAPE2D, """
def conv2d_output_shape(H_in, W_in, kernel_size, stride=1, padding=0, dilation=1):
    def pair(v):
        return tuple(v) if isinstance(v, (tuple, list)) else (v, v)
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = pair(kernel_size), pair(stride), pair(padding), pair(dilation)
    H_out = (H_in + ph - dh * (kh - 1) - 1) // sh + 1
    W_out = (W_in + pw - dw * (kw - 1) - 1) // sw + 1
    if H_out < 1 or W_out < 1:
        raise ValueError("too small")
    return (H_out, W_out)
"""),

    # ------------------------------------------------------------------ pool1d_output_length
    Mutant("pool_default_stride_one", _POOL_LENGTH, """
def pool1d_output_length(L_in, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    if stride is None:
        stride = 1
    if L_in < 1 or kernel_size < 1 or stride < 1 or dilation < 1 or padding < 0:
        raise ValueError("invalid argument")
    if padding > kernel_size // 2:
        raise ValueError("padding too large")
    room = L_in + 2 * padding - dilation * (kernel_size - 1) - 1
    L_out = (-(-room // stride) if ceil_mode else room // stride) + 1
    if ceil_mode and (L_out - 1) * stride >= L_in + padding:
        L_out -= 1
    if L_out < 1:
        raise ValueError("too short")
    return L_out
"""),
    Mutant("pool_ignores_ceil_mode", _POOL_LENGTH, """
def pool1d_output_length(L_in, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    if stride is None:
        stride = kernel_size
    if padding > kernel_size // 2:
        raise ValueError("padding too large")
    return conv1d_output_length(L_in, kernel_size, stride, padding, dilation)
"""),
    Mutant("pool_ceil_without_last_window_rule", _POOL_LENGTH, """
def pool1d_output_length(L_in, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    import math
    if stride is None:
        stride = kernel_size
    if L_in < 1 or kernel_size < 1 or stride < 1 or dilation < 1 or padding < 0:
        raise ValueError("invalid argument")
    if padding > kernel_size // 2:
        raise ValueError("padding too large")
    room = L_in + 2 * padding - dilation * (kernel_size - 1) - 1
    L_out = (math.ceil(room / stride) if ceil_mode else room // stride) + 1
    if L_out < 1:
        raise ValueError("too short")
    return L_out
"""),
    Mutant("pool_last_window_rule_forgets_left_padding", _POOL_LENGTH, """
def pool1d_output_length(L_in, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    if stride is None:
        stride = kernel_size
    if L_in < 1 or kernel_size < 1 or stride < 1 or dilation < 1 or padding < 0:
        raise ValueError("invalid argument")
    if padding > kernel_size // 2:
        raise ValueError("padding too large")
    room = L_in + 2 * padding - dilation * (kernel_size - 1) - 1
    L_out = (-(-room // stride) if ceil_mode else room // stride) + 1
    if ceil_mode and (L_out - 1) * stride >= L_in:
        L_out -= 1
    if L_out < 1:
        raise ValueError("too short")
    return L_out
"""),
    Mutant("pool_no_padding_limit", _POOL_LENGTH, """
def pool1d_output_length(L_in, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    if stride is None:
        stride = kernel_size
    if L_in < 1 or kernel_size < 1 or stride < 1 or dilation < 1 or padding < 0:
        raise ValueError("invalid argument")
    room = L_in + 2 * padding - dilation * (kernel_size - 1) - 1
    L_out = (-(-room // stride) if ceil_mode else room // stride) + 1
    if ceil_mode and (L_out - 1) * stride >= L_in + padding:
        L_out -= 1
    if L_out < 1:
        raise ValueError("too short")
    return L_out
"""),
    Mutant("pool_padding_limit_strict", _POOL_LENGTH, """
def pool1d_output_length(L_in, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    if stride is None:
        stride = kernel_size
    if L_in < 1 or kernel_size < 1 or stride < 1 or dilation < 1 or padding < 0:
        raise ValueError("invalid argument")
    if padding >= kernel_size / 2:
        raise ValueError("padding too large")
    room = L_in + 2 * padding - dilation * (kernel_size - 1) - 1
    L_out = (-(-room // stride) if ceil_mode else room // stride) + 1
    if ceil_mode and (L_out - 1) * stride >= L_in + padding:
        L_out -= 1
    if L_out < 1:
        raise ValueError("too short")
    return L_out
"""),
    Mutant("pool_ignores_dilation", _POOL_LENGTH, """
def pool1d_output_length(L_in, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    if stride is None:
        stride = kernel_size
    if L_in < 1 or kernel_size < 1 or stride < 1 or dilation < 1 or padding < 0:
        raise ValueError("invalid argument")
    if padding > kernel_size // 2:
        raise ValueError("padding too large")
    room = L_in + 2 * padding - kernel_size
    L_out = (-(-room // stride) if ceil_mode else room // stride) + 1
    if ceil_mode and (L_out - 1) * stride >= L_in + padding:
        L_out -= 1
    if L_out < 1:
        raise ValueError("too short")
    return L_out
"""),
    Mutant("pool_ceil_mode_always_adds_window", _POOL_LENGTH, """
def pool1d_output_length(L_in, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    if stride is None:
        stride = kernel_size
    if padding > kernel_size // 2:
        raise ValueError("padding too large")
    return conv1d_output_length(L_in, kernel_size, stride, padding, dilation) + (1 if ceil_mode else 0)
"""),

    # ------------------------------------------------------------------ conv1d
    Mutant("conv1d_flipped_kernel", _CONV1D, _conv1d(index="w[len(w) - 1 - j] * x_padded[i * stride + j * dilation]")),
    Mutant("conv1d_ignores_stride", _CONV1D, _conv1d(index="w[j] * x_padded[i + j * dilation]")),
    Mutant("conv1d_ignores_dilation", _CONV1D, _conv1d(index="w[j] * x_padded[i * stride + j]")),
    Mutant("conv1d_bias_added_per_tap", _CONV1D, _conv1d(index="w[j] * x_padded[i * stride + j * dilation] + b",
                                                         bias="")),
    Mutant("conv1d_forgets_bias", _CONV1D, _conv1d(bias="")),
    Mutant("conv1d_stride_takes_first_outputs", _CONV1D, """
def conv1d(x, w, b=0.0, stride=1, padding=0, dilation=1):
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    L_out = conv1d_output_length(len(x), len(w), stride, padding, dilation)
    x_padded = np.pad(x, padding)
    span = dilation * (len(w) - 1) + 1
    y_full = np.array([w @ x_padded[s:s + span:dilation] + b for s in range(len(x_padded) - span + 1)])
    return y_full[:L_out]
"""),
    Mutant("conv1d_pads_one_side", _CONV1D, """
def conv1d(x, w, b=0.0, stride=1, padding=0, dilation=1):
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    L_out = conv1d_output_length(len(x), len(w), stride, padding, dilation)
    x_padded = np.concatenate([np.zeros(2 * padding), x])
    span = dilation * (len(w) - 1) + 1
    return np.array([w @ x_padded[i * stride:i * stride + span:dilation] + b for i in range(L_out)])
"""),
    Mutant("conv1d_edge_padding", _CONV1D, """
def conv1d(x, w, b=0.0, stride=1, padding=0, dilation=1):
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    L_out = conv1d_output_length(len(x), len(w), stride, padding, dilation)
    x_padded = np.pad(x, padding, mode="edge")
    span = dilation * (len(w) - 1) + 1
    return np.array([w @ x_padded[i * stride:i * stride + span:dilation] + b for i in range(L_out)])
"""),
    Mutant("conv1d_drops_last_window", _CONV1D, """
def conv1d(x, w, b=0.0, stride=1, padding=0, dilation=1):
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    x_padded = np.pad(x, padding)
    span = dilation * (len(w) - 1) + 1
    if span > len(x_padded):
        raise ValueError("kernel longer than the padded input")
    return np.array([w @ x_padded[s:s + span:dilation] + b for s in range(0, len(x_padded) - span, stride)])
"""),
    # ------------------------------------------------------------------ conv1d_multichannel
    Mutant("multichannel_mean_over_input_channels", _MULTI, _multichannel(
        combine="sum(conv1d(x[c], W[o, c], 0.0, stride, padding, dilation) for c in range(C_in)) / C_in")),
    Mutant("multichannel_fails_on_bias_none", _MULTI, _multichannel(bias="y + np.asarray(b)[:, None]")),
    Mutant("multichannel_ignores_stride_padding_dilation", _MULTI, _multichannel(
        combine="sum(conv1d(x[c], W[o, c]) for c in range(C_in))")),
    Mutant("multichannel_flipped_kernel", _MULTI, _multichannel(
        combine="sum(conv1d(x[c], W[o, c][::-1], 0.0, stride, padding, dilation) for c in range(C_in))")),
    Mutant("multichannel_weight_axes_swapped", _MULTI, """
def conv1d_multichannel(x, W, b, stride=1, padding=0, dilation=1):
    x, W = np.asarray(x, dtype=float), np.asarray(W, dtype=float)
    C_out, C_in, K = W.shape
    if x.shape[0] != C_in:
        raise ValueError("channel mismatch")
    y = np.stack([sum(conv1d(x[c], W[c, o], 0.0, stride, padding, dilation) for c in range(C_in))
                  for o in range(C_out)])
    return y if b is None else y + np.asarray(b)[:, None]
"""),
    Mutant("multichannel_bias_added_per_input_channel", _MULTI, """
def conv1d_multichannel(x, W, b, stride=1, padding=0, dilation=1):
    x, W = np.asarray(x, dtype=float), np.asarray(W, dtype=float)
    C_out, C_in, K = W.shape
    if x.shape[0] != C_in:
        raise ValueError("channel mismatch")
    bias = np.zeros(C_out) if b is None else np.asarray(b, dtype=float)
    return np.stack([sum(conv1d(x[c], W[o, c], bias[o], stride, padding, dilation) for c in range(C_in))
                     for o in range(C_out)])
"""),
    Mutant("multichannel_no_channel_check", _MULTI, """
def conv1d_multichannel(x, W, b, stride=1, padding=0, dilation=1):
    x, W = np.asarray(x, dtype=float), np.asarray(W, dtype=float)
    C_out, C_in, K = W.shape
    y = np.stack([sum(conv1d(x[c], W[o, c], 0.0, stride, padding, dilation) for c in range(C_in))
                  for o in range(C_out)])
    return y if b is None else y + np.asarray(b)[:, None]
"""),
    Mutant("multichannel_sums_over_output_channels", _MULTI, """
def conv1d_multichannel(x, W, b, stride=1, padding=0, dilation=1):
    x, W = np.asarray(x, dtype=float), np.asarray(W, dtype=float)
    C_out, C_in, K = W.shape
    if x.shape[0] != C_in:
        raise ValueError("channel mismatch")
    y = np.stack([sum(conv1d(x[c], W[o, c], 0.0, stride, padding, dilation) for o in range(C_out))
                  for c in range(C_in)])
    return y if b is None else y + np.asarray(b)[:len(y), None]
"""),
    Mutant("multichannel_only_first_input_channel", _MULTI, """
def conv1d_multichannel(x, W, b, stride=1, padding=0, dilation=1):
    x, W = np.asarray(x, dtype=float), np.asarray(W, dtype=float)
    if x.shape[0] != W.shape[1]:
        raise ValueError("channel mismatch")
    y = np.stack([conv1d(x[0], W[o, 0], 0.0, stride, padding, dilation) for o in range(W.shape[0])])
    return y if b is None else y + np.asarray(b)[:, None]
"""),
    # ------------------------------------------------------------------ max_pool1d
    Mutant("max_pool_default_stride_one", _MAX, _pool("max_pool1d", default_stride="1")),
    Mutant("max_pool_keeps_partial_last_window", _MAX, """
def max_pool1d(x, kernel_size, stride=None):
    x = np.asarray(x, dtype=float)
    stride = kernel_size if stride is None else stride
    if kernel_size > len(x):
        raise ValueError("kernel longer than x")
    return np.array([x[s:s + kernel_size].max() for s in range(0, len(x) - kernel_size + stride, stride)
                     if s < len(x)])
"""),
    Mutant("max_pool_drops_last_window", _MAX, """
def max_pool1d(x, kernel_size, stride=None):
    x = np.asarray(x, dtype=float)
    stride = kernel_size if stride is None else stride
    if kernel_size > len(x):
        raise ValueError("kernel longer than x")
    return np.array([x[s:s + kernel_size].max() for s in range(0, len(x) - kernel_size, stride)])
"""),
    Mutant("max_pool_running_max_starts_at_zero", _MAX, """
def max_pool1d(x, kernel_size, stride=None):
    x = np.asarray(x, dtype=float)
    stride = kernel_size if stride is None else stride
    L_out = pool1d_output_length(len(x), kernel_size, stride)
    y = np.zeros(L_out)
    for i in range(L_out):
        best = 0.0
        for value in x[i * stride:i * stride + kernel_size]:
            if value > best:
                best = value
        y[i] = best
    return y
"""),
    Mutant("max_pool_ignores_stride", _MAX, _pool("max_pool1d", default_stride="kernel_size", always=True)),
    Mutant("max_pool_window_one_short", _MAX, """
def max_pool1d(x, kernel_size, stride=None):
    x = np.asarray(x, dtype=float)
    stride = kernel_size if stride is None else stride
    L_out = pool1d_output_length(len(x), kernel_size, stride)
    return np.array([x[i * stride:i * stride + kernel_size - 1].max() if kernel_size > 1 else x[i * stride]
                     for i in range(L_out)])
"""),
    Mutant("max_pool_window_starts_one_late", _MAX, """
def max_pool1d(x, kernel_size, stride=None):
    x = np.asarray(x, dtype=float)
    stride = kernel_size if stride is None else stride
    L_out = pool1d_output_length(len(x), kernel_size, stride)
    return np.array([x[i * stride + 1:i * stride + kernel_size + 1].max() for i in range(L_out)])
"""),
    Mutant("max_pool_no_validation", _MAX, """
def max_pool1d(x, kernel_size, stride=None):
    x = np.asarray(x, dtype=float)
    stride = kernel_size if stride is None else stride
    return np.array([x[s:s + kernel_size].max() for s in range(0, len(x) - kernel_size + 1, stride)])
"""),

    # ------------------------------------------------------------------ avg_pool1d
    Mutant("avg_pool_default_stride_one", _AVG, _pool("avg_pool1d", default_stride="1")),
    Mutant("avg_pool_divides_by_stride", _AVG, _pool("avg_pool1d", reduce="sum() / stride")),
    Mutant("avg_pool_keeps_partial_last_window", _AVG, """
def avg_pool1d(x, kernel_size, stride=None):
    x = np.asarray(x, dtype=float)
    stride = kernel_size if stride is None else stride
    if kernel_size > len(x):
        raise ValueError("kernel longer than x")
    return np.array([x[s:s + kernel_size].mean() for s in range(0, len(x) - kernel_size + stride, stride)
                     if s < len(x)])
"""),
    Mutant("avg_pool_drops_last_window", _AVG, """
def avg_pool1d(x, kernel_size, stride=None):
    x = np.asarray(x, dtype=float)
    stride = kernel_size if stride is None else stride
    if kernel_size > len(x):
        raise ValueError("kernel longer than x")
    return np.array([x[s:s + kernel_size].mean() for s in range(0, len(x) - kernel_size, stride)])
"""),
    Mutant("avg_pool_returns_window_sum", _AVG, _pool("avg_pool1d", reduce="sum()")),
    Mutant("avg_pool_ignores_stride", _AVG, _pool("avg_pool1d", default_stride="kernel_size", always=True)),
    Mutant("avg_pool_no_validation", _AVG, """
def avg_pool1d(x, kernel_size, stride=None):
    x = np.asarray(x, dtype=float)
    stride = kernel_size if stride is None else stride
    return np.array([x[s:s + kernel_size].mean() for s in range(0, len(x) - kernel_size + 1, stride)])
"""),

    # ------------------------------------------------------------------ conv1d_num_parameters
    Mutant("params_forgets_bias", _PARAMS, """
def conv1d_num_parameters(in_channels, out_channels, kernel_size, bias=True):
    if min(in_channels, out_channels, kernel_size) < 1:
        raise ValueError("sizes must be >= 1")
    return out_channels * in_channels * kernel_size
"""),
    Mutant("params_forgets_in_channels", _PARAMS, """
def conv1d_num_parameters(in_channels, out_channels, kernel_size, bias=True):
    if min(in_channels, out_channels, kernel_size) < 1:
        raise ValueError("sizes must be >= 1")
    return out_channels * kernel_size + (out_channels if bias else 0)
"""),
    Mutant("params_bias_per_input_channel", _PARAMS, """
def conv1d_num_parameters(in_channels, out_channels, kernel_size, bias=True):
    if min(in_channels, out_channels, kernel_size) < 1:
        raise ValueError("sizes must be >= 1")
    return out_channels * in_channels * kernel_size + (in_channels if bias else 0)
"""),
    Mutant("params_kernel_squared", _PARAMS, """
def conv1d_num_parameters(in_channels, out_channels, kernel_size, bias=True):
    if min(in_channels, out_channels, kernel_size) < 1:
        raise ValueError("sizes must be >= 1")
    return out_channels * in_channels * kernel_size ** 2 + (out_channels if bias else 0)
"""),
    Mutant("params_ignores_bias_flag", _PARAMS, """
def conv1d_num_parameters(in_channels, out_channels, kernel_size, bias=True):
    if min(in_channels, out_channels, kernel_size) < 1:
        raise ValueError("sizes must be >= 1")
    return out_channels * in_channels * kernel_size + out_channels
"""),
    Mutant("params_one_bias_in_total", _PARAMS, """
def conv1d_num_parameters(in_channels, out_channels, kernel_size, bias=True):
    if min(in_channels, out_channels, kernel_size) < 1:
        raise ValueError("sizes must be >= 1")
    return out_channels * in_channels * kernel_size + int(bias)
"""),
    Mutant("params_no_validation", _PARAMS, """
def conv1d_num_parameters(in_channels, out_channels, kernel_size, bias=True):
    return out_channels * in_channels * kernel_size + (out_channels if bias else 0)
"""),
]



#: Students of the end-to-end test, graded by real nbgrader (exact points per test cell).
SUBMISSIONS = [
    # Passes every visible test; of the 9 equally weighted hidden groups it fails exactly one (a
    # last window starting inside the input, at or beyond L_in, is dropped), whatever the seed.
    Submission("pool_rule_forgets_left_padding", ("pool_last_window_rule_forgets_left_padding",),
               {"test_pool1d_output_length": 3 * 8 / 9},
               feedback={"test_pool1d_output_length": (
                   "Hidden tests: 2.67 / 3 points", "FAIL  ceil_mode keeps a last window that starts inside the input",
                   "first failure: pool1d_output_length(")}),
    # Both fail a visible test, so those cells score 0; conv1d_multichannel calls the flipped
    # conv1d and fails its visible test too.
    Submission("flipped_kernel_no_bias", ("conv1d_flipped_kernel", "params_forgets_bias"),
               {"test_conv1d": 0.0, "test_conv1d_multichannel": 0.0, "test_conv1d_num_parameters": 0.0}),
]
