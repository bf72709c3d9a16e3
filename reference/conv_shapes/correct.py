"""Correct alternatives of 02_conv_shapes, written in the styles students really use, named after the style.

Each entry is a complete answer cell (numpy available as ``np``) executed over the reference
solution's namespace, so that a ``predict`` calling ``step`` gets a correct ``step``; it must keep
every point of every hidden check of its function on every grading seed (the generic unit tests
run each one; ``CHECKS_OF`` lists the checks of the functions with more than one).

numpy only (the notebook says so); float32 is allowed (its tolerance says so).
"""

from coursekit.manifest import Alternative

ENTRIES = [
    # ------------------------------------------------------------------ conv1d_output_length
    ("conv_len_math_floor", "conv1d_output_length", """
import math
def conv1d_output_length(L_in, kernel_size, stride=1, padding=0, dilation=1):
    if L_in < 1 or kernel_size < 1 or stride < 1 or dilation < 1:
        raise ValueError("L_in, kernel_size, stride and dilation must be >= 1")
    if padding < 0:
        raise ValueError("padding must be >= 0")
    L_out = math.floor((L_in + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1
    if L_out < 1:
        raise ValueError("the kernel does not fit in the padded input")
    return L_out
"""),
    ("conv_len_count_windows_loop", "conv1d_output_length", """
def conv1d_output_length(L_in, kernel_size, stride=1, padding=0, dilation=1):
    for name, value, low in (("L_in", L_in, 1), ("kernel_size", kernel_size, 1), ("stride", stride, 1),
                             ("padding", padding, 0), ("dilation", dilation, 1)):
        if value < low:
            raise ValueError(f"{name} must be at least {low}, got {value}")
    span = dilation * (kernel_size - 1) + 1
    count, start = 0, 0
    while start + span <= L_in + 2 * padding:   # one window per start that still fits
        count += 1
        start += stride
    if count == 0:
        raise ValueError("no window fits")
    return count
"""),
    ("conv_len_numpy_floor_divide", "conv1d_output_length", """
def conv1d_output_length(L_in, kernel_size, stride=1, padding=0, dilation=1):
    values = np.array([L_in, kernel_size, stride, dilation])
    if (values < 1).any() or padding < 0:
        raise ValueError("invalid size")
    L_out = np.floor_divide(L_in + 2 * padding - dilation * (kernel_size - 1) - 1, stride) + 1
    if L_out <= 0:
        raise ValueError("dilated kernel longer than the padded input")
    return L_out
"""),
    ("conv_len_len_of_range", "conv1d_output_length", """
def conv1d_output_length(L_in, kernel_size, stride=1, padding=0, dilation=1):
    if min(L_in, kernel_size, stride, dilation) < 1 or padding < 0:
        raise ValueError("bad arguments")
    last_start = L_in + 2 * padding - (dilation * (kernel_size - 1) + 1)
    if last_start < 0:
        raise ValueError("kernel longer than the input")
    return len(range(0, last_start + 1, stride))
"""),
    # ------------------------------------------------------------------ conv2d_output_shape
    ("conv2d_isinstance_pairs_two_calls", "conv2d_output_shape", """
def conv2d_output_shape(H_in, W_in, kernel_size, stride=1, padding=0, dilation=1):
    def pair(v):
        if isinstance(v, int):
            return v, v
        if len(v) != 2:
            raise ValueError("expected an (h, w) pair")
        return v[0], v[1]
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = pair(kernel_size), pair(stride), pair(padding), pair(dilation)
    return (conv1d_output_length(H_in, kh, sh, ph, dh), conv1d_output_length(W_in, kw, sw, pw, dw))
"""),
    ("conv2d_numpy_broadcast", "conv2d_output_shape", """
def conv2d_output_shape(H_in, W_in, kernel_size, stride=1, padding=0, dilation=1):
    size = np.array([H_in, W_in])
    k, s, p, d = (np.broadcast_to(np.asarray(v), (2,)) for v in (kernel_size, stride, padding, dilation))
    if (size < 1).any() or (k < 1).any() or (s < 1).any() or (d < 1).any() or (p < 0).any():
        raise ValueError("invalid arguments")
    out = (size + 2 * p - d * (k - 1) - 1) // s + 1
    if (out < 1).any():
        raise ValueError("the kernel does not fit")
    return int(out[0]), int(out[1])
"""),
    ("conv2d_loop_returns_list", "conv2d_output_shape", """
def conv2d_output_shape(H_in, W_in, kernel_size, stride=1, padding=0, dilation=1):
    arguments = []
    for value in (kernel_size, stride, padding, dilation):
        value = list(value) if isinstance(value, (tuple, list)) else [value, value]
        if len(value) != 2:
            raise ValueError("a pair must have two elements")
        arguments.append(value)
    shape = []
    for axis, size in enumerate((H_in, W_in)):
        k, s, p, d = (a[axis] for a in arguments)
        shape.append(conv1d_output_length(size, k, stride=s, padding=p, dilation=d))
    return shape
"""),
    # ------------------------------------------------------------------ pool1d_output_length
    ("pool_math_floor_ceil", "pool1d_output_length", """
import math
def pool1d_output_length(L_in, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    if stride is None:
        stride = kernel_size
    if L_in < 1 or kernel_size < 1 or stride < 1 or dilation < 1 or padding < 0:
        raise ValueError("invalid arguments")
    if padding > kernel_size / 2:
        raise ValueError("padding should be at most half of kernel_size")
    length = (L_in + 2 * padding - dilation * (kernel_size - 1) - 1) / stride
    L_out = (math.ceil(length) if ceil_mode else math.floor(length)) + 1
    if ceil_mode and (L_out - 1) * stride >= L_in + padding:
        L_out -= 1   # PyTorch: the last window must start inside the input or the left padding
    if L_out < 1:
        raise ValueError("window longer than the padded input")
    return L_out
"""),
    ("pool_enumerate_window_starts", "pool1d_output_length", """
def pool1d_output_length(L_in, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    stride = kernel_size if stride is None else stride
    if min(L_in, kernel_size, stride, dilation) < 1 or padding < 0 or 2 * padding > kernel_size:
        raise ValueError("invalid pooling arguments")
    room = L_in + 2 * padding - dilation * (kernel_size - 1) - 1   # last start of a full window
    if room < 0:
        raise ValueError("the window is longer than the padded input")
    count, start = 0, 0
    while True:
        full = start <= room
        partial = ceil_mode and start < room + stride and start < L_in + padding
        if not (full or partial):
            return count
        count += 1
        start += stride
"""),
    ("pool_reuses_conv_length", "pool1d_output_length", """
def pool1d_output_length(L_in, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    if stride is None:
        stride = kernel_size
    if padding * 2 > kernel_size:
        raise ValueError("padding > kernel_size / 2")
    L_out = conv1d_output_length(L_in, kernel_size, stride, padding, dilation)   # floor mode, errors
    if ceil_mode:
        room = L_in + 2 * padding - dilation * (kernel_size - 1) - 1
        L_out = -(-room // stride) + 1
        if (L_out - 1) * stride >= L_in + padding:
            L_out = L_out - 1
    return L_out
"""),
    # ------------------------------------------------------------------ conv1d
    ("conv1d_python_loops", "conv1d", """
def conv1d(x, w, b=0.0, stride=1, padding=0, dilation=1):
    x = list(np.asarray(x, dtype=float))
    w = list(np.asarray(w, dtype=float))
    if np.ndim(x) != 1 or np.ndim(w) != 1:
        raise ValueError("x and w must be 1-D")
    L_out = conv1d_output_length(len(x), len(w), stride, padding, dilation)
    x_padded = [0.0] * padding + x + [0.0] * padding
    y = []
    for i in range(L_out):
        total = b
        for k in range(len(w)):
            total += w[k] * x_padded[i * stride + k * dilation]
        y.append(total)
    return np.array(y)
"""),
    ("conv1d_float32", "conv1d", """
def conv1d(x, w, b=0.0, stride=1, padding=0, dilation=1):
    x = np.asarray(x, dtype=np.float32)
    w = np.asarray(w, dtype=np.float32)
    if x.ndim != 1 or w.ndim != 1:
        raise ValueError("x and w must be 1-D")
    L_out = conv1d_output_length(len(x), len(w), stride, padding, dilation)
    x_padded = np.concatenate([np.zeros(padding, np.float32), x, np.zeros(padding, np.float32)])
    y = np.zeros(L_out, dtype=np.float32)
    for i in range(L_out):
        y[i] = np.sum(w * x_padded[i * stride:i * stride + dilation * (len(w) - 1) + 1:dilation]) + b
    return y
"""),
    ("conv1d_sliding_window_view", "conv1d", """
def conv1d(x, w, b=0.0, stride=1, padding=0, dilation=1):
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    if x.ndim != 1 or w.ndim != 1:
        raise ValueError("x and w must be 1-D")
    L_out = conv1d_output_length(x.size, w.size, stride, padding, dilation)
    span = dilation * (w.size - 1) + 1
    windows = np.lib.stride_tricks.sliding_window_view(np.pad(x, (padding, padding)), span)
    return windows[::stride][:L_out, ::dilation] @ w + b
"""),
    ("conv1d_np_correlate_dilated_kernel", "conv1d", """
def conv1d(x, w, b=0.0, stride=1, padding=0, dilation=1):
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    if x.ndim != 1 or w.ndim != 1:
        raise ValueError("x and w must be 1-D")
    conv1d_output_length(len(x), len(w), stride, padding, dilation)   # raises ValueError when invalid
    dilated = np.zeros(dilation * (len(w) - 1) + 1)
    dilated[::dilation] = w                       # holes between the taps
    x_padded = np.pad(x, padding, mode="constant")
    return np.correlate(x_padded, dilated, mode="valid")[::stride] + b
"""),
    ("conv1d_toeplitz_matrix", "conv1d", """
def conv1d(x, w, b=0.0, stride=1, padding=0, dilation=1):
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    if x.ndim != 1 or w.ndim != 1:
        raise ValueError("x and w must be 1-D")
    L_out = conv1d_output_length(len(x), len(w), stride, padding, dilation)
    x_padded = np.pad(x, padding)
    M = np.zeros((L_out, len(x_padded)))
    for i in range(L_out):
        M[i, i * stride + dilation * np.arange(len(w))] = w
    return M @ x_padded + b
"""),
    # ------------------------------------------------------------------ conv1d_multichannel
    ("multichannel_loops_reusing_conv1d", "conv1d_multichannel", """
def conv1d_multichannel(x, W, b, stride=1, padding=0, dilation=1):
    x, W = np.asarray(x, dtype=float), np.asarray(W, dtype=float)
    if x.ndim != 2 or W.ndim != 3 or W.shape[1] != x.shape[0]:
        raise ValueError("x must be (C_in, L) and W (C_out, C_in, K)")
    C_out, C_in, K = W.shape
    rows = []
    for o in range(C_out):
        total = 0.0
        for c in range(C_in):
            total = total + conv1d(x[c], W[o, c], 0.0, stride, padding, dilation)
        rows.append(total + (0.0 if b is None else b[o]))
    return np.array(rows)
"""),
    ("multichannel_einsum_windows", "conv1d_multichannel", """
def conv1d_multichannel(x, W, b, stride=1, padding=0, dilation=1):
    x, W = np.asarray(x, dtype=float), np.asarray(W, dtype=float)
    if x.ndim != 2 or W.ndim != 3 or W.shape[1] != x.shape[0]:
        raise ValueError("channel mismatch")
    C_out, C_in, K = W.shape
    L_out = conv1d_output_length(x.shape[1], K, stride, padding, dilation)
    span = dilation * (K - 1) + 1
    x_padded = np.pad(x, ((0, 0), (padding, padding)))
    windows = np.lib.stride_tricks.sliding_window_view(x_padded, span, axis=1)[:, ::stride][:, :L_out, ::dilation]
    y = np.einsum("clk,ock->ol", windows, W)
    if b is not None:
        y = y + np.asarray(b, dtype=float)[:, None]
    return y
"""),
    ("multichannel_im2col_matmul_float32", "conv1d_multichannel", """
def conv1d_multichannel(x, W, b, stride=1, padding=0, dilation=1):
    x, W = np.asarray(x, dtype=np.float32), np.asarray(W, dtype=np.float32)
    if x.ndim != 2 or W.ndim != 3:
        raise ValueError("x must be 2-D and W 3-D")
    C_out, C_in, K = W.shape
    if x.shape[0] != C_in:
        raise ValueError("x has %d channels, W expects %d" % (x.shape[0], C_in))
    L_out = conv1d_output_length(x.shape[1], K, stride, padding, dilation)
    x_padded = np.zeros((C_in, x.shape[1] + 2 * padding), dtype=np.float32)
    x_padded[:, padding:padding + x.shape[1]] = x
    columns = np.empty((C_in * K, L_out), dtype=np.float32)
    for i in range(L_out):
        columns[:, i] = x_padded[:, i * stride + dilation * np.arange(K)].reshape(-1)
    y = W.reshape(C_out, C_in * K) @ columns
    return y if b is None else y + np.asarray(b, dtype=np.float32).reshape(-1, 1)
"""),
    # ------------------------------------------------------------------ max_pool1d
    ("max_pool_python_loop_builtin_max", "max_pool1d", """
def max_pool1d(x, kernel_size, stride=None):
    x = np.asarray(x, dtype=float)
    if stride is None:
        stride = kernel_size
    L_out = pool1d_output_length(len(x), kernel_size, stride)
    return np.array([max(x[i * stride:i * stride + kernel_size]) for i in range(L_out)])
"""),
    ("max_pool_sliding_window_view", "max_pool1d", """
def max_pool1d(x, kernel_size, stride=None):
    stride = stride or kernel_size
    x = np.asarray(x)
    if kernel_size > x.shape[0]:
        raise ValueError("kernel_size is longer than x")
    return np.lib.stride_tricks.sliding_window_view(x, kernel_size)[::stride].max(axis=1)
"""),
    ("max_pool_float32_in_place_running_max", "max_pool1d", """
def max_pool1d(x, kernel_size, stride=None):
    x = np.asarray(x, dtype=np.float32)
    s = kernel_size if stride is None else stride
    if kernel_size < 1 or s < 1 or kernel_size > len(x):
        raise ValueError("invalid kernel_size or stride")
    L_out = (len(x) - kernel_size) // s + 1
    out = x[0:L_out * s:s].copy()
    for k in range(1, kernel_size):
        np.maximum(out, x[k:k + L_out * s:s][:L_out], out=out)
    return out
"""),
    # ------------------------------------------------------------------ avg_pool1d
    ("avg_pool_python_loop_sum", "avg_pool1d", """
def avg_pool1d(x, kernel_size, stride=None):
    x = [float(v) for v in x]
    stride = kernel_size if stride is None else stride
    L_out = pool1d_output_length(len(x), kernel_size, stride)
    return np.array([sum(x[i * stride:i * stride + kernel_size]) / kernel_size for i in range(L_out)])
"""),
    ("avg_pool_cumsum", "avg_pool1d", """
def avg_pool1d(x, kernel_size, stride=None):
    x = np.asarray(x, dtype=float)
    stride = kernel_size if stride is None else stride
    L_out = pool1d_output_length(x.size, kernel_size, stride)
    c = np.concatenate([[0.0], np.cumsum(x)])
    starts = np.arange(L_out) * stride
    return (c[starts + kernel_size] - c[starts]) / kernel_size
"""),
    ("avg_pool_reshape_or_windows_float32", "avg_pool1d", """
def avg_pool1d(x, kernel_size, stride=None):
    x = np.asarray(x, dtype=np.float32)
    if stride is None or stride == kernel_size:
        n = len(x) // kernel_size
        if n == 0:
            raise ValueError("kernel_size larger than the input")
        return x[:n * kernel_size].reshape(n, kernel_size).mean(axis=1)
    windows = np.lib.stride_tricks.sliding_window_view(x, kernel_size)   # ValueError when too long
    return windows[::stride].mean(axis=1)
"""),
    # ------------------------------------------------------------------ conv1d_num_parameters
    ("num_parameters_bool_as_int", "conv1d_num_parameters", """
def conv1d_num_parameters(in_channels, out_channels, kernel_size, bias=True):
    if min(in_channels, out_channels, kernel_size) < 1:
        raise ValueError("sizes must be >= 1")
    return out_channels * in_channels * kernel_size + out_channels * int(bias)
"""),
    ("num_parameters_np_prod_of_shapes", "conv1d_num_parameters", """
def conv1d_num_parameters(in_channels, out_channels, kernel_size, bias=True):
    weight_shape = (out_channels, in_channels, kernel_size)
    if any(size < 1 for size in weight_shape):
        raise ValueError("every size must be positive")
    bias_shape = (out_channels,) if bias else (0,)
    return int(np.prod(weight_shape) + np.prod(bias_shape))
"""),
    ("num_parameters_numpy_int", "conv1d_num_parameters", """
def conv1d_num_parameters(in_channels, out_channels, kernel_size, bias=True):
    sizes = np.array([in_channels, out_channels, kernel_size])
    if np.any(sizes <= 0):
        raise ValueError("sizes below 1")
    count = np.prod(sizes)
    if bias:
        count += out_channels
    return count
"""),
]


#: Functions graded by more than one check (the others by the check named after them).
CHECKS_OF = {
    'conv1d_output_length': ('conv1d_output_length', 'conv1d_output_length_invalid'),
}

#: (style, check) pairs left out, and why: see the module docstring.
NOT_CLAIMED = set()


def _alternatives(entries):
    for style, function, source in entries:
        checks = CHECKS_OF.get(function, (function,))
        for check in checks:
            if (style, check) in NOT_CLAIMED:
                continue
            name = style if len(checks) == 1 else "%s_on_%s" % (style, check)
            yield Alternative(name, "conv_shapes." + check, source)


ALTERNATIVES = list(_alternatives(ENTRIES))
