"""Recurrent networks (nn.RNN, nn.GRU, nn.LSTM): shapes of inputs, outputs and hidden states,
parameter counts, gates, bidirectional layers, and writing the ``nn.LSTM`` call.

PyTorch's conventions: ``output`` is (N, L, D*H) with batch_first=True, (L, N, D*H) otherwise;
``h_n`` (and the LSTM's ``c_n``) is (D*num_layers, N, H) whatever batch_first says; D = 2
for a bidirectional layer.
"""

from __future__ import annotations

from ..bank import Call, Integer, Misconception, Numbers, Requirement, Signature, Variant, fmt_seq, \
    question
from ._util import select_all

GATES = {"RNN": 1, "GRU": 3, "LSTM": 4}


def _shapes(p, bidirectional=None, batch_first=None, h_batch_first=False):
    directions = 2 if (p["bidirectional"] if bidirectional is None else bidirectional) else 1
    batch_first = p["batch_first"] if batch_first is None else batch_first
    n, steps, hidden, layers = p["N"], p["T"], p["H"], p["layers"]
    if p["ask"] == "output":
        return [n, steps, directions * hidden] if batch_first else [steps, n, directions * hidden]
    if h_batch_first:
        return [n, directions * layers, hidden]
    return [directions * layers, n, hidden]


@question("recurrent.shapes", "Shapes of a recurrent layer's outputs", misconceptions=[
    Misconception("forgets_bidirectional", lambda p: _shapes(p, bidirectional=False) if p["bidirectional"] else None,
                  "A bidirectional layer runs two directions: D = 2 doubles the output features and the number of "
                  "final hidden states."),
    Misconception("ignores_batch_first", lambda p: _shapes(p, batch_first=not p["batch_first"])
                  if p["ask"] == "output" else None,
                  lambda p: "With batch_first=%s the output is %s." % (
                      p["batch_first"], "(N, L, D*H)" if p["batch_first"] else "(L, N, D*H), time first")),
    Misconception("h_n_batch_first", lambda p: _shapes(p, h_batch_first=True) if p["ask"] != "output" else None,
                  "h_n is always (D * num_layers, N, H): batch_first only changes input and output, not h_n."),
    Misconception("output_of_all_layers", lambda p: [p["N"], p["T"], p["layers"] * p["H"]]
                  if p["ask"] == "output" and p["batch_first"] and not p["bidirectional"] else None,
                  "output holds the last layer's hidden states at every time step; the layers are not concatenated."),
])
def shapes(rng) -> Variant:
    kind = rng.choice(list(GATES))
    p = {"kind": kind, "N": rng.choice([4, 8, 16, 32]), "T": rng.choice([50, 100, 250]), "F": rng.choice([1, 3, 12]),
         "H": rng.choice([20, 32, 64, 128]), "layers": rng.choice([1, 2, 3]), "batch_first": rng.random() < 0.6,
         "bidirectional": rng.random() < 0.5, "ask": rng.choice(["output", "output", "h_n"])}
    input_shape = [p["N"], p["T"], p["F"]] if p["batch_first"] else [p["T"], p["N"], p["F"]]
    call = "nn.%s(input_size=%d, hidden_size=%d, num_layers=%d, batch_first=%s, bidirectional=%s)" % (
        kind, p["F"], p["H"], p["layers"], p["batch_first"], p["bidirectional"])
    returned = "output, (h_n, c_n)" if kind == "LSTM" else "output, h_n"
    out = _shapes(p)
    d = 2 if p["bidirectional"] else 1
    return Variant(
        text="`rnn = %s` receives a batch `x` of shape %s (%d sequences of %d time steps). `%s = rnn(x)`. What is "
             "the shape of `%s`?" % (call, fmt_seq(input_shape), p["N"], p["T"], returned, p["ask"]),
        answer=Numbers(out, integer=True, what="a shape: a tuple of whole numbers"),
        explanation="D = %d. %s, here %s." % (
            d, "output is %s with batch_first=%s" % ("(N, L, D*H)" if p["batch_first"] else "(L, N, D*H)",
                                                    p["batch_first"]) if p["ask"] == "output" else
            "h_n is (D * num_layers, N, H) whatever batch_first says", fmt_seq(out)),
        params=p,
    )


def _count(p, biases=2, gates=None, recurrent=True):
    g = GATES[p["kind"]] if gates is None else gates
    return g * (p["H"] * p["I"] + (p["H"] * p["H"] if recurrent else 0) + biases * p["H"])


@question("recurrent.param_count", "Parameters of a recurrent layer", misconceptions=[
    Misconception("one_bias", lambda p: _count(p, biases=1),
                  "PyTorch's recurrent layers have two bias vectors per gate (b_ih and b_hh)."),
    Misconception("forgets_gates", lambda p: _count(p, gates=1) if p["kind"] != "RNN" else None,
                  lambda p: "An %s has %d gate blocks, each with its own weights: multiply by %d."
                  % (p["kind"], GATES[p["kind"]], GATES[p["kind"]])),
    Misconception("forgets_recurrent_weights", lambda p: _count(p, recurrent=False),
                  "Each gate also has hidden-to-hidden weights W_hh of shape (H, H)."),
])
def param_count(rng) -> Variant:
    p = {"kind": rng.choice(list(GATES)), "I": rng.choice([1, 3, 8, 12, 40]), "H": rng.choice([8, 16, 20, 32, 64])}
    g = GATES[p["kind"]]
    count = _count(p)
    return Variant(
        text="How many trainable parameters does `nn.%s(input_size=%d, hidden_size=%d)` have (one layer, one "
             "direction, PyTorch's default biases)?" % (p["kind"], p["I"], p["H"]),
        answer=Integer(count, unit="parameters"),
        explanation="%d gate block%s, each with W_ih (H x I), W_hh (H x H), b_ih and b_hh: %d * (%d*%d + %d*%d + 2*%d) "
                    "= %d." % (g, "" if g == 1 else "s", g, p["H"], p["I"], p["H"], p["H"], p["H"], count),
        params=p,
    )


TRUE = (
    ("An LSTM has a forget gate, an input gate and an output gate.", "Right: plus a cell state.", None),
    ("A GRU has an update gate and a reset gate, and no separate cell state.", "Right.", "gru_like_lstm"),
    ("The LSTM's cell state is updated additively, which helps gradients flow over many time steps.",
     "Right: c_t = f_t * c_(t-1) + i_t * g_t.", None),
    ("Gate activations use a sigmoid, so each gate's value lies between 0 and 1.",
     "Right: they act as soft switches.", None),
    ("A bidirectional RNN runs one RNN forward and one backward in time and concatenates their outputs.",
     "Right: hence 2 * hidden_size output features.", None),
)
FALSE = (
    ("A GRU has more gates than an LSTM.", "No: 2 (update, reset) against 3 (forget, input, output).", "gru_like_lstm"),
    ("The forget gate's value is added to the cell state.", "No: it multiplies the previous cell state.",
     "forget_gate_adds"),
    ("A plain nn.RNN has an output gate.", "No: a plain RNN has no gates: h_t = tanh(W_ih x_t + W_hh h_(t-1) + b).",
     None),
    ("In an LSTM, the hidden state h_t and the cell state c_t are the same tensor.",
     "No: h_t = o_t * tanh(c_t) is a gated view of c_t.", None),
    ("A bidirectional LSTM can predict in real time from past samples only.",
     "No: its backward direction needs the future of the sequence.", "bidirectional_is_causal"),
)


@question("recurrent.gates", "Gates of LSTMs and GRUs")
def gates(rng) -> Variant:
    return select_all(
        rng, TRUE, FALSE, n=5,
        text="Which statements about recurrent layers are true? Select all true statements.",
        explanation="LSTM: forget, input and output gates and a cell state updated additively. GRU: update and reset "
                    "gates, no cell state. Gates are sigmoids in (0, 1). Bidirectional layers read the sequence both "
                    "ways and so need all of it.",
    )


LSTM = Signature("LSTM", ("input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional",
                          "proj_size", "device", "dtype"),
                 {"num_layers": 1, "bias": True, "batch_first": False, "dropout": 0.0, "bidirectional": False,
                  "proj_size": 0, "device": None, "dtype": None})


def _lstm_call(features, hidden, layers, bidirectional, batch_first=True):
    arguments = ["input_size=%d" % features, "hidden_size=%d" % hidden]
    if layers != 1:
        arguments.append("num_layers=%d" % layers)
    if batch_first:
        arguments.append("batch_first=True")
    if bidirectional:
        arguments.append("bidirectional=True")
    return "nn.LSTM(%s)" % ", ".join(arguments)


@question("recurrent.lstm_call", "Write the nn.LSTM call", misconceptions=[
    Misconception("forgets_batch_first", lambda p: _lstm_call(p["F"], p["H"], p["layers"], p["bidirectional"], False),
                  "The batches are (N, L, features): without batch_first=True PyTorch reads them as (L, N, features).",
                  score=3 / 4),
    Misconception("swapped_sizes", lambda p: _lstm_call(p["H"], p["F"], p["layers"], p["bidirectional"]),
                  "input_size is the number of features per time step; hidden_size the size of h_t.", score=3 / 4),
    Misconception("hidden_from_output_features",
                  lambda p: _lstm_call(p["F"], 2 * p["H"], p["layers"], True) if p["bidirectional"] else None,
                  "hidden_size is per direction: a bidirectional LSTM outputs 2 * hidden_size features by itself.",
                  score=3 / 4),
])
def lstm_call(rng) -> Variant:
    p = {"F": rng.choice([1, 3, 6, 12]), "H": rng.choice([32, 64, 128]), "layers": rng.choice([1, 2, 3]),
         "bidirectional": rng.random() < 0.5, "N": rng.choice([16, 32]), "T": rng.choice([100, 500])}
    out_features = p["H"] * (2 if p["bidirectional"] else 1)

    def sizes(a):
        if (a["input_size"], a["hidden_size"]) == (p["F"], p["H"]):
            return None
        return "input_size=%r and hidden_size=%r; the inputs have %d features and h_t must have %d per direction." % (
            a["input_size"], a["hidden_size"], p["F"], p["H"])

    def layers(a):
        return None if a["num_layers"] == p["layers"] else "num_layers is %r, the question asks for %d." % (
            a["num_layers"], p["layers"])

    def batch_first(a):
        return None if a["batch_first"] is True else "the batches are (N, L, features): set batch_first=True."

    def bidirectional(a):
        if bool(a["bidirectional"]) == p["bidirectional"] and isinstance(a["bidirectional"], bool):
            return None
        return "bidirectional should be %s." % p["bidirectional"]

    return Variant(
        text="Write the `nn.LSTM` for batches of shape $(N, L, %d)$ = (batch, time, features) of sensor data, with %d "
             "stacked layer%s and a hidden state of %d values per direction, reading the sequences %s. (Its output "
             "then has shape $(N, L, %d)$.) Give it as a string, e.g. `\"nn.LSTM(...)\"`."
             % (p["F"], p["layers"], "" if p["layers"] == 1 else "s", p["H"],
                "in both directions" if p["bidirectional"] else "forwards only", out_features),
        answer=Call(LSTM, [Requirement("input and hidden size", sizes), Requirement("num_layers", layers),
                           Requirement("batch_first", batch_first), Requirement("bidirectional", bidirectional)],
                    _lstm_call(p["F"], p["H"], p["layers"], p["bidirectional"])),
        explanation="%s: input_size is the features per step, hidden_size is per direction, batch_first=True because "
                    "the batch axis comes first." % _lstm_call(p["F"], p["H"], p["layers"], p["bidirectional"]),
        params=p,
    )
