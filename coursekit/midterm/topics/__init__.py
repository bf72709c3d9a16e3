"""Question generators, one module per topic of the course, in course order.

Importing a module registers its questions in :data:`..bank.QUESTIONS`; :func:`load_all`
imports every module listed in :data:`TOPICS`.
"""

from __future__ import annotations

import importlib

#: ``(module, title)`` for every topic, in the order the course teaches them.
TOPICS = (
    ("learning_types", "Supervised and unsupervised learning"),
    ("neuron", "The artificial neuron Y = ReLU(w.X + b)"),
    ("tensors", "Tensors and their dimensions"),
    ("activations", "Activation functions and their derivatives"),
    ("perceptron", "The perceptron"),
    ("losses", "Loss functions"),
    ("empirical_risk", "Empirical risk"),
    ("gradient_descent", "Gradient descent and its variants"),
    ("gradient_problems", "Vanishing and exploding gradients, local minima, saddle points"),
    ("backprop", "Backpropagation"),
    ("convolution", "Convolution and pooling"),
    ("recurrent", "Recurrent networks: RNN, LSTM, GRU"),
    ("bias_variance", "Bias, variance, under- and overfitting"),
    ("data_splits", "Data splits and cross-validation"),
    ("metrics", "Classification metrics"),
    ("history", "History of the field"),
)


def load_all() -> None:
    """Import every topic module (registering its questions); idempotent."""
    for name, _title in TOPICS:
        importlib.import_module("%s.%s" % (__name__, name))


def title(topic: str) -> str:
    return dict(TOPICS).get(topic, topic)
