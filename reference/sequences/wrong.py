"""Wrong implementations of 06_sequences that students really write, named after the fault.

Each ``source`` is executed over the reference solution's namespace (numpy ``np``, ``torch``,
``nn``, ``prepare``, ``sigmoid``, ``GATES`` and the other reference functions available, as in
the notebook); the unit tests prove every one loses points in its check on several seeds.
``HIDDEN_AUC_CHEATERS`` replace ``predict_proba`` (or ``best_model``) for the capstone-style check:
each must get no points there, with a trained ``best_model`` in the namespace.
"""

from coursekit.manifest import Mutant


def _m(name, check, source):
    return Mutant(name, "sequences." + check, source)


RNN_CELL = [
    _m("rnn_no_hidden_bias", "rnn_cell_step", """
def rnn_cell_step(x, h, W_ih, W_hh, b_ih, b_hh):
    return np.tanh(x @ W_ih.T + b_ih + h @ W_hh.T)
"""),
    _m("rnn_hidden_weights_not_transposed", "rnn_cell_step", """
def rnn_cell_step(x, h, W_ih, W_hh, b_ih, b_hh):
    return np.tanh(x @ W_ih.T + b_ih + h @ W_hh + b_hh)
"""),
    _m("rnn_sigmoid_instead_of_tanh", "rnn_cell_step", """
def rnn_cell_step(x, h, W_ih, W_hh, b_ih, b_hh):
    return sigmoid(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh)
"""),
    _m("rnn_relu_instead_of_tanh", "rnn_cell_step", """
def rnn_cell_step(x, h, W_ih, W_hh, b_ih, b_hh):
    return np.maximum(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh, 0)
"""),
    _m("rnn_ignores_hidden_state", "rnn_cell_step", """
def rnn_cell_step(x, h, W_ih, W_hh, b_ih, b_hh):
    return np.tanh(x @ W_ih.T + b_ih + b_hh)
"""),
    _m("rnn_first_sample_only", "rnn_cell_step", """
def rnn_cell_step(x, h, W_ih, W_hh, b_ih, b_hh):
    return np.tanh(W_ih @ x[0] + b_ih + W_hh @ h[0] + b_hh)
"""),
    _m("rnn_tanh_of_each_term", "rnn_cell_step", """
def rnn_cell_step(x, h, W_ih, W_hh, b_ih, b_hh):
    return np.tanh(x @ W_ih.T + b_ih) + np.tanh(h @ W_hh.T + b_hh)
"""),
]

GRU_CELL = [
    _m("gru_gate_order_z_r_n", "gru_cell_step", """
def gru_cell_step(x, h, W_ih, W_hh, b_ih, b_hh):
    xz, xr, xn = np.split(x @ W_ih.T + b_ih, 3, axis=1)
    hz, hr, hn = np.split(h @ W_hh.T + b_hh, 3, axis=1)
    r, z = sigmoid(xr + hr), sigmoid(xz + hz)
    n = np.tanh(xn + r * hn)
    return (1 - z) * n + z * h
"""),
    _m("gru_reset_gate_outside_hidden_bias", "gru_cell_step", """
def gru_cell_step(x, h, W_ih, W_hh, b_ih, b_hh):
    H = h.shape[1]
    xr, xz, xn = np.split(x @ W_ih.T + b_ih, 3, axis=1)
    hr, hz, hn = np.split(h @ W_hh.T, 3, axis=1)
    r = sigmoid(xr + hr + b_hh[:H])
    z = sigmoid(xz + hz + b_hh[H:2 * H])
    n = np.tanh(xn + r * hn + b_hh[2 * H:])
    return (1 - z) * n + z * h
"""),
    _m("gru_update_gate_flipped", "gru_cell_step", """
def gru_cell_step(x, h, W_ih, W_hh, b_ih, b_hh):
    xr, xz, xn = np.split(x @ W_ih.T + b_ih, 3, axis=1)
    hr, hz, hn = np.split(h @ W_hh.T + b_hh, 3, axis=1)
    r, z = sigmoid(xr + hr), sigmoid(xz + hz)
    n = np.tanh(xn + r * hn)
    return z * n + (1 - z) * h
"""),
    _m("gru_reset_applied_to_h_before_product", "gru_cell_step", """
def gru_cell_step(x, h, W_ih, W_hh, b_ih, b_hh):
    H = h.shape[1]
    xr, xz, xn = np.split(x @ W_ih.T + b_ih, 3, axis=1)
    hr, hz, _ = np.split(h @ W_hh.T + b_hh, 3, axis=1)
    r, z = sigmoid(xr + hr), sigmoid(xz + hz)
    n = np.tanh(xn + (r * h) @ W_hh[2 * H:].T + b_hh[2 * H:])
    return (1 - z) * n + z * h
"""),
    _m("gru_tanh_gates", "gru_cell_step", """
def gru_cell_step(x, h, W_ih, W_hh, b_ih, b_hh):
    xr, xz, xn = np.split(x @ W_ih.T + b_ih, 3, axis=1)
    hr, hz, hn = np.split(h @ W_hh.T + b_hh, 3, axis=1)
    r, z = np.tanh(xr + hr), np.tanh(xz + hz)
    n = np.tanh(xn + r * hn)
    return (1 - z) * n + z * h
"""),
    _m("gru_no_hidden_bias", "gru_cell_step", """
def gru_cell_step(x, h, W_ih, W_hh, b_ih, b_hh):
    xr, xz, xn = np.split(x @ W_ih.T + b_ih, 3, axis=1)
    hr, hz, hn = np.split(h @ W_hh.T, 3, axis=1)
    r, z = sigmoid(xr + hr), sigmoid(xz + hz)
    n = np.tanh(xn + r * hn)
    return (1 - z) * n + z * h
"""),
    _m("gru_candidate_without_reset", "gru_cell_step", """
def gru_cell_step(x, h, W_ih, W_hh, b_ih, b_hh):
    xr, xz, xn = np.split(x @ W_ih.T + b_ih, 3, axis=1)
    hr, hz, hn = np.split(h @ W_hh.T + b_hh, 3, axis=1)
    z = sigmoid(xz + hz)
    n = np.tanh(xn + hn)
    return (1 - z) * n + z * h
"""),
]

LSTM_CELL = [
    _m("lstm_gate_order_i_f_o_g", "lstm_cell_step", """
def lstm_cell_step(x, h, c, W_ih, W_hh, b_ih, b_hh):
    i, f, o, g = np.split(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh, 4, axis=1)
    c_next = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    return sigmoid(o) * np.tanh(c_next), c_next
"""),
    _m("lstm_returns_c_then_h", "lstm_cell_step", """
def lstm_cell_step(x, h, c, W_ih, W_hh, b_ih, b_hh):
    i, f, g, o = np.split(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh, 4, axis=1)
    c_next = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    return c_next, sigmoid(o) * np.tanh(c_next)
"""),
    _m("lstm_no_forget_gate", "lstm_cell_step", """
def lstm_cell_step(x, h, c, W_ih, W_hh, b_ih, b_hh):
    i, f, g, o = np.split(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh, 4, axis=1)
    c_next = c + sigmoid(i) * np.tanh(g)
    return sigmoid(o) * np.tanh(c_next), c_next
"""),
    _m("lstm_h_from_old_cell", "lstm_cell_step", """
def lstm_cell_step(x, h, c, W_ih, W_hh, b_ih, b_hh):
    i, f, g, o = np.split(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh, 4, axis=1)
    c_next = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    return sigmoid(o) * np.tanh(c), c_next
"""),
    _m("lstm_sigmoid_candidate", "lstm_cell_step", """
def lstm_cell_step(x, h, c, W_ih, W_hh, b_ih, b_hh):
    i, f, g, o = np.split(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh, 4, axis=1)
    c_next = sigmoid(f) * c + sigmoid(i) * sigmoid(g)
    return sigmoid(o) * np.tanh(c_next), c_next
"""),
    _m("lstm_no_tanh_on_cell", "lstm_cell_step", """
def lstm_cell_step(x, h, c, W_ih, W_hh, b_ih, b_hh):
    i, f, g, o = np.split(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh, 4, axis=1)
    c_next = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    return sigmoid(o) * c_next, c_next
"""),
    _m("lstm_returns_h_only", "lstm_cell_step", """
def lstm_cell_step(x, h, c, W_ih, W_hh, b_ih, b_hh):
    i, f, g, o = np.split(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh, 4, axis=1)
    c_next = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    return sigmoid(o) * np.tanh(c_next)
"""),
]

_COUNT_HEAD = """
def recurrent_num_parameters(cell, input_size, hidden_size, num_layers=1, bidirectional=False, bias=True):
    if cell not in GATES:
        raise ValueError("unknown cell")
    if input_size < 1 or hidden_size < 1 or num_layers < 1:
        raise ValueError("sizes")
    G, D = GATES[cell], (2 if bidirectional else 1)
"""
COUNT = [
    _m("count_one_bias_vector", "recurrent_num_parameters", _COUNT_HEAD + """
    total, width = 0, input_size
    for layer in range(num_layers):
        total += D * (G * hidden_size * (width + hidden_size) + (G * hidden_size if bias else 0))
        width = D * hidden_size
    return total
"""),
    _m("count_ignores_gates", "recurrent_num_parameters", _COUNT_HEAD + """
    total, width = 0, input_size
    for layer in range(num_layers):
        total += D * (hidden_size * (width + hidden_size) + (2 * hidden_size if bias else 0))
        width = D * hidden_size
    return total
"""),
    _m("count_every_layer_reads_the_input", "recurrent_num_parameters", _COUNT_HEAD + """
    per_layer = G * hidden_size * (input_size + hidden_size) + (2 * G * hidden_size if bias else 0)
    return D * num_layers * per_layer
"""),
    _m("count_ignores_bidirectional", "recurrent_num_parameters", _COUNT_HEAD + """
    total, width = 0, input_size
    for layer in range(num_layers):
        total += G * hidden_size * (width + hidden_size) + (2 * G * hidden_size if bias else 0)
        width = hidden_size
    return total
"""),
    _m("count_upper_layers_read_hidden_not_both_directions", "recurrent_num_parameters", _COUNT_HEAD + """
    total, width = 0, input_size
    for layer in range(num_layers):
        total += D * (G * hidden_size * (width + hidden_size) + (2 * G * hidden_size if bias else 0))
        width = hidden_size
    return total
"""),
    _m("count_ignores_bias_flag", "recurrent_num_parameters", _COUNT_HEAD + """
    total, width = 0, input_size
    for layer in range(num_layers):
        total += D * (G * hidden_size * (width + hidden_size) + 2 * G * hidden_size)
        width = D * hidden_size
    return total
"""),
    _m("count_unknown_cell_counts_as_rnn", "recurrent_num_parameters", """
def recurrent_num_parameters(cell, input_size, hidden_size, num_layers=1, bidirectional=False, bias=True):
    G, D = GATES.get(cell, 1), (2 if bidirectional else 1)
    total, width = 0, input_size
    for layer in range(num_layers):
        total += D * (G * hidden_size * (width + hidden_size) + (2 * G * hidden_size if bias else 0))
        width = D * hidden_size
    return total
"""),
]

_SHAPES_HEAD = """
def recurrent_shapes(cell, seq_len, batch, input_size, hidden_size, num_layers=1, bidirectional=False,
                     batch_first=False):
    if cell not in GATES:
        raise ValueError("unknown cell")
    D = 2 if bidirectional else 1
"""
SHAPES = [
    _m("shapes_h_n_follows_batch_first", "recurrent_shapes", _SHAPES_HEAD + """
    output = (batch, seq_len, D * hidden_size) if batch_first else (seq_len, batch, D * hidden_size)
    h_n = (batch, D * num_layers, hidden_size) if batch_first else (D * num_layers, batch, hidden_size)
    return dict(output=output, h_n=h_n, **({"c_n": h_n} if cell == "lstm" else {}))
"""),
    _m("shapes_output_ignores_directions", "recurrent_shapes", _SHAPES_HEAD + """
    output = (batch, seq_len, hidden_size) if batch_first else (seq_len, batch, hidden_size)
    h_n = (D * num_layers, batch, hidden_size)
    return dict(output=output, h_n=h_n, **({"c_n": h_n} if cell == "lstm" else {}))
"""),
    _m("shapes_h_n_ignores_layers", "recurrent_shapes", _SHAPES_HEAD + """
    output = (batch, seq_len, D * hidden_size) if batch_first else (seq_len, batch, D * hidden_size)
    h_n = (D, batch, hidden_size)
    return dict(output=output, h_n=h_n, **({"c_n": h_n} if cell == "lstm" else {}))
"""),
    _m("shapes_h_n_ignores_directions", "recurrent_shapes", _SHAPES_HEAD + """
    output = (batch, seq_len, D * hidden_size) if batch_first else (seq_len, batch, D * hidden_size)
    h_n = (num_layers, batch, hidden_size)
    return dict(output=output, h_n=h_n, **({"c_n": h_n} if cell == "lstm" else {}))
"""),
    _m("shapes_lstm_without_c_n", "recurrent_shapes", _SHAPES_HEAD + """
    output = (batch, seq_len, D * hidden_size) if batch_first else (seq_len, batch, D * hidden_size)
    return {"output": output, "h_n": (D * num_layers, batch, hidden_size)}
"""),
    _m("shapes_c_n_for_every_cell", "recurrent_shapes", _SHAPES_HEAD + """
    output = (batch, seq_len, D * hidden_size) if batch_first else (seq_len, batch, D * hidden_size)
    h_n = (D * num_layers, batch, hidden_size)
    return {"output": output, "h_n": h_n, "c_n": h_n}
"""),
    _m("shapes_batch_first_ignored", "recurrent_shapes", _SHAPES_HEAD + """
    h_n = (D * num_layers, batch, hidden_size)
    return dict(output=(seq_len, batch, D * hidden_size), h_n=h_n, **({"c_n": h_n} if cell == "lstm" else {}))
"""),
]

_RUN_CHECK = """
    X = np.asarray(X, dtype=float)
    if X.ndim != 3 or X.shape[0] == 0:
        raise ValueError("X must be 3-D")
    W_ih, W_hh, b_ih, b_hh = params["W_ih"], params["W_hh"], params["b_ih"], params["b_hh"]
"""
RUN = [
    _m("run_rnn_returns_every_state", "run_rnn", "\ndef run_rnn(X, params):" + _RUN_CHECK + """
    h, states = np.zeros((X.shape[1], W_hh.shape[0])), []
    for x_t in X:
        h = rnn_cell_step(x_t, h, W_ih, W_hh, b_ih, b_hh)
        states.append(h)
    return np.stack(states)
"""),
    _m("run_rnn_loops_over_the_batch_axis", "run_rnn", "\ndef run_rnn(X, params):" + _RUN_CHECK + """
    h = np.zeros((X.shape[0], W_hh.shape[0]))
    for x_t in X.transpose(1, 0, 2):
        h = rnn_cell_step(x_t, h, W_ih, W_hh, b_ih, b_hh)
    return h
"""),
    _m("run_rnn_starts_from_ones", "run_rnn", "\ndef run_rnn(X, params):" + _RUN_CHECK + """
    h = np.ones((X.shape[1], W_hh.shape[0]))
    for x_t in X:
        h = rnn_cell_step(x_t, h, W_ih, W_hh, b_ih, b_hh)
    return h
"""),
    _m("run_rnn_reads_the_sequence_backwards", "run_rnn", "\ndef run_rnn(X, params):" + _RUN_CHECK + """
    h = np.zeros((X.shape[1], W_hh.shape[0]))
    for x_t in X[::-1]:
        h = rnn_cell_step(x_t, h, W_ih, W_hh, b_ih, b_hh)
    return h
"""),
    _m("run_rnn_no_input_check", "run_rnn", """
def run_rnn(X, params):
    X = np.asarray(X, dtype=float)
    h = np.zeros((X.shape[1], params["W_hh"].shape[0]))
    for x_t in X:
        h = rnn_cell_step(x_t, h, params["W_ih"], params["W_hh"], params["b_ih"], params["b_hh"])
    return h
"""),
    _m("run_rnn_forgets_the_state", "run_rnn", "\ndef run_rnn(X, params):" + _RUN_CHECK + """
    zeros = np.zeros((X.shape[1], W_hh.shape[0]))
    h = zeros
    for x_t in X:
        h = rnn_cell_step(x_t, zeros, W_ih, W_hh, b_ih, b_hh)
    return h
"""),
    _m("run_rnn_sums_the_states", "run_rnn", "\ndef run_rnn(X, params):" + _RUN_CHECK + """
    h = np.zeros((X.shape[1], W_hh.shape[0]))
    total = np.zeros_like(h)
    for x_t in X:
        h = rnn_cell_step(x_t, h, W_ih, W_hh, b_ih, b_hh)
        total = total + h
    return total
"""),
]

_RR_CHECKS = """
    peaks = np.asarray(r_peak_samples)
    if not fs > 0 or peaks.ndim != 1 or peaks.size < 2 or np.any(peaks < 0):
        raise ValueError("bad input")
"""
RR = [
    _m("rr_in_samples", "rr_intervals", "\ndef rr_intervals(r_peak_samples, fs):" + _RR_CHECKS + """
    if np.any(np.diff(peaks) <= 0):
        raise ValueError("not increasing")
    return np.diff(peaks).astype(float)
"""),
    _m("rr_multiplied_by_fs", "rr_intervals", "\ndef rr_intervals(r_peak_samples, fs):" + _RR_CHECKS + """
    if np.any(np.diff(peaks) <= 0):
        raise ValueError("not increasing")
    return np.diff(peaks) * float(fs)
"""),
    _m("rr_integer_division", "rr_intervals", "\ndef rr_intervals(r_peak_samples, fs):" + _RR_CHECKS + """
    if np.any(np.diff(peaks) <= 0):
        raise ValueError("not increasing")
    return np.diff(peaks) // fs
"""),
    _m("rr_accepts_repeated_beats", "rr_intervals", "\ndef rr_intervals(r_peak_samples, fs):" + _RR_CHECKS + """
    if np.any(np.diff(peaks) < 0):
        raise ValueError("out of order")
    return np.diff(peaks) / fs
"""),
    _m("rr_accepts_any_fs", "rr_intervals", """
def rr_intervals(r_peak_samples, fs):
    peaks = np.asarray(r_peak_samples)
    if peaks.ndim != 1 or peaks.size < 2 or np.any(np.diff(peaks) <= 0):
        raise ValueError("bad beats")
    return np.diff(peaks) / fs
"""),
    _m("rr_single_beat_gives_empty", "rr_intervals", """
def rr_intervals(r_peak_samples, fs):
    peaks = np.asarray(r_peak_samples)
    if not fs > 0 or peaks.ndim != 1 or np.any(np.diff(peaks) <= 0):
        raise ValueError("bad input")
    return np.diff(peaks) / fs
"""),
    _m("rr_no_validation", "rr_intervals", """
def rr_intervals(r_peak_samples, fs):
    return np.diff(np.asarray(r_peak_samples)) / fs
"""),
]

_WIN_CHECKS = """
    series = np.asarray(series)
    if series.ndim != 1 or not isinstance(length, (int, np.integer)) or not isinstance(step, (int, np.integer)) \\
            or length < 1 or step < 1:
        raise ValueError("bad input")
"""
WINDOWS = [
    _m("windows_drop_the_last_window", "sliding_windows", "\ndef sliding_windows(series, length, step):" + _WIN_CHECKS + """
    rows = [series[s:s + length] for s in range(0, len(series) - length, step)]
    return np.array(rows).reshape(-1, length)
"""),
    _m("windows_pad_the_last_window", "sliding_windows", "\ndef sliding_windows(series, length, step):" + _WIN_CHECKS + """
    rows = []
    for s in range(0, len(series), step):
        piece = series[s:s + length]
        rows.append(np.pad(piece, (0, length - len(piece))))
        if s + length >= len(series):
            break
    return np.array(rows).reshape(-1, length)
"""),
    _m("windows_ignore_step", "sliding_windows", "\ndef sliding_windows(series, length, step):" + _WIN_CHECKS + """
    rows = [series[s:s + length] for s in range(0, len(series) - length + 1)]
    return np.array(rows).reshape(-1, length)
"""),
    _m("windows_never_overlap", "sliding_windows", "\ndef sliding_windows(series, length, step):" + _WIN_CHECKS + """
    rows = [series[s:s + length] for s in range(0, len(series) - length + 1, length)]
    return np.array(rows).reshape(-1, length)
"""),
    _m("windows_short_series_raises", "sliding_windows", "\ndef sliding_windows(series, length, step):" + _WIN_CHECKS + """
    if len(series) < length:
        raise ValueError("series shorter than one window")
    return np.stack([series[s:s + length] for s in range(0, len(series) - length + 1, step)])
"""),
    _m("windows_no_validation", "sliding_windows", """
def sliding_windows(series, length, step):
    series = np.asarray(series)
    rows = [series[s:s + length] for s in range(0, max(len(series) - length + 1, 0), max(int(step), 1))]
    return np.array(rows).reshape(-1, length) if rows else np.zeros((0, int(length)))
"""),
    _m("windows_transposed", "sliding_windows", "\ndef sliding_windows(series, length, step):" + _WIN_CHECKS + """
    rows = [series[s:s + length] for s in range(0, len(series) - length + 1, step)]
    return np.array(rows).reshape(-1, length).T
"""),
]

_KFOLD_CHECKS = """
    subject_ids = np.asarray(subject_ids)
    subjects = np.unique(subject_ids)
    if not isinstance(k, (int, np.integer)) or k < 2 or len(subjects) < k:
        raise ValueError("bad k")
"""
KFOLD = [
    _m("kfold_splits_windows_not_subjects", "subject_kfold", "\ndef subject_kfold(subject_ids, k, seed):" + _KFOLD_CHECKS + """
    order = np.random.default_rng(seed).permutation(len(subject_ids))
    folds = []
    for test in np.array_split(order, k):
        mask = np.zeros(len(subject_ids), bool)
        mask[test] = True
        folds.append((np.flatnonzero(~mask), np.flatnonzero(mask)))
    return folds
"""),
    _m("kfold_ignores_the_seed", "subject_kfold", "\ndef subject_kfold(subject_ids, k, seed):" + _KFOLD_CHECKS + """
    folds = []
    for test_subjects in np.array_split(subjects, k):
        is_test = np.isin(subject_ids, test_subjects)
        folds.append((np.flatnonzero(~is_test), np.flatnonzero(is_test)))
    return folds
"""),
    _m("kfold_unseeded_global_generator", "subject_kfold", "\ndef subject_kfold(subject_ids, k, seed):" + _KFOLD_CHECKS + """
    folds = []
    for test_subjects in np.array_split(np.random.permutation(subjects), k):
        is_test = np.isin(subject_ids, test_subjects)
        folds.append((np.flatnonzero(~is_test), np.flatnonzero(is_test)))
    return folds
"""),
    _m("kfold_trains_on_everything", "subject_kfold", "\ndef subject_kfold(subject_ids, k, seed):" + _KFOLD_CHECKS + """
    folds = []
    for test_subjects in np.array_split(np.random.default_rng(seed).permutation(subjects), k):
        is_test = np.isin(subject_ids, test_subjects)
        folds.append((np.arange(len(subject_ids)), np.flatnonzero(is_test)))
    return folds
"""),
    _m("kfold_remainder_in_the_last_fold", "subject_kfold", "\ndef subject_kfold(subject_ids, k, seed):" + _KFOLD_CHECKS + """
    shuffled = np.random.default_rng(seed).permutation(subjects)
    size = len(subjects) // k
    folds = []
    for j in range(k):
        test_subjects = shuffled[j * size:] if j == k - 1 else shuffled[j * size:(j + 1) * size]
        is_test = np.isin(subject_ids, test_subjects)
        folds.append((np.flatnonzero(~is_test), np.flatnonzero(is_test)))
    return folds
"""),
    _m("kfold_no_validation_of_k", "subject_kfold", """
def subject_kfold(subject_ids, k, seed):
    subject_ids = np.asarray(subject_ids)
    shuffled = np.random.default_rng(seed).permutation(np.unique(subject_ids))
    folds = []
    for test_subjects in np.array_split(shuffled, k):
        is_test = np.isin(subject_ids, test_subjects)
        folds.append((np.flatnonzero(~is_test), np.flatnonzero(is_test)))
    return folds
"""),
    _m("kfold_test_indices_in_subject_order", "subject_kfold", "\ndef subject_kfold(subject_ids, k, seed):" + _KFOLD_CHECKS + """
    folds = []
    for test_subjects in np.array_split(np.random.default_rng(seed).permutation(subjects), k):
        test = np.concatenate([np.flatnonzero(subject_ids == s) for s in test_subjects])
        folds.append((np.setdiff1d(np.arange(len(subject_ids)), test), test))
    return folds
"""),
]

BUILD_MLP = [
    _m("mlp_ends_with_sigmoid", "build_mlp", """
def build_mlp(window_length, hidden=32):
    return nn.Sequential(nn.Linear(window_length, hidden), nn.ReLU(), nn.Linear(hidden, 1), nn.Flatten(0), nn.Sigmoid())
"""),
    _m("mlp_logits_of_shape_n_by_1", "build_mlp", """
def build_mlp(window_length, hidden=32):
    return nn.Sequential(nn.Linear(window_length, hidden), nn.ReLU(), nn.Linear(hidden, 1))
"""),
    _m("mlp_window_length_hard_coded", "build_mlp", """
def build_mlp(window_length, hidden=32):
    return nn.Sequential(nn.Linear(16, hidden), nn.ReLU(), nn.Linear(hidden, 1), nn.Flatten(0))
"""),
    _m("mlp_far_too_large", "build_mlp", """
def build_mlp(window_length, hidden=32):
    return nn.Sequential(nn.Linear(window_length, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(),
                         nn.Linear(1024, 1), nn.Flatten(0))
"""),
    _m("mlp_with_a_convolution", "build_mlp", """
def build_mlp(window_length, hidden=32):
    return nn.Sequential(nn.Unflatten(1, (1, window_length)), nn.Conv1d(1, 4, 3, padding=1), nn.Flatten(1),
                         nn.Linear(4 * window_length, 1), nn.Flatten(0))
"""),
    _m("mlp_float64_logits", "build_mlp", """
def build_mlp(window_length, hidden=32):
    net = nn.Sequential(nn.Linear(window_length, hidden), nn.ReLU(), nn.Linear(hidden, 1), nn.Flatten(0)).double()
    class Wrapper(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = net
        def forward(self, x):
            return self.net(x.double())
    return Wrapper()
"""),
]

BUILD_CNN = [
    _m("cnn_ends_with_sigmoid", "build_cnn", """
def build_cnn(window_length, channels=16):
    return nn.Sequential(nn.Unflatten(1, (1, window_length)), nn.Conv1d(1, channels, 3, padding=1), nn.ReLU(),
                         nn.AdaptiveAvgPool1d(1), nn.Flatten(1), nn.Linear(channels, 1), nn.Flatten(0), nn.Sigmoid())
"""),
    _m("cnn_flatten_assumes_16_intervals", "build_cnn", """
def build_cnn(window_length, channels=16):
    return nn.Sequential(nn.Unflatten(1, (1, window_length)), nn.Conv1d(1, channels, 3, padding=1), nn.ReLU(),
                         nn.Flatten(1), nn.Linear(channels * 16, 1), nn.Flatten(0))
"""),
    _m("cnn_logits_of_shape_n_by_1", "build_cnn", """
def build_cnn(window_length, channels=16):
    return nn.Sequential(nn.Unflatten(1, (1, window_length)), nn.Conv1d(1, channels, 3, padding=1), nn.ReLU(),
                         nn.AdaptiveAvgPool1d(1), nn.Flatten(1), nn.Linear(channels, 1))
"""),
    _m("cnn_without_convolution", "build_cnn", """
def build_cnn(window_length, channels=16):
    return nn.Sequential(nn.Linear(window_length, channels), nn.ReLU(), nn.Linear(channels, 1), nn.Flatten(0))
"""),
    _m("cnn_ends_with_softmax", "build_cnn", """
def build_cnn(window_length, channels=16):
    return nn.Sequential(nn.Unflatten(1, (1, window_length)), nn.Conv1d(1, channels, 3, padding=1), nn.ReLU(),
                         nn.AdaptiveAvgPool1d(1), nn.Flatten(1), nn.Linear(channels, 1), nn.Flatten(0),
                         nn.Softmax(dim=0))
"""),
    _m("cnn_with_a_gru", "build_cnn", """
def build_cnn(window_length, channels=16):
    class ConvGru(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv1d(1, channels, 3, padding=1)
            self.gru = nn.GRU(channels, channels, batch_first=True)
            self.out = nn.Linear(channels, 1)
        def forward(self, x):
            z = torch.relu(self.conv(x.unsqueeze(1))).transpose(1, 2)
            return self.out(self.gru(z)[1][-1]).squeeze(-1)
    return ConvGru()
"""),
    _m("cnn_forgets_the_channel_dimension", "build_cnn", """
def build_cnn(window_length, channels=16):
    return nn.Sequential(nn.Conv1d(1, channels, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool1d(1), nn.Flatten(1),
                         nn.Linear(channels, 1), nn.Flatten(0))
"""),
]

_RNN_CLASS = """
    class Recurrent(nn.Module):
        def __init__(self):
            super().__init__()
            self.recurrent = LAYER
            self.output = nn.Linear(hidden, 1)
        def forward(self, x):
            out, state = self.recurrent(x.unsqueeze(-1))
            h_n = state[0] if isinstance(state, tuple) else state
            return self.output(h_n[-1]).squeeze(-1)
    return Recurrent()
"""
BUILD_RNN = [
    _m("rnn_builder_ignores_cell", "build_rnn", """
def build_rnn(window_length, hidden=32, cell="gru"):
    if cell not in ("gru", "lstm"):
        raise ValueError("cell")
""" + _RNN_CLASS.replace("LAYER", "nn.GRU(1, hidden, batch_first=True)")),
    _m("rnn_builder_without_batch_first", "build_rnn", """
def build_rnn(window_length, hidden=32, cell="gru"):
    if cell not in ("gru", "lstm"):
        raise ValueError("cell")
""" + _RNN_CLASS.replace("LAYER", "(nn.GRU if cell == 'gru' else nn.LSTM)(1, hidden)")),
    _m("rnn_builder_unknown_cell_is_gru", "build_rnn", """
def build_rnn(window_length, hidden=32, cell="gru"):
""" + _RNN_CLASS.replace("LAYER", "(nn.LSTM if cell == 'lstm' else nn.GRU)(1, hidden, batch_first=True)")),
    _m("rnn_builder_vanilla_rnn", "build_rnn", """
def build_rnn(window_length, hidden=32, cell="gru"):
    if cell not in ("gru", "lstm"):
        raise ValueError("cell")
""" + _RNN_CLASS.replace("LAYER", "nn.RNN(1, hidden, batch_first=True)")),
    _m("rnn_builder_ends_with_sigmoid", "build_rnn", """
def build_rnn(window_length, hidden=32, cell="gru"):
    if cell not in ("gru", "lstm"):
        raise ValueError("cell")
""" + _RNN_CLASS.replace("LAYER", "(nn.GRU if cell == 'gru' else nn.LSTM)(1, hidden, batch_first=True)")
         .replace("self.output = nn.Linear(hidden, 1)", "self.output = nn.Sequential(nn.Linear(hidden, 1), nn.Sigmoid())")),
    _m("rnn_builder_logits_of_shape_n_by_1", "build_rnn", """
def build_rnn(window_length, hidden=32, cell="gru"):
    if cell not in ("gru", "lstm"):
        raise ValueError("cell")
""" + _RNN_CLASS.replace("LAYER", "(nn.GRU if cell == 'gru' else nn.LSTM)(1, hidden, batch_first=True)")
         .replace(".squeeze(-1)", "")),
    _m("rnn_builder_output_of_the_first_step", "build_rnn", """
def build_rnn(window_length, hidden=32, cell="gru"):
    if cell not in ("gru", "lstm"):
        raise ValueError("cell")
    class Recurrent(nn.Module):
        def __init__(self):
            super().__init__()
            self.recurrent = (nn.GRU if cell == "gru" else nn.LSTM)(1, hidden, batch_first=True)
            self.output = nn.Linear(hidden, 1)
        def forward(self, x):
            out, _ = self.recurrent(x.unsqueeze(-1))
            return self.output(out[:, 0]).squeeze(-1)
    return Recurrent()
"""),
]

_TRAIN_HEAD = """
def train_model(model, windows, labels, *, epochs=20, lr=3e-3, batch_size=64, seed=0, val_windows=None,
                val_labels=None):
    X, y = prepare(windows), torch.as_tensor(np.asarray(labels), dtype=torch.float32)
    X_val = None if val_windows is None else prepare(val_windows)
    y_val = None if val_labels is None else torch.as_tensor(np.asarray(val_labels), dtype=torch.float32)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    loss_function = nn.BCEWithLogitsLoss()
    generator = torch.Generator().manual_seed(seed)
    history = {"train_loss": [], "val_loss": []}
"""
_TRAIN_EPOCH = """
        model.train()
        for batch in torch.randperm(len(X), generator=generator).split(batch_size):
            optimiser.zero_grad()
            loss_function(model(X[batch]), y[batch]).backward()
            optimiser.step()
"""
_TRAIN_RECORD = """
        model.eval()
        with torch.no_grad():
            history["train_loss"].append(float(loss_function(model(X), y)))
            if X_val is not None:
                history["val_loss"].append(float(loss_function(model(X_val), y_val)))
"""
TRAIN = [
    _m("train_records_the_last_batch_loss", "train_model", _TRAIN_HEAD + """
    for _ in range(epochs):
        model.train()
        for batch in torch.randperm(len(X), generator=generator).split(batch_size):
            optimiser.zero_grad()
            loss = loss_function(model(X[batch]), y[batch])
            loss.backward()
            optimiser.step()
        history["train_loss"].append(float(loss))
        model.eval()
        with torch.no_grad():
            if X_val is not None:
                history["val_loss"].append(float(loss_function(model(X_val), y_val)))
    return history
"""),
    _m("train_records_the_mean_of_batch_losses_during_the_epoch", "train_model", _TRAIN_HEAD + """
    for _ in range(epochs):
        model.train()
        losses = []
        for batch in torch.randperm(len(X), generator=generator).split(batch_size):
            optimiser.zero_grad()
            loss = loss_function(model(X[batch]), y[batch])
            loss.backward()
            optimiser.step()
            losses.append(float(loss))
        history["train_loss"].append(float(np.mean(losses)))
        model.eval()
        with torch.no_grad():
            if X_val is not None:
                history["val_loss"].append(float(loss_function(model(X_val), y_val)))
    return history
"""),
    _m("train_unseeded_shuffle", "train_model", _TRAIN_HEAD + """
    for _ in range(epochs):
        model.train()
        for batch in torch.randperm(len(X)).split(batch_size):
            optimiser.zero_grad()
            loss_function(model(X[batch]), y[batch]).backward()
            optimiser.step()
""" + _TRAIN_RECORD + """
    return history
"""),
    _m("train_learning_rate_hard_coded", "train_model", (_TRAIN_HEAD + """
    for _ in range(epochs):
""" + _TRAIN_EPOCH + _TRAIN_RECORD + """
    return history
""").replace("Adam(model.parameters(), lr=lr)", "Adam(model.parameters(), lr=3e-3)")),
    _m("train_without_prepare", "train_model", (_TRAIN_HEAD + """
    for _ in range(epochs):
""" + _TRAIN_EPOCH + _TRAIN_RECORD + """
    return history
""").replace("X, y = prepare(windows)", "X, y = torch.as_tensor(np.asarray(windows), dtype=torch.float32)")
        .replace("None if val_windows is None else prepare(val_windows)",
                 "None if val_windows is None else torch.as_tensor(np.asarray(val_windows), dtype=torch.float32)")),
    _m("train_never_records_validation", "train_model", (_TRAIN_HEAD + """
    for _ in range(epochs):
""" + _TRAIN_EPOCH + _TRAIN_RECORD + """
    return history
""").replace("if X_val is not None:", "if False:")),
    _m("train_sigmoid_before_bce_with_logits", "train_model", (_TRAIN_HEAD + """
    for _ in range(epochs):
""" + _TRAIN_EPOCH + _TRAIN_RECORD + """
    return history
""").replace("loss_function = nn.BCEWithLogitsLoss()",
             "loss_function = lambda logits, target: nn.functional.binary_cross_entropy_with_logits(torch.sigmoid(logits), target)")),
    _m("train_trains_a_copy", "train_model", (_TRAIN_HEAD + """
    for _ in range(epochs):
""" + _TRAIN_EPOCH + _TRAIN_RECORD + """
    return history
""").replace("    X, y = prepare(windows)", "    import copy\n    model = copy.deepcopy(model)\n    X, y = prepare(windows)")),
]

PREDICT = [
    _m("proba_returns_logits", "predict_proba", """
def predict_proba(model, windows, batch_size=512):
    model.eval()
    with torch.no_grad():
        return model(prepare(windows)).double().numpy()
"""),
    _m("proba_left_in_training_mode", "predict_proba", """
def predict_proba(model, windows, batch_size=512):
    with torch.no_grad():
        return torch.sigmoid(model(prepare(windows))).double().numpy()
"""),
    _m("proba_returns_a_tensor", "predict_proba", """
def predict_proba(model, windows, batch_size=512):
    model.eval()
    with torch.no_grad():
        return torch.sigmoid(model(prepare(windows)))
"""),
    _m("proba_without_prepare", "predict_proba", """
def predict_proba(model, windows, batch_size=512):
    model.eval()
    with torch.no_grad():
        return torch.sigmoid(model(torch.as_tensor(np.asarray(windows), dtype=torch.float32))).double().numpy()
"""),
    _m("proba_drops_the_last_partial_batch", "predict_proba", """
def predict_proba(model, windows, batch_size=512):
    model.eval()
    X = prepare(windows)
    out = []
    with torch.no_grad():
        for start in range(0, len(X) - batch_size + 1, batch_size):
            out.append(torch.sigmoid(model(X[start:start + batch_size])))
        if not out:
            out.append(torch.sigmoid(model(X)))
    return torch.cat(out).double().numpy()
"""),
    _m("proba_softmax_over_the_batch", "predict_proba", """
def predict_proba(model, windows, batch_size=512):
    model.eval()
    with torch.no_grad():
        return torch.softmax(model(prepare(windows)), dim=0).double().numpy()
"""),
    _m("proba_of_the_other_class", "predict_proba", """
def predict_proba(model, windows, batch_size=512):
    model.eval()
    with torch.no_grad():
        return 1 - torch.sigmoid(model(prepare(windows))).double().numpy()
"""),
]

DIAGNOSE = [
    _m("fit_bias_from_the_last_training_loss", "diagnose_fit", """
def diagnose_fit(train_loss, val_loss, target_loss, gap_tolerance):
    if len(train_loss) == 0 or len(train_loss) != len(val_loss):
        raise ValueError("curves")
    if train_loss[-1] > target_loss:
        return "high bias"
    return "high variance" if val_loss[-1] - train_loss[-1] > gap_tolerance else "good fit"
"""),
    _m("fit_variance_checked_before_bias", "diagnose_fit", """
def diagnose_fit(train_loss, val_loss, target_loss, gap_tolerance):
    if len(train_loss) == 0 or len(train_loss) != len(val_loss):
        raise ValueError("curves")
    if val_loss[-1] - train_loss[-1] > gap_tolerance:
        return "high variance"
    return "high bias" if min(train_loss) > target_loss else "good fit"
"""),
    _m("fit_gap_from_the_best_losses", "diagnose_fit", """
def diagnose_fit(train_loss, val_loss, target_loss, gap_tolerance):
    if len(train_loss) == 0 or len(train_loss) != len(val_loss):
        raise ValueError("curves")
    if min(train_loss) > target_loss:
        return "high bias"
    return "high variance" if min(val_loss) - min(train_loss) > gap_tolerance else "good fit"
"""),
    _m("fit_bias_at_equality", "diagnose_fit", """
def diagnose_fit(train_loss, val_loss, target_loss, gap_tolerance):
    if len(train_loss) == 0 or len(train_loss) != len(val_loss):
        raise ValueError("curves")
    if min(train_loss) >= target_loss:
        return "high bias"
    return "high variance" if val_loss[-1] - train_loss[-1] > gap_tolerance else "good fit"
"""),
    _m("fit_variance_at_equality", "diagnose_fit", """
def diagnose_fit(train_loss, val_loss, target_loss, gap_tolerance):
    if len(train_loss) == 0 or len(train_loss) != len(val_loss):
        raise ValueError("curves")
    if min(train_loss) > target_loss:
        return "high bias"
    return "high variance" if val_loss[-1] - train_loss[-1] >= gap_tolerance else "good fit"
"""),
    _m("fit_no_length_check", "diagnose_fit", """
def diagnose_fit(train_loss, val_loss, target_loss, gap_tolerance):
    if min(train_loss) > target_loss:
        return "high bias"
    return "high variance" if val_loss[-1] - train_loss[-1] > gap_tolerance else "good fit"
"""),
    _m("fit_other_words", "diagnose_fit", """
def diagnose_fit(train_loss, val_loss, target_loss, gap_tolerance):
    if len(train_loss) == 0 or len(train_loss) != len(val_loss):
        raise ValueError("curves")
    if min(train_loss) > target_loss:
        return "underfitting"
    return "overfitting" if val_loss[-1] - train_loss[-1] > gap_tolerance else "good fit"
"""),
]

MUTANTS = (RNN_CELL + GRU_CELL + LSTM_CELL + COUNT + SHAPES + RUN + RR + WINDOWS + KFOLD + BUILD_MLP + BUILD_CNN
           + BUILD_RNN + TRAIN + PREDICT + DIAGNOSE)

#: Cheaters and broken final models for the hidden-AUC check: each gets no points there (the
#: namespace holds a trained ``best_model`` unless the source replaces it).
HIDDEN_AUC_CHEATERS = [
    _m("final_untrained_model", "hidden_auc", """
torch.manual_seed(0)
best_model = build_mlp(WINDOW)
"""),
    _m("final_constant_probability", "hidden_auc", """
def predict_proba(model, windows, batch_size=512):
    return np.full(len(windows), 0.5)
"""),
    _m("final_returns_logits", "hidden_auc", PREDICT[0].source),
    _m("final_rank_normalised_over_the_batch", "hidden_auc", """
def predict_proba(model, windows, batch_size=512):
    model.eval()
    with torch.no_grad():
        logits = model(prepare(windows)).double().numpy()
    return (np.argsort(np.argsort(logits)) + 0.5) / len(logits)
"""),
    _m("final_random_probabilities", "hidden_auc", """
def predict_proba(model, windows, batch_size=512):
    return np.random.default_rng(0).random(len(windows))
"""),
    _m("final_one_probability_too_few", "hidden_auc", """
def predict_proba(model, windows, batch_size=512):
    model.eval()
    with torch.no_grad():
        return torch.sigmoid(model(prepare(windows[:-1]))).double().numpy()
"""),
    _m("final_model_is_none", "hidden_auc", "best_model = None\n"),
]

#: Cheaters and broken gait models for the gait hidden-AUC check: each gets no points there (the
#: namespace holds a trained ``gait_model`` unless the source replaces it).
HIDDEN_GAIT_CHEATERS = [
    _m("gait_untrained_model", "hidden_gait_auc", """
torch.manual_seed(0)
gait_model = build_cnn(WINDOW)
"""),
    _m("gait_model_is_none", "hidden_gait_auc", "gait_model = None\n"),
    _m("gait_one_feature_in_disguise", "hidden_gait_auc", """
def predict_proba(model, windows, batch_size=512):
    # the window's relative median successive difference squashed into (0, 1): one hand-made feature
    windows = np.asarray(windows, dtype=float)
    feature = np.median(np.abs(np.diff(windows, axis=1)), axis=1) / np.median(windows, axis=1)
    return feature / (1 + feature)
"""),
    _m("gait_constant_probability", "hidden_gait_auc", """
def predict_proba(model, windows, batch_size=512):
    return np.full(len(windows), 0.5)
"""),
    _m("gait_rank_normalised_over_the_batch", "hidden_gait_auc", """
def predict_proba(model, windows, batch_size=512):
    model.eval()
    with torch.no_grad():
        logits = model(prepare(windows)).double().numpy()
    return (np.argsort(np.argsort(logits)) + 0.5) / len(logits)
"""),
    _m("gait_returns_logits", "hidden_gait_auc", PREDICT[0].source),
]
