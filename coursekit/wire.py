"""The value codec between the grader's process and the student's kernel.

Hidden checks send inputs *into* the kernel and bring the student's outputs *back*
as JSON. This module is the single definition of that encoding: the grader imports
it, and :mod:`coursekit.harness` pastes its source verbatim into the code a hidden
test cell runs, so both sides always agree. It must therefore import nothing but
the standard library and numpy, and define nothing but ``encode`` and ``decode``
(plus private helpers prefixed with ``_wire``).

Encoding (JSON-compatible, tagged where JSON is ambiguous)::

    None, bool, int, str               -> themselves
    float                              -> {"__float__": repr}   (keeps nan, inf, -0.0 exact)
    tuple                              -> {"__tuple__": [...]}
    list                               -> [...]
    dict with str keys                 -> {"__dict__": {...}}
    numpy array (numeric or bool)      -> {"__ndarray__": {"dtype", "shape", "data"}}
    numpy scalar                       -> {"__npscalar__": {"dtype", "value"}}
    torch tensor (kernel side only)    -> encoded as the numpy array it holds
    torch nn.Module / anything else    -> {"__opaque__": {"type": qualified name, "repr": short repr}}

Opaque values cannot be decoded into the original object; checks compare them by type.

The grader decodes what a student's kernel sent, so :func:`decode` treats its input as
hostile: only plain numeric dtypes (``b``, ``i``, ``u``, ``f``, ``c``; no sub-arrays,
records, strings or objects), a ``shape`` whose product equals the number of items sent
and is at most ``_WIRE_MAX_ITEMS``, and nesting at most ``_WIRE_MAX_DEPTH`` deep. Every
allocation is then proportional to the bytes received (which the grader caps per
message): a 200-byte dtype string can no longer ask for gigabytes.
"""

import numpy as np

_WIRE_MAX_ITEMS = 500_000    # refuse to ship more numbers than this in one value (about 12 MB of JSON)
_WIRE_MAX_DEPTH = 64         # encode stops at 20 levels; decode refuses anything deeper than this
_WIRE_MAX_DIMS = 32          # numpy's own limit on array dimensions


def _wire_float(value):
    return {"__float__": repr(float(value))}


def _wire_encode_array(array):
    array = np.asarray(array)
    if array.dtype.kind not in "biufc" and array.dtype != np.bool_:
        return {"__opaque__": {"type": "numpy.ndarray[%s]" % array.dtype, "repr": repr(array)[:200]}}
    if array.size > _WIRE_MAX_ITEMS:
        return {"__opaque__": {"type": "numpy.ndarray", "repr": "array too large to return (%d items)" % array.size}}
    if array.dtype.kind == "c":
        data = [[repr(float(z.real)), repr(float(z.imag))] for z in array.ravel().tolist()]
    elif array.dtype.kind == "f":
        data = [repr(float(x)) for x in array.ravel().tolist()]
    else:
        data = array.ravel().tolist()
    return {"__ndarray__": {"dtype": array.dtype.str, "shape": list(array.shape), "data": data}}


def encode(value, _depth=0):
    """Turn ``value`` into a JSON-compatible structure (see the module docstring)."""
    if _depth > 20:
        return {"__opaque__": {"type": type(value).__name__, "repr": "nested too deeply"}}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float):
        return _wire_float(value)
    if isinstance(value, np.ndarray):
        return _wire_encode_array(value)
    if isinstance(value, np.generic):
        if isinstance(value, (np.floating, np.integer, np.bool_)):
            item = value.item()
            return {"__npscalar__": {"dtype": value.dtype.str,
                                     "value": repr(item) if isinstance(item, float) else item}}
        return {"__opaque__": {"type": type(value).__name__, "repr": repr(value)[:200]}}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v, _depth + 1) for v in value]}
    if isinstance(value, list):
        return [encode(v, _depth + 1) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {"__dict__": {k: encode(v, _depth + 1) for k, v in value.items()}}
    module = type(value).__module__ or ""
    if module.startswith("torch") and hasattr(value, "detach") and hasattr(value, "numpy"):
        try:
            return _wire_encode_array(value.detach().cpu().numpy())
        except Exception as error:  # e.g. a tensor type numpy cannot hold
            return {"__opaque__": {"type": "torch.Tensor", "repr": "unreadable tensor: %s" % error}}
    qualified = "%s.%s" % (module, type(value).__qualname__)
    try:
        text = repr(value)[:200]
    except Exception:
        text = "<unprintable>"
    return {"__opaque__": {"type": qualified, "repr": text}}


def _wire_dtype(name):
    """The numpy dtype named by ``name``, if it is a plain number type; else ValueError."""
    if not isinstance(name, str) or len(name) > 8:
        raise ValueError("refusing dtype %r" % (str(name)[:40],))
    dtype = np.dtype(name)
    if dtype.kind not in "biufc" or dtype.subdtype is not None or dtype.names is not None or dtype.itemsize > 16:
        raise ValueError("refusing dtype %r" % name)
    return dtype


def _wire_decode_array(spec):
    if not isinstance(spec, dict):
        raise ValueError("malformed array")
    dtype = _wire_dtype(spec.get("dtype"))
    shape, data = spec.get("shape"), spec.get("data")
    if (not isinstance(shape, list) or len(shape) > _WIRE_MAX_DIMS or not isinstance(data, list)
            or not all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= _WIRE_MAX_ITEMS for n in shape)):
        raise ValueError("malformed array shape")
    size = 1
    for n in shape:
        size *= n
    if size != len(data) or size > _WIRE_MAX_ITEMS:  # checked before anything is allocated
        raise ValueError("array shape %s does not match the %d items sent" % (shape[:8], len(data)))
    if dtype.kind == "c":
        flat = [complex(float(re), float(im)) for re, im in data]
    elif dtype.kind == "f":
        flat = [float(x) for x in data]
    else:
        flat = data
    return np.array(flat, dtype=dtype).reshape(shape)


def decode(data, _depth=0):
    """Invert :func:`encode` (opaque values come back as :class:`Opaque` dicts).

    Raises ValueError (or TypeError) for anything :func:`encode` cannot have made.
    """
    if _depth > _WIRE_MAX_DEPTH:
        raise ValueError("nested too deeply")
    if isinstance(data, list):
        return [decode(v, _depth + 1) for v in data]
    if not isinstance(data, dict):
        return data
    if "__float__" in data:
        text = data["__float__"]
        if not isinstance(text, str) or len(text) > 40:
            raise ValueError("malformed float")
        return float(text)
    if "__tuple__" in data:
        if not isinstance(data["__tuple__"], list):
            raise ValueError("malformed tuple")
        return tuple(decode(v, _depth + 1) for v in data["__tuple__"])
    if "__dict__" in data:
        if not isinstance(data["__dict__"], dict):
            raise ValueError("malformed dict")
        return {k: decode(v, _depth + 1) for k, v in data["__dict__"].items()}
    if "__ndarray__" in data:
        return _wire_decode_array(data["__ndarray__"])
    if "__npscalar__" in data:
        spec = data["__npscalar__"]
        if not isinstance(spec, dict):
            raise ValueError("malformed numpy scalar")
        dtype = _wire_dtype(spec.get("dtype"))
        value = spec.get("value")
        if isinstance(value, str):
            if len(value) > 40:
                raise ValueError("malformed numpy scalar")
            value = float(value)
        if not isinstance(value, (bool, int, float)):
            raise ValueError("malformed numpy scalar")
        return dtype.type(value)
    if "__opaque__" in data:
        return dict(data)
    raise ValueError("unknown wire tag in %r" % ([str(k)[:40] for k in sorted(data)[:3]],))


def is_opaque(value):
    """True for a decoded value that could not be brought back (see ``__opaque__``)."""
    return isinstance(value, dict) and "__opaque__" in value
