"""Supervised, unsupervised and reinforcement learning; regression and classification."""

from __future__ import annotations

from ..bank import Choice, MultipleChoice, Option, Variant, question, shuffled

#: (scenario, kind, why it is that kind)
SUPERVISED = (
    ("Detect atrial fibrillation in 12-lead ECGs, training on 8,000 recordings that a cardiologist labelled "
     "'AF' or 'not AF'.", "a cardiologist's label comes with every recording"),
    ("Estimate a patient's age from a chest X-ray, training on X-rays of patients whose age is recorded.",
     "every X-ray comes with the age to predict"),
    ("Outline tumours in MRI scans, training on scans in which radiologists drew each tumour's outline.",
     "the outlines drawn by radiologists are the targets"),
    ("Predict how many days a patient will stay in hospital from the admission record, training on past "
     "admissions with their known length of stay.", "past admissions come with the length of stay to predict"),
    ("Classify photos of skin lesions as benign or malignant, training on photos with biopsy-confirmed "
     "diagnoses.", "each photo has a confirmed diagnosis"),
    ("Predict the ejection fraction from an echocardiogram video, training on videos with the ejection "
     "fraction measured by a cardiologist.", "each video comes with the measured value"),
)
UNSUPERVISED = (
    ("Group 5,000 single-cell RNA profiles into cell types, without any annotation of the cells.",
     "no cell comes with a type: the groups are found in the profiles themselves"),
    ("Reduce 20,000 gene-expression values per patient to 2 dimensions with PCA, to look at the cohort.",
     "PCA uses the inputs only; there is no target"),
    ("Find subgroups of a disease by clustering patients' electronic health records.",
     "the subgroups are not known beforehand: no target is given"),
    ("Learn what typical heartbeats look like from unlabelled Holter recordings and flag beats that do "
     "not fit, without any beat being annotated.", "no beat is labelled; the model learns the inputs' structure"),
    ("Compress fluorescence microscopy images with an autoencoder trained to reconstruct its own input.",
     "the input is its own target: no label is given"),
)
REINFORCEMENT = (
    ("Learn an insulin-dosing policy in a patient simulator, rewarded whenever blood glucose stays in range.",
     "an agent acts and learns from rewards, not from labelled examples"),
    ("Train an agent to steer a simulated endoscope, rewarded when it reaches the target site.",
     "an agent acts and learns from rewards, not from labelled examples"),
)

_LABELS = {"supervised": "Supervised learning", "unsupervised": "Unsupervised learning",
           "reinforcement": "Reinforcement learning"}
#: Why the option ``other`` is wrong when the task is of kind ``kind``.
_WHY_NOT = {
    ("supervised", "unsupervised"): "every training example comes with the target to predict, so it is supervised",
    ("supervised", "reinforcement"): "there is no agent acting and collecting rewards; the targets are given",
    ("unsupervised", "supervised"): "supervised learning needs a target for every example, and there is none here",
    ("unsupervised", "reinforcement"): "there is no agent acting and collecting rewards",
    ("reinforcement", "supervised"): "nobody gives the right action for each situation; the agent only gets "
                                     "rewards for what it does",
    ("reinforcement", "unsupervised"): "the agent learns from rewards for its actions, not from the structure of "
                                       "unlabelled inputs",
}
#: The misconception behind choosing ``other`` for a task of kind ``kind``.
_TAGS = {("supervised", "unsupervised"): "target_missed", ("unsupervised", "supervised"): "any_training_is_supervised",
         ("reinforcement", "supervised"): "reward_as_label"}


@question("learning_types.classify_task", "Which kind of learning?")
def classify_task(rng) -> Variant:
    kind = rng.choice(("supervised", "supervised", "unsupervised", "unsupervised", "reinforcement"))
    pool = {"supervised": SUPERVISED, "unsupervised": UNSUPERVISED, "reinforcement": REINFORCEMENT}[kind]
    scenario, why = rng.choice(pool)
    options = []
    for other, label in _LABELS.items():
        if other == kind:
            options.append(Option(label, True))
        else:
            options.append(Option(label, False, "No: %s." % _WHY_NOT[kind, other], _TAGS.get((kind, other))))
    return Variant(
        text="Which kind of machine learning is this task?\n\n> %s" % scenario,
        answer=Choice(shuffled(rng, options)),
        explanation="%s: %s. Supervised learning fits a mapping from inputs to given targets; unsupervised "
                    "learning finds structure in inputs alone; reinforcement learning learns actions from "
                    "rewards." % (_LABELS[kind], why),
        params={"kind": kind, "scenario": scenario},
    )


@question("learning_types.which_supervised", "Which tasks are supervised?")
def which_supervised(rng) -> Variant:
    n_supervised = rng.randint(2, 3)
    options = [Option(s, True, "Supervised: %s." % why, "labelled_task_missed")
               for s, why in rng.sample(SUPERVISED, n_supervised)]
    options += [Option(s, False, "Not supervised: %s." % why, "unlabelled_task_as_supervised")
                for s, why in rng.sample(UNSUPERVISED, 5 - n_supervised)]
    return Variant(
        text="Which of these tasks are **supervised** learning problems? Select all that are.",
        answer=MultipleChoice(shuffled(rng, options)),
        explanation="A task is supervised when every training example comes with the target the model must "
                    "predict (a label, a value, an outline). Clustering, PCA and autoencoders use the inputs only.",
        params={"n_supervised": n_supervised},
    )


#: (task, "regression" | "classification", why)
TARGETS = (
    ("Predict a patient's systolic blood pressure (in mmHg) from a wrist-worn sensor.", "regression",
     "blood pressure is a continuous quantity"),
    ("Predict the ejection fraction (a percentage) of the heart from an echocardiogram.", "regression",
     "the ejection fraction is a continuous quantity"),
    ("Predict the age of a cell culture in hours from a microscopy image.", "regression",
     "the age in hours is a continuous quantity"),
    ("Predict which of five heartbeat types (normal, PVC, PAC, fusion, unknown) a beat belongs to.",
     "classification", "the target is one of five categories"),
    ("Predict whether a mole is benign or malignant.", "classification", "the target is one of two categories"),
    ("Predict the blood group (A, B, AB or O) from a genome.", "classification",
     "the target is one of four categories, with no order"),
    ("Predict the tumour stage from a biopsy image, where the stage is one of I, II, III, IV.", "classification",
     "the target is one of four categories (ordered, but still categories)"),
)


@question("learning_types.regression_or_classification", "Regression or classification?")
def regression_or_classification(rng) -> Variant:
    task, kind, why = rng.choice(TARGETS)
    other = "classification" if kind == "regression" else "regression"
    options = [
        Option(kind.capitalize(), True),
        Option(other.capitalize(), False, "No: %s, so this is %s." % (why, kind),
               "categories_vs_quantities"),
        Option("Clustering", False, "No: every example has a target to predict, so the task is supervised; "
                                    "clustering is unsupervised.", "supervised_as_clustering"),
    ]
    return Variant(
        text="This supervised task is trained on examples with known targets. Is it a regression or a "
             "classification task?\n\n> %s" % task,
        answer=Choice(shuffled(rng, options)),
        explanation="%s: %s. Regression predicts a continuous quantity; classification predicts one of a "
                    "set of categories." % (kind.capitalize(), why),
        params={"task": task, "kind": kind},
    )
