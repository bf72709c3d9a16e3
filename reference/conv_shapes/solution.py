"""Reference solution: output shapes of convolution and pooling layers, 1D convolution by hand.

Conventions are PyTorch's (``torch.nn.Conv1d``, ``Conv2d``, ``MaxPool1d``,
``torch.nn.functional.conv1d``, ``avg_pool1d``); ``grader_tests/test_conv_shapes_torch.py``
checks every function here against PyTorch in float64.

Output length of a 1D convolution with input length ``L``, kernel size ``k``, zero padding
``p`` on *each* side, stride ``s`` and dilation ``d``::

    L_out = floor((L + 2p - d(k - 1) - 1) / s) + 1

(the dilated kernel spans ``d(k - 1) + 1`` samples; windows start at ``0, s, 2s, ...`` of the
padded input and must fit in it). Deep-learning "convolution" is cross-correlation: the
kernel is not flipped.
"""

import operator

import numpy as np


def _as_int(name, value):
    """``value`` as a Python int (numpy ints accepted, bools and floats refused)."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError("%s must be an int, got a bool" % name)
    return operator.index(value)


def _at_least(name, value, minimum):
    value = _as_int(name, value)
    if value < minimum:
        raise ValueError("%s must be >= %d, got %d" % (name, minimum, value))
    return value


def conv1d_output_length(L_in, kernel_size, stride=1, padding=0, dilation=1):
    """Output length of torch.nn.Conv1d.

        L_out = floor((L_in + 2*padding - dilation*(kernel_size - 1) - 1) / stride) + 1

    L_in: input length; kernel_size: taps of the kernel; stride: step between window starts;
    padding: zeros added on EACH side; dilation: spacing between kernel taps. All ints.
    Returns L_out as an int (10, not 10.0).
    Raises ValueError if L_in, kernel_size, stride or dilation is below 1, if padding is
    negative, or if the dilated kernel is longer than the padded input (L_out < 1).
    """
    if L_in < 1 or kernel_size < 1 or stride < 1 or dilation < 1:
        raise ValueError("L_in, kernel_size, stride and dilation must be >= 1, got %r, %r, %r, %r"
                         % (L_in, kernel_size, stride, dilation))
    if padding < 0:
        raise ValueError("padding must be >= 0, got %r" % padding)
    span = dilation * (kernel_size - 1) + 1
    L_out = (L_in + 2 * padding - span) // stride + 1
    if L_out < 1:
        raise ValueError("the dilated kernel spans %d samples, more than the padded input (%d)"
                         % (span, L_in + 2 * padding))
    return L_out


def _pair(name, value):
    """An int or an (h, w) pair, as a pair."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError("%s must be an int or an (h, w) pair, got %r" % (name, value))
        return tuple(value)
    return (value, value)


def conv2d_output_shape(H_in, W_in, kernel_size, stride=1, padding=0, dilation=1):
    """Output (H_out, W_out) of torch.nn.Conv2d, a tuple of two ints.

    H_in, W_in: input height and width (ints). kernel_size, stride, padding, dilation: each an
    int (used for both dimensions) or an (h, w) pair (h for the height, w for the width).
    H_out follows conv1d_output_length with the height's arguments, W_out with the width's;
    the same ValueError cases apply to each dimension.
    """
    def as_pair(value):
        return tuple(value) if isinstance(value, (tuple, list)) else (value, value)

    kernel_h, kernel_w = as_pair(kernel_size)
    stride_h, stride_w = as_pair(stride)
    padding_h, padding_w = as_pair(padding)
    dilation_h, dilation_w = as_pair(dilation)
    return (conv1d_output_length(H_in, kernel_h, stride_h, padding_h, dilation_h),
            conv1d_output_length(W_in, kernel_w, stride_w, padding_w, dilation_w))


def pool1d_output_length(L_in, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Output length of torch.nn.MaxPool1d (an int).

    stride=None means stride = kernel_size.
    Floor mode (ceil_mode=False): the conv1d_output_length formula,
        L_out = floor((L_in + 2*padding - dilation*(kernel_size - 1) - 1) / stride) + 1.
    Ceil mode: the same with ceil instead of floor; then, if (L_out - 1) * stride >= L_in + padding
    (the last window would start in the right padding), L_out - 1.
    Raises ValueError if L_in, kernel_size, stride or dilation is below 1, if padding is negative
    or larger than kernel_size / 2, or if L_out < 1.
    """
    if stride is None:
        stride = kernel_size
    if L_in < 1 or kernel_size < 1 or stride < 1 or dilation < 1:
        raise ValueError("L_in, kernel_size, stride and dilation must be >= 1")
    if padding < 0 or padding > kernel_size / 2:
        raise ValueError("padding must be between 0 and kernel_size / 2, got padding=%r and kernel_size=%r"
                         % (padding, kernel_size))
    room = L_in + 2 * padding - dilation * (kernel_size - 1) - 1
    if ceil_mode:
        L_out = -(-room // stride) + 1  # ceil for ints
        if (L_out - 1) * stride >= L_in + padding:
            L_out -= 1
    else:
        L_out = room // stride + 1
    if L_out < 1:
        raise ValueError("the pooling window is longer than the padded input")
    return L_out


def conv1d(x, w, b=0.0, stride=1, padding=0, dilation=1):
    """1D cross-correlation of one signal with one kernel (numpy only).

    x: (L,) signal; w: (K,) kernel; b: scalar bias; padding: zeros added on EACH side.
        y[i] = b + sum_j w[j] * x_padded[i*stride + j*dilation],  i = 0 .. L_out - 1,
    with L_out = conv1d_output_length(L, K, stride, padding, dilation). The kernel is NOT flipped.
    Returns a float numpy array of shape (L_out,).
    Raises ValueError when conv1d_output_length does (e.g. a kernel longer than the padded input).
    """
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    L_out = conv1d_output_length(len(x), len(w), stride, padding, dilation)
    x_padded = np.concatenate([np.zeros(padding), x, np.zeros(padding)])
    y = np.zeros(L_out)
    for i in range(L_out):
        for j in range(len(w)):
            y[i] += w[j] * x_padded[i * stride + j * dilation]
        y[i] += b
    return y


def conv1d_multichannel(x, W, b, stride=1, padding=0, dilation=1):
    """Multi-channel 1D convolution, equal to torch.nn.functional.conv1d for one example.

    x: (C_in, L); W: (C_out, C_in, K); b: (C_out,) array, or None for no bias.
        y[o] = b[o] + sum_c conv1d(x[c], W[o, c], stride=stride, padding=padding, dilation=dilation)
    Returns a float array of shape (C_out, L_out).
    Raises ValueError if x does not have W.shape[1] channels, and when conv1d does.
    """
    x = np.asarray(x, dtype=float)
    W = np.asarray(W, dtype=float)
    C_out, C_in, K = W.shape
    if x.ndim != 2 or x.shape[0] != C_in:
        raise ValueError("x must have shape (%d, L), got %s" % (C_in, x.shape))
    L_out = conv1d_output_length(x.shape[1], K, stride, padding, dilation)
    y = np.zeros((C_out, L_out))
    for o in range(C_out):
        for c in range(C_in):
            y[o] += conv1d(x[c], W[o, c], 0.0, stride, padding, dilation)
        if b is not None:
            y[o] += b[o]
    return y


def _pool_windows(x, kernel_size, stride):
    x = np.asarray(x, dtype=float)
    if x.ndim != 1:
        raise ValueError("x must be 1-D, got shape %s" % (x.shape,))
    L_out = pool1d_output_length(x.shape[0], kernel_size, stride)
    step = kernel_size if stride is None else stride
    return np.stack([x[i * step:i * step + kernel_size] for i in range(L_out)])


def max_pool1d(x, kernel_size, stride=None):
    """Max pooling of a 1D array (floor mode, no padding).

    x: (L,). stride=None means stride = kernel_size.
        y[i] = max(x[i*stride : i*stride + kernel_size]),  i = 0 .. L_out - 1,
    with L_out = pool1d_output_length(L, kernel_size, stride). Returns a float array (L_out,).
    Raises ValueError when pool1d_output_length does (e.g. kernel_size > L).
    """
    x = np.asarray(x, dtype=float)
    if stride is None:
        stride = kernel_size
    L_out = pool1d_output_length(len(x), kernel_size, stride)
    return np.array([x[i * stride:i * stride + kernel_size].max() for i in range(L_out)])


def avg_pool1d(x, kernel_size, stride=None):
    """Average pooling of a 1D array (floor mode, no padding), like torch.nn.functional.avg_pool1d.

    x: (L,). stride=None means stride = kernel_size.
        y[i] = mean(x[i*stride : i*stride + kernel_size]),  i = 0 .. L_out - 1,
    with L_out = pool1d_output_length(L, kernel_size, stride); every window holds kernel_size values.
    Returns a float array (L_out,). Raises ValueError when pool1d_output_length does.
    """
    x = np.asarray(x, dtype=float)
    if stride is None:
        stride = kernel_size
    L_out = pool1d_output_length(len(x), kernel_size, stride)
    return np.array([x[i * stride:i * stride + kernel_size].mean() for i in range(L_out)])


def conv1d_num_parameters(in_channels, out_channels, kernel_size, bias=True):
    """Number of learnable parameters of torch.nn.Conv1d (an int).

    out_channels * in_channels * kernel_size weights, plus out_channels biases if bias is True.
    Raises ValueError if in_channels, out_channels or kernel_size is below 1.
    """
    if in_channels < 1 or out_channels < 1 or kernel_size < 1:
        raise ValueError("in_channels, out_channels and kernel_size must be >= 1")
    return out_channels * in_channels * kernel_size + (out_channels if bias else 0)
