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
    """Output length of ``torch.nn.Conv1d`` (an int).

    ``L_out = floor((L_in + 2*padding - dilation*(kernel_size - 1) - 1) / stride) + 1``

    Raises ``ValueError`` if ``L_in``, ``kernel_size``, ``stride`` or ``dilation`` is below 1,
    if ``padding`` is negative, or if the dilated kernel is longer than the padded input
    (``L_out < 1``).
    """
    L_in = _at_least("L_in", L_in, 1)
    kernel_size = _at_least("kernel_size", kernel_size, 1)
    stride = _at_least("stride", stride, 1)
    padding = _at_least("padding", padding, 0)
    dilation = _at_least("dilation", dilation, 1)
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
    """Output ``(H_out, W_out)`` of ``torch.nn.Conv2d`` (a tuple of two ints).

    Each of ``kernel_size``, ``stride``, ``padding``, ``dilation`` is an int (same for both
    dimensions) or an ``(h, w)`` pair. Each dimension follows :func:`conv1d_output_length`
    with its own arguments, which also decides the ``ValueError`` cases; a "pair" that does not
    have two elements raises ``ValueError``.
    """
    kernel_h, kernel_w = _pair("kernel_size", kernel_size)
    stride_h, stride_w = _pair("stride", stride)
    padding_h, padding_w = _pair("padding", padding)
    dilation_h, dilation_w = _pair("dilation", dilation)
    return (conv1d_output_length(H_in, kernel_h, stride_h, padding_h, dilation_h),
            conv1d_output_length(W_in, kernel_w, stride_w, padding_w, dilation_w))


def pool1d_output_length(L_in, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Output length of ``torch.nn.MaxPool1d`` (an int).

    ``stride=None`` means ``stride = kernel_size`` (non-overlapping windows).
    Floor mode: ``L_out = floor((L_in + 2*padding - dilation*(kernel_size - 1) - 1) / stride) + 1``.
    Ceil mode: the same with ``ceil`` (a last, partial window is kept), then PyTorch's rule
    that the last window must start inside the input or the left padding: if
    ``(L_out - 1) * stride >= L_in + padding``, ``L_out`` is one less.

    Raises ``ValueError`` as :func:`conv1d_output_length` does, and if
    ``padding > kernel_size / 2`` (PyTorch's limit: a window must not see only padding).
    """
    L_in = _at_least("L_in", L_in, 1)
    kernel_size = _at_least("kernel_size", kernel_size, 1)
    stride = kernel_size if stride is None else _at_least("stride", stride, 1)
    padding = _at_least("padding", padding, 0)
    dilation = _at_least("dilation", dilation, 1)
    if padding > kernel_size // 2:  # == padding > kernel_size / 2 for ints
        raise ValueError("padding must be at most half of kernel_size, got padding=%d and kernel_size=%d"
                         % (padding, kernel_size))
    room = L_in + 2 * padding - dilation * (kernel_size - 1) - 1
    if ceil_mode:
        L_out = -(-room // stride) + 1
        if (L_out - 1) * stride >= L_in + padding:
            L_out -= 1
    else:
        L_out = room // stride + 1
    if L_out < 1:
        raise ValueError("pooling output length would be %d: the window is longer than the padded input"
                         % L_out)
    return L_out


def conv1d(x, w, b=0.0, stride=1, padding=0, dilation=1):
    """1D cross-correlation of a signal with one kernel, as in the lecture's worked examples.

    x: (L,) signal; w: (K,) kernel; b: scalar bias. ``padding`` zeros are added on each side.
    ``y[i] = b + sum_k w[k] * x_padded[i*stride + k*dilation]`` for ``i < L_out``
    (:func:`conv1d_output_length`); returns a float array of shape ``(L_out,)``.
    The kernel is not flipped. Invalid arguments raise ``ValueError`` as in
    :func:`conv1d_output_length`; ``x`` or ``w`` not 1-D raises ``ValueError``.
    """
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    if x.ndim != 1 or w.ndim != 1:
        raise ValueError("x and w must be 1-D, got shapes %s and %s" % (x.shape, w.shape))
    L_out = conv1d_output_length(x.shape[0], w.shape[0], stride, padding, dilation)
    x_padded = np.pad(x, padding)
    span = dilation * (w.shape[0] - 1) + 1
    y = np.empty(L_out)
    for i in range(L_out):
        start = i * stride
        y[i] = np.dot(w, x_padded[start:start + span:dilation]) + b
    return y


def conv1d_multichannel(x, W, b, stride=1, padding=0, dilation=1):
    """Multi-channel 1D convolution, equal to ``torch.nn.functional.conv1d`` on one example.

    x: (C_in, L); W: (C_out, C_in, K); b: (C_out,) or None (no bias).
    ``y[o] = b[o] + sum_c conv1d(x[c], W[o, c])`` (same stride, padding, dilation);
    returns shape ``(C_out, L_out)``. Raises ``ValueError`` if ``x`` is not 2-D, ``W`` not 3-D,
    ``W.shape[1] != C_in`` or ``b`` is not of shape ``(C_out,)``, and as :func:`conv1d` does.
    """
    x = np.asarray(x, dtype=float)
    W = np.asarray(W, dtype=float)
    if x.ndim != 2 or W.ndim != 3:
        raise ValueError("x must be (C_in, L) and W (C_out, C_in, K), got shapes %s and %s" % (x.shape, W.shape))
    C_out, C_in, _K = W.shape
    if x.shape[0] != C_in:
        raise ValueError("x has %d channels but W expects %d" % (x.shape[0], C_in))
    if b is not None:
        b = np.asarray(b, dtype=float)
        if b.shape != (C_out,):
            raise ValueError("b must have shape (%d,), got %s" % (C_out, b.shape))
    y = np.stack([sum(conv1d(x[c], W[o, c], 0.0, stride, padding, dilation) for c in range(C_in))
                  for o in range(C_out)])
    return y if b is None else y + b[:, None]


def _pool_windows(x, kernel_size, stride):
    x = np.asarray(x, dtype=float)
    if x.ndim != 1:
        raise ValueError("x must be 1-D, got shape %s" % (x.shape,))
    L_out = pool1d_output_length(x.shape[0], kernel_size, stride)
    step = kernel_size if stride is None else stride
    return np.stack([x[i * step:i * step + kernel_size] for i in range(L_out)])


def max_pool1d(x, kernel_size, stride=None):
    """Max over windows of ``x`` (L,): ``y[i] = max(x[i*stride : i*stride + kernel_size])``.

    ``stride=None`` means ``stride = kernel_size``; floor mode, no padding (a last window that
    does not fit is dropped). Output length :func:`pool1d_output_length`, which also decides
    the ``ValueError`` cases (e.g. ``kernel_size > L``).
    """
    return _pool_windows(x, kernel_size, stride).max(axis=1)


def avg_pool1d(x, kernel_size, stride=None):
    """Mean over windows of ``x`` (L,): ``y[i] = mean(x[i*stride : i*stride + kernel_size])``.

    Same windows and errors as :func:`max_pool1d` (every window holds ``kernel_size`` values).
    """
    return _pool_windows(x, kernel_size, stride).mean(axis=1)


def conv1d_num_parameters(in_channels, out_channels, kernel_size, bias=True):
    """Learnable parameters of ``torch.nn.Conv1d``: ``out*in*k`` weights plus ``out`` biases.

    Raises ``ValueError`` if a size is below 1.
    """
    in_channels = _at_least("in_channels", in_channels, 1)
    out_channels = _at_least("out_channels", out_channels, 1)
    kernel_size = _at_least("kernel_size", kernel_size, 1)
    return out_channels * in_channels * kernel_size + (out_channels if bias else 0)
