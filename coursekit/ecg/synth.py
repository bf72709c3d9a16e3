"""Synthetic single-lead ECG windows for the AF-vs-sinus-rhythm capstone, from published models.

Each simulated patient gets one continuous recording (3 to 8 windows long), cut into
non-overlapping windows of ``window_s`` seconds at ``fs`` Hz (default 10 s at 300 Hz, the
AliveCor rate of the PhysioNet/CinC 2017 challenge). Label 0 = normal sinus rhythm, 1 = AF.
Every step below names the model it implements.

Beat timing (RR intervals)
    *Sinus rhythm*: the RR tachogram of ECGSYN (McSharry, Clifford, Tarassenko & Smith 2003,
    "A dynamical model for generating synthetic electrocardiogram signals", IEEE Trans Biomed Eng
    50(3):289-294): a Gaussian process whose power spectrum is the sum of two Gaussians, a
    Mayer-wave LF peak near 0.1 Hz and a respiratory HF peak at the patient's breathing rate
    (0.15-0.4 Hz), made by inverse FFT of the spectrum's square root with random phases and
    scaled to the patient's RR standard deviation. Beat times follow t[k+1] = t[k] + RR(t[k]).
    A small white beat-to-beat jitter (4-12 ms) is added.
    *Ectopy*: premature atrial beats (coupling 55-80 % of RR, abnormal P wave, sinus node reset,
    so a non-compensatory pause) and premature ventricular beats (wide QRS, no P wave, discordant
    T wave, fully compensatory pause), as described in any ECG textbook (e.g. Goldberger,
    "Clinical Electrocardiography").
    *Atrial fibrillation*: a lumped atrioventricular-node model after Corino, Sandberg, Mainardi &
    Sörnmo 2011 ("An atrioventricular node model for analysis of the ventricular response during
    atrial fibrillation", IEEE Trans Biomed Eng 58(12):3386-3395). Atrial impulses bombard the
    AV node; an impulse arriving while the node is refractory is blocked, otherwise it is
    conducted with delay D and starts a refractory period R. Both depend on the diastolic
    interval t~ (time from the end of the previous refractory period to the impulse):
    R(t~) = R_min + dR (1 - exp(-t~ / tau_R)),  D(t~) = D_min + dD exp(-t~ / tau_D).
    Simplifications, stated honestly: atrial inter-impulse intervals are gamma distributed around
    the f-wave period (shape 1 = Corino's Poisson arrivals; larger shapes give the organised,
    more regular response of some patients), there is no concealed conduction, and a junctional
    escape beat fires if nothing is conducted for 1.6 s.

Beat morphology
    A sum of Gaussian waves per beat (P, Q, R, S and a two-Gaussian asymmetric T), the time-domain
    form of ECGSYN's z equation (McSharry et al. 2003; Sameni, Shamsollahi, Jutten & Clifford 2007,
    "A nonlinear Bayesian filtering framework for ECG denoising", IEEE TBME 54(12), show that the
    ECGSYN ODE integrates to exactly this Gaussian sum in the phase domain). Amplitudes, widths and
    positions vary between patients; the T wave moves with sqrt(RR) (Bazett), and R amplitude is
    modulated by respiration. P waves exist in sinus beats only.

Atrial activity in AF
    Fibrillatory waves from the extended sawtooth model of Stridh & Sörnmo 2001 ("Spatiotemporal
    QRST cancellation techniques for analysis of atrial fibrillation", IEEE TBME 48(1):105-111):
    f(t) = -sum_{i=1..M} (2 / (i pi)) (a + da sin(2 pi f_a t)) sin(i theta(t)),
    theta(t) = 2 pi f0 t + (df / f_f) sin(2 pi f_f t), with f0 in 4-9 Hz, M = 5 harmonics,
    amplitude a 10-120 uV (weak f-waves on purpose for some patients).

Noise (the MIT-BIH Noise Stress Test types, Moody, Muldrow & Mark 1984)
    Baseline wander (respiratory and slower sinusoids), muscle (EMG) noise as high-passed Gaussian
    noise with bursts, mains hum at 50 or 60 Hz, electrode-motion steps, per-window gain
    changes, and inverted leads (the AliveCor device held the other way round).

Hard cases, on purpose
    Normal: strong respiratory sinus arrhythmia, frequent premature beats, tiny P waves.
    AF: organised atrial activity with a fairly regular ventricular response, weak f-waves.
    Plus label noise: a small fraction of windows gets the wrong label (``label_noise``).

Determinism: every patient draws from its own ``numpy.random.default_rng`` seeded by
``SeedSequence(seed, spawn_key=(split_code, patient_index))``; all arithmetic is float64 numpy
without BLAS or threads, rounded to 1 uV at the end, so one seed gives the same bytes anywhere
(barring last-ulp differences between libm builds, which 1 uV rounding all but never exposes).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import signal

FS = 300.0
WINDOW_S = 10.0
#: Extra simulated seconds before each recording, so the RR process and filters settle.
_LEAD_IN_S = 3.0
_SPLIT_CODES = {"train": 1, "hidden": 2}


@dataclass(frozen=True)
class Difficulty:
    """Fractions of hard cases and label noise; the defaults are the calibrated ones (see the data card)."""

    label_noise: float = 0.01
    sinus_arrhythmia: float = 0.18      # normal patients with strong respiratory sinus arrhythmia
    frequent_ectopy: float = 0.15       # normal patients with 6-20 % premature beats
    occasional_ectopy: float = 0.25     # normal patients with 1-5 % premature beats
    tiny_p_waves: float = 0.12          # normal patients with 8-30 uV P waves (regular rhythm) ...
    tiny_p_waves_if_irregular: float = 0.6   # ... and among those with sinus arrhythmia or frequent ectopy
    regular_af: float = 0.22            # AF patients with organised atria and a fairly regular response
    weak_f_waves: float = 0.30          # AF patients with 4-15 uV f-waves (irregular response) ...
    weak_f_waves_if_regular: float = 0.75    # ... and among those with a regular response
    noisy: float = 0.25                 # patients with strong EMG noise (both classes)
    tremor: float = 0.12                # patients with 4-9 Hz tremor artefact, an f-wave mimic (both classes)


@dataclass
class Patient:
    """Parameters of one simulated patient (all times in seconds, amplitudes in mV)."""

    label: int
    cases: list = field(default_factory=list)
    params: dict = field(default_factory=dict)


def _log_uniform(rng, low, high):
    return float(np.exp(rng.uniform(np.log(low), np.log(high))))


# ---------------------------------------------------------------- RR processes

def sinus_rr_tachogram(rng, duration_s, mean_rr, rr_std, resp_hz, lf_hz=0.1, lf_hf_ratio=0.5,
                       lf_width_hz=0.01, hf_width_hz=0.01, tachogram_fs=4.0):
    """ECGSYN RR process: RR(t) on a grid of ``tachogram_fs`` Hz, mean ``mean_rr``, std ``rr_std`` (s).

    Power spectrum S(f) = lf_hf_ratio N(f; lf_hz, lf_width_hz) + N(f; resp_hz, hf_width_hz)
    (N a Gaussian density); the series is irfft(sqrt(S) exp(i phi)), phi ~ U(0, 2 pi),
    standardised, then scaled: RR = mean_rr + rr_std * x.
    """
    n = int(2 ** np.ceil(np.log2(duration_s * tachogram_fs + 16)))
    frequency = np.fft.rfftfreq(n, d=1.0 / tachogram_fs)

    def gaussian(centre, width):
        return np.exp(-0.5 * ((frequency - centre) / width) ** 2) / np.sqrt(2 * np.pi * width ** 2)

    spectrum = lf_hf_ratio * gaussian(lf_hz, lf_width_hz) + gaussian(resp_hz, hf_width_hz)
    phase = rng.uniform(0.0, 2 * np.pi, frequency.size)
    coefficients = np.sqrt(spectrum) * np.exp(1j * phase)
    coefficients[0] = 0.0
    coefficients[-1] = coefficients[-1].real  # real Nyquist bin for a real series
    series = np.fft.irfft(coefficients, n)
    series = (series - series.mean()) / series.std()
    return mean_rr + rr_std * series


def sinus_beats(rng, duration_s, p):
    """Beat times (s) and kinds (0 sinus, 1 premature atrial, 2 premature ventricular) for sinus rhythm."""
    tachogram = sinus_rr_tachogram(rng, duration_s + 4.0, p["mean_rr"], p["rr_std"], p["resp_hz"],
                                   lf_hf_ratio=p["lf_hf_ratio"])
    grid_t = np.arange(tachogram.size) / 4.0
    times, kinds = [], []
    last = rng.uniform(0.0, p["mean_rr"]) - p["mean_rr"]  # a virtual beat just before t = 0
    ectopic_rate, pvc_share = p["ectopic_rate"], p["pvc_share"]
    while last < duration_s:
        rr = max(float(np.interp(last, grid_t, tachogram)) + rng.normal(0.0, p["jitter"]), 0.4)
        if kinds and kinds[-1] == 0 and rng.random() < ectopic_rate:
            premature = last + rng.uniform(0.55, 0.8) * rr
            if rng.random() < pvc_share:
                times.append(premature); kinds.append(2)
                last = last + 2.0 * rr  # fully compensatory pause: the sinus node is not reset
            else:
                times.append(premature); kinds.append(1)
                last = premature + rr * rng.uniform(1.0, 1.1)  # sinus node reset: non-compensatory
        else:
            last = last + rr
        times.append(last); kinds.append(0)
    return np.asarray(times), np.asarray(kinds, dtype=np.int8)


def av_node_beats(rng, duration_s, p):
    """Ventricular beat times (s) in AF from the lumped AV-node model (Corino et al. 2011), kinds all 0.

    Atrial impulses arrive with gamma-distributed intervals (mean 1 / f0, shape ``atrial_shape``).
    An impulse at time t is blocked while t < end of refractoriness; otherwise, with diastolic
    interval t~ = t - end, it is conducted after D(t~) and the node is refractory for R(t~).
    """
    mean_aa = 1.0 / p["f0"]
    shape = p["atrial_shape"]
    n_impulses = int(duration_s / mean_aa * 1.6) + 50
    arrivals = np.cumsum(rng.gamma(shape, mean_aa / shape, n_impulses)) - 1.0
    r_min, d_r, tau_r = p["r_min"], p["delta_r"], p["tau_r"]
    d_min, d_d, tau_d = p["d_min"], p["delta_d"], p["tau_d"]
    times = []
    refractory_end = -np.inf
    last_activation = -1.0
    for arrival in arrivals:
        if arrival > duration_s + 1.0:
            break
        while arrival - last_activation > 1.6:  # junctional escape when nothing gets through
            last_activation += 1.6
            refractory_end = last_activation + r_min
            times.append(last_activation + d_min)
        if arrival < refractory_end:
            continue  # blocked
        diastolic = arrival - refractory_end if np.isfinite(refractory_end) else 1.0
        delay = d_min + d_d * np.exp(-diastolic / tau_d)
        refractory_end = arrival + r_min + d_r * (1.0 - np.exp(-diastolic / tau_r))
        last_activation = arrival
        times.append(arrival + delay)
    times = np.asarray(times)
    times = times[(times > 0.0) & (times < duration_s)]
    return times, np.zeros(times.size, dtype=np.int8)


# ---------------------------------------------------------------- morphology

def _draw_morphology(rng, hard_tiny_p):
    """Gaussian-wave parameters of one patient's sinus beat: (offset s, amplitude mV, width s) per wave."""
    r_amp = _log_uniform(rng, 0.6, 1.6)
    p_amp = _log_uniform(rng, 0.008, 0.03) if hard_tiny_p else _log_uniform(rng, 0.04, 0.20)
    t_amp = rng.uniform(0.08, 0.40) * (1.0 if rng.random() < 0.9 else -0.6)
    return {
        "P": (-rng.uniform(0.13, 0.19), p_amp, rng.uniform(0.018, 0.027)),
        "Q": (-rng.uniform(0.022, 0.030), -rng.uniform(0.0, 0.15) * r_amp, rng.uniform(0.007, 0.010)),
        "R": (0.0, r_amp, rng.uniform(0.009, 0.013)),
        "S": (rng.uniform(0.022, 0.032), -rng.uniform(0.05, 0.45) * r_amp, rng.uniform(0.008, 0.012)),
        # T peak at 0.24-0.32 s for RR = 1 s; the second, wider Gaussian makes T asymmetric
        "T1": (rng.uniform(0.24, 0.30), t_amp, rng.uniform(0.040, 0.055)),
        "T2": (0.035, 0.45 * t_amp, rng.uniform(0.05, 0.07)),
        "pvc_sign": 1.0 if rng.random() < 0.6 else -1.0,
        "pac_p_scale": rng.uniform(-0.8, 1.2),
    }


def _beat_waves(times, kinds, morphology, rng, resp_hz, resp_depth, with_p):
    """List all Gaussian waves of all beats as arrays (centre s, amplitude mV, width s)."""
    centres, amplitudes, widths = [], [], []
    rr_previous = np.diff(times, prepend=times[0] - (times[1] - times[0] if times.size > 1 else 0.8))
    bazett = np.sqrt(np.clip(rr_previous, 0.3, 1.6))
    breathing = 1.0 + resp_depth * np.sin(2 * np.pi * resp_hz * times + rng.uniform(0, 2 * np.pi))
    jitter = rng.normal(1.0, 0.02, times.size)

    def add(centre, amplitude, width):
        centres.append(centre); amplitudes.append(amplitude); widths.append(width)

    for name in ("Q", "R", "S"):
        offset, amplitude, width = morphology[name]
        normal = kinds != 2
        add(times[normal] + offset, amplitude * breathing[normal] * jitter[normal], np.full(normal.sum(), width))
    offset1, amp1, width1 = morphology["T1"]
    offset2, _, width2 = morphology["T2"]
    normal = kinds != 2
    t_peak = times[normal] + offset1 * bazett[normal]
    add(t_peak, amp1 * jitter[normal], width1 * bazett[normal])
    add(t_peak + offset2 * bazett[normal], 0.45 * amp1 * jitter[normal], width2 * bazett[normal])
    if with_p:
        offset, amplitude, width = morphology["P"]
        sinus = kinds == 0
        add(times[sinus] + offset, amplitude * jitter[sinus], np.full(sinus.sum(), width))
        pac = kinds == 1
        # ectopic atrial focus: different P axis, shorter PR, often merging into the previous T
        add(times[pac] + 0.8 * offset, amplitude * morphology["pac_p_scale"] * np.ones(pac.sum()),
            np.full(pac.sum(), width * 0.9))
    pvc = kinds == 2
    if pvc.any():
        r_amp = morphology["R"][1]
        sign = morphology["pvc_sign"]
        add(times[pvc], sign * 1.3 * r_amp * np.ones(pvc.sum()), np.full(pvc.sum(), 0.028))
        add(times[pvc] + 0.06, -sign * 0.35 * r_amp * np.ones(pvc.sum()), np.full(pvc.sum(), 0.025))
        add(times[pvc] + 0.30, -sign * 0.45 * r_amp * np.ones(pvc.sum()), np.full(pvc.sum(), 0.065))
    return np.concatenate(centres), np.concatenate(amplitudes), np.concatenate(widths)


def render_gaussians(centres, amplitudes, widths, n_samples, fs):
    """Sum of Gaussian waves on a grid: x[n] = sum_j A_j exp(-(n/fs - c_j)^2 / (2 w_j^2)), each cut at 5 w_j."""
    half = int(np.ceil(5 * 0.11 * fs))  # support of the widest wave (T at long RR)
    offsets = np.arange(-half, half + 1)
    first = np.round(centres * fs).astype(np.int64)
    index = first[:, None] + offsets[None, :]
    values = amplitudes[:, None] * np.exp(-0.5 * ((index / fs - centres[:, None]) / widths[:, None]) ** 2)
    inside = (index >= 0) & (index < n_samples)
    return np.bincount(index[inside], weights=values[inside], minlength=n_samples)


def sawtooth_f_waves(rng, n_samples, fs, f0, amplitude, harmonics=5):
    """Extended sawtooth model of f-waves (Stridh & Sörnmo 2001), mV; see the module docstring."""
    t = np.arange(n_samples) / fs
    delta_amplitude = amplitude * rng.uniform(0.1, 0.5)
    f_a = rng.uniform(0.08, 0.25)
    delta_f = rng.uniform(0.1, 0.3)
    f_f = rng.uniform(0.05, 0.15)
    theta = 2 * np.pi * f0 * t + (delta_f / f_f) * np.sin(2 * np.pi * f_f * t) + rng.uniform(0, 2 * np.pi)
    envelope = amplitude + delta_amplitude * np.sin(2 * np.pi * f_a * t + rng.uniform(0, 2 * np.pi))
    waves = np.zeros(n_samples)
    for i in range(1, harmonics + 1):
        waves -= (2.0 / (i * np.pi)) * envelope * np.sin(i * theta)
    return waves


# ---------------------------------------------------------------- noise

def _noise(rng, n_samples, fs, p):
    """Baseline wander + EMG (with bursts) + mains hum + electrode-motion steps, in mV."""
    t = np.arange(n_samples) / fs
    baseline = p["wander_resp"] * np.sin(2 * np.pi * p["resp_hz"] * t + rng.uniform(0, 2 * np.pi))
    for _ in range(2):
        baseline += _log_uniform(rng, 0.01, p["wander_slow"]) * np.sin(
            2 * np.pi * rng.uniform(0.02, 0.12) * t + rng.uniform(0, 2 * np.pi))
    white = rng.normal(0.0, 1.0, n_samples)
    # NSTDB muscle noise overlaps the ECG band (it is why P waves vanish in noisy records),
    # so only the slow part that baseline wander already covers is removed
    b, a = signal.butter(2, 5.0 / (fs / 2), "highpass")
    emg = signal.lfilter(b, a, white)
    emg *= p["emg_rms"] / emg.std()
    n_bursts = rng.poisson(p["burst_rate"] * n_samples / fs)
    envelope = np.ones(n_samples)
    for _ in range(n_bursts):
        centre, width = rng.uniform(0, n_samples / fs), rng.uniform(0.3, 1.5)
        envelope += rng.uniform(2.0, 6.0) * np.exp(-0.5 * ((t - centre) / (width / 2)) ** 2)
    mains = p["mains_amp"] * np.sin(2 * np.pi * p["mains_hz"] * t + rng.uniform(0, 2 * np.pi)) * (
        1.0 + 0.3 * np.sin(2 * np.pi * rng.uniform(0.05, 0.3) * t))
    motion = np.zeros(n_samples)
    for _ in range(rng.poisson(p["motion_rate"] * n_samples / fs)):
        start = rng.integers(0, n_samples)
        step = rng.normal(0.0, 0.3)
        motion[start:] += step * np.exp(-(t[start:] - t[start]) / rng.uniform(0.3, 1.5))
    # tremor (parkinsonian 4-6 Hz, essential 5-9 Hz): a narrow-band, amplitude-modulated
    # oscillation in the f-wave band, the classic cause of false AF alarms
    tremor = np.zeros(n_samples)
    if p["tremor_amp"] > 0:
        phase = 2 * np.pi * p["tremor_hz"] * t + np.cumsum(rng.normal(0.0, 0.05, n_samples))
        modulation = 1.0 + 0.5 * np.sin(2 * np.pi * rng.uniform(0.1, 0.5) * t + rng.uniform(0, 2 * np.pi))
        tremor = p["tremor_amp"] * modulation * np.sin(phase)
    return baseline + emg * envelope + mains + motion + tremor


# ---------------------------------------------------------------- patients

def draw_patient(rng, label, difficulty: Difficulty) -> Patient:
    """Draw one patient's rhythm, morphology and noise parameters."""
    cases = []
    p = {"resp_hz": rng.uniform(0.15, 0.4)}
    if label == 0:
        p["mean_rr"] = 60.0 / float(np.clip(rng.normal(76.0, 13.0), 50.0, 110.0))
        p["lf_hf_ratio"] = _log_uniform(rng, 0.3, 2.5)
        p["jitter"] = rng.uniform(0.004, 0.012)
        if rng.random() < difficulty.sinus_arrhythmia:
            cases.append("sinus_arrhythmia")
            p["rr_std"] = rng.uniform(0.06, 0.13) * p["mean_rr"] / 0.85
            p["lf_hf_ratio"] = rng.uniform(0.1, 0.5)
        else:
            p["rr_std"] = rng.uniform(0.015, 0.06)
        u = rng.random()
        if u < difficulty.frequent_ectopy:
            cases.append("frequent_ectopy")
            p["ectopic_rate"] = rng.uniform(0.06, 0.20)
        elif u < difficulty.frequent_ectopy + difficulty.occasional_ectopy:
            cases.append("occasional_ectopy")
            p["ectopic_rate"] = rng.uniform(0.01, 0.05)
        else:
            p["ectopic_rate"] = 0.0
        p["pvc_share"] = rng.uniform(0.0, 1.0)
        irregular = "sinus_arrhythmia" in cases or "frequent_ectopy" in cases
        # the hard normals are those where neither the rhythm nor the P waves settle it
        tiny_p = rng.random() < (difficulty.tiny_p_waves_if_irregular if irregular else difficulty.tiny_p_waves)
        if tiny_p:
            cases.append("tiny_p_waves")
        p["morphology"] = _draw_morphology(rng, tiny_p)
    else:
        regular = rng.random() < difficulty.regular_af
        p["f0"] = rng.uniform(4.0, 9.0)
        if regular:
            cases.append("regular_af")
            p["atrial_shape"] = rng.uniform(10.0, 30.0)
            p["r_min"] = rng.uniform(0.33, 0.75)
            p["delta_r"] = rng.uniform(0.0, 0.04)
        else:
            p["atrial_shape"] = _log_uniform(rng, 1.0, 3.0)
            # rate-controlled patients (beta blockers, digoxin) have long refractory periods
            p["r_min"] = rng.uniform(0.33, 0.65)
            p["delta_r"] = rng.uniform(0.05, 0.35)
        p["tau_r"] = rng.uniform(0.05, 0.25)
        p["d_min"] = rng.uniform(0.06, 0.12)
        p["delta_d"] = rng.uniform(0.0, 0.06)
        p["tau_d"] = rng.uniform(0.05, 0.2)
        weak = rng.random() < (difficulty.weak_f_waves_if_regular if regular else difficulty.weak_f_waves)
        if weak:
            cases.append("weak_f_waves")
        p["f_amp"] = _log_uniform(rng, 0.004, 0.015) if weak else _log_uniform(rng, 0.020, 0.10)
        p["morphology"] = _draw_morphology(rng, False)
    noisy = rng.random() < difficulty.noisy
    if noisy:
        cases.append("noisy")
    p["emg_rms"] = _log_uniform(rng, 0.03, 0.08) if noisy else _log_uniform(rng, 0.003, 0.025)
    tremor = rng.random() < difficulty.tremor
    if tremor:
        cases.append("tremor")
    p["tremor_amp"] = _log_uniform(rng, 0.01, 0.05) if tremor else 0.0
    p["tremor_hz"] = rng.uniform(4.0, 9.0)
    p["burst_rate"] = rng.uniform(0.0, 0.1)
    p["wander_resp"] = rng.uniform(0.0, 0.12)
    p["wander_slow"] = rng.uniform(0.02, 0.4)
    p["mains_hz"] = 50.0 if rng.random() < 0.5 else 60.0
    p["mains_amp"] = _log_uniform(rng, 0.001, 0.04)
    p["motion_rate"] = rng.uniform(0.0, 0.03)
    p["resp_depth"] = rng.uniform(0.02, 0.12)
    p["scale"] = _log_uniform(rng, 0.6, 1.6)
    p["inverted"] = rng.random() < 0.10
    return Patient(label=label, cases=cases, params=p)


def simulate_recording(rng, patient: Patient, n_windows, fs=FS, window_s=WINDOW_S):
    """Simulate one patient's continuous recording cut into windows.

    Returns ``(windows, heart_rate_bpm)``: windows float64 (n_windows, round(window_s * fs)) in mV
    and the mean heart rate (bpm) of each window from the true beat times.
    """
    p = patient.params
    length = int(round(window_s * fs))
    total_s = _LEAD_IN_S + n_windows * window_s
    n_total = int(round(total_s * fs))
    if patient.label == 0:
        times, kinds = sinus_beats(rng, total_s + 1.0, p)
    else:
        times, kinds = av_node_beats(rng, total_s + 1.0, p)
    centres, amplitudes, widths = _beat_waves(times, kinds, p["morphology"], rng, p["resp_hz"],
                                              p["resp_depth"], with_p=patient.label == 0)
    ecg = render_gaussians(centres, amplitudes, widths, n_total, fs)
    if patient.label == 1:
        ecg += sawtooth_f_waves(rng, n_total, fs, p["f0"], p["f_amp"])
    ecg = ecg * p["scale"] + _noise(rng, n_total, fs, p)
    if p["inverted"]:
        ecg = -ecg
    start = int(round(_LEAD_IN_S * fs))
    windows = ecg[start:start + n_windows * length].reshape(n_windows, length).copy()
    # per-window gain drift (electrode contact), and now and then a gain step inside a window
    windows *= np.exp(rng.normal(0.0, 0.12, n_windows))[:, None]
    for k in range(n_windows):
        if rng.random() < 0.05:
            at = rng.integers(length // 5, 4 * length // 5)
            windows[k, at:] *= rng.uniform(0.6, 1.4)
    heart_rate = np.empty(n_windows)
    for k in range(n_windows):
        lo, hi = _LEAD_IN_S + k * window_s, _LEAD_IN_S + (k + 1) * window_s
        beats = times[(times >= lo) & (times < hi)]
        heart_rate[k] = 60.0 / np.mean(np.diff(beats)) if beats.size > 1 else np.nan
    return windows, heart_rate


@dataclass
class SyntheticSplit:
    """One simulated split. X float64 (n, L) mV; y int8 (n,) after label noise; the rest describe it."""

    X: np.ndarray
    y: np.ndarray
    fs: float
    patient_id: np.ndarray
    true_label: np.ndarray       # label before label noise
    heart_rate_bpm: np.ndarray   # mean heart rate of each window, from the simulated beat times
    cases: np.ndarray            # '+'-joined hard-case tags of the window's patient ('' if none)


def simulate_split(seed, split="train", n_patients=300, af_fraction=0.45, windows_per_patient=(3, 8),
                   fs=FS, window_s=WINDOW_S, difficulty: Difficulty = Difficulty()) -> SyntheticSplit:
    """Simulate ``n_patients`` patients (``round(af_fraction * n_patients)`` with AF) for one split.

    Patients get ids ``syn-{split}-{i:04d}``; each contributes ``windows_per_patient`` (inclusive
    range) consecutive windows. Patient i draws only from SeedSequence(seed, spawn_key=(split
    code, i)), so patients are independent of each other and of the order they are simulated in.
    """
    if split not in _SPLIT_CODES:
        raise ValueError(f"split must be one of {sorted(_SPLIT_CODES)}, got {split!r}")
    code = _SPLIT_CODES[split]
    split_rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(code,)))
    n_af = int(round(af_fraction * n_patients))
    labels = split_rng.permutation(np.r_[np.zeros(n_patients - n_af, dtype=np.int8), np.ones(n_af, dtype=np.int8)])
    counts = split_rng.integers(windows_per_patient[0], windows_per_patient[1] + 1, n_patients)
    X, ids, true_label, heart_rate, cases = [], [], [], [], []
    for i in range(n_patients):
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(code, i + 1)))
        patient = draw_patient(rng, int(labels[i]), difficulty)
        windows, rate = simulate_recording(rng, patient, int(counts[i]), fs, window_s)
        X.append(windows)
        ids += [f"syn-{split}-{i:04d}"] * int(counts[i])
        true_label += [patient.label] * int(counts[i])
        heart_rate.append(rate)
        cases += ["+".join(patient.cases)] * int(counts[i])
    true_label = np.asarray(true_label, dtype=np.int8)
    flip = split_rng.random(true_label.size) < difficulty.label_noise
    y = np.where(flip, 1 - true_label, true_label).astype(np.int8)
    return SyntheticSplit(X=np.concatenate(X), y=y, fs=float(fs), patient_id=np.asarray(ids),
                          true_label=true_label, heart_rate_bpm=np.concatenate(heart_rate),
                          cases=np.asarray(cases))
