"""The midterm question bank: questions, their variants, answer formats and grading.

A *question* is a generator: a pure function of a ``random.Random`` that returns a
:class:`Variant` (markdown text, parameters, the answer format holding the correct
answer, and an explanation). :meth:`Question.generate` seeds it, so a seed always
gives the same variant: the practice notebook draws fresh seeds, the midterm derives
one per student, and the grader regenerates that same variant to score the answer.

Grading (:func:`grade`) never raises. It reads the response with the answer format
(:class:`Numeric`, :class:`Integer`, :class:`Choice`, :class:`MultipleChoice`,
:class:`Numbers`, :class:`Order`, :class:`Call`), which either normalises it or
explains why it cannot be read (``None``, text for a number, NaN, a list for a
number, ...: score 0 and a clear message), then scores each *part* of the answer:

- one part for a number, a choice, an order or a shape;
- one part per option of a multiple-choice question ("every decision counts", as in
  PrairieLearn: each option decided right earns an equal share, never below 0);
- one part per component where a tuple of numbers is graded component-wise, one per
  requirement of a layer constructor call.

Each question declares its *misconceptions*: functions of the variant's parameters
giving the answer a student with that misconception writes, the message that explains
it and the credit it must earn. :func:`grade` recognises them, and the self-test
(:mod:`coursekit.midterm.selftest`) proves, seed by seed, that the correct answer earns
full marks and each misconception exactly its declared credit.

This module and ``topics/`` use the standard library only: they are copied into the
practice release (``source/midterm_practice/practice_bank/``) and run on students'
machines. Never ``exec``/``eval`` a response: text is read with :func:`ast.parse` and a
whitelist (:func:`parse_value`, :func:`parse_call`).
"""

from __future__ import annotations

import ast
import math
import random
import re
from dataclasses import dataclass, field
from typing import Any, Callable

LETTERS = "ABCDEFGHIJ"

#: An absolute tolerance this small only forgives floating-point rounding: the answer is exact.
EXACT_TOLERANCE = 1e-6

#: Longest text response read at all: a layer call or a literal fits easily.
MAX_TEXT = 400


# --------------------------------------------------------------------------- formatting

def fmt(x: Any, digits: int = 6) -> str:
    """A number as a person writes it: ``3``, ``0.25``, ``-1.5``, ``1e-08`` (no float noise)."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return str(x)
    if isinstance(x, int):
        return str(x)
    if math.isnan(x) or math.isinf(x):
        return repr(x)
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    text = "%.*g" % (digits, x)
    if "e" in text:
        mantissa, exponent = text.split("e")
        return "%se%d" % (mantissa, int(exponent))
    return text


def fmt_seq(values, digits: int = 6) -> str:
    """``(1, 0.5, -2)``: a tuple as Python prints it, numbers through :func:`fmt`."""
    items = [fmt(v, digits) for v in values]
    return "(%s)" % (items[0] + "," if len(items) == 1 else ", ".join(items))


def _shorten(text: str, limit: int = 70) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --------------------------------------------------------------------------- reading responses

class Malformed(Exception):
    """The response cannot be read as this answer format (the message says how to write it)."""

    diagnosis = "malformed"


class NoAnswer(Malformed):
    """Nothing was answered (``None``, ``...``, an empty string or selection)."""

    diagnosis = "no answer"


def _describe_type(value: Any) -> str:
    if isinstance(value, str):
        return "the text %r" % _shorten(value, 40)
    if isinstance(value, (list, tuple, set, frozenset)):
        n = len(value)
        return "a %s of %d value%s" % (type(value).__name__, n, "" if n == 1 else "s")
    if isinstance(value, dict) and "__opaque__" in value:
        return "a %s object" % str(value["__opaque__"].get("type", "?")).rsplit(".", 1)[-1]
    name = type(value).__name__
    return "%s %s" % ("an" if name[:1].lower() in "aeiou" else "a", name)


def _unwrap(value: Any) -> Any:
    """numpy/torch scalars and 0-d arrays as Python numbers; 1-d arrays as lists.

    Duck-typed so that this module does not import numpy: the grader hands over values
    decoded from the kernel (numpy), the practice notebook whatever the student passed.
    """
    if isinstance(value, (bool, int, float, str, type(None))):
        return value
    if isinstance(value, dict) and set(value) == {"__set__"} and isinstance(value["__set__"], list):
        try:  # a set, as the midterm's probe marks it for the trip out of the kernel
            return frozenset(value["__set__"])
        except TypeError:
            return value
    shape = getattr(value, "shape", None)
    if shape is not None and hasattr(value, "tolist"):
        try:
            if tuple(shape) == ():
                return value.item() if hasattr(value, "item") else value.tolist()
            return value.tolist()
        except Exception:
            return value
    return value


def _number(value: Any, what: str = "a number") -> float:
    """A finite real number from ``value``, or :class:`Malformed` saying what it is instead."""
    value = _unwrap(value)
    if value is None or value is Ellipsis:
        raise NoAnswer("No answer given: write %s." % what)
    if isinstance(value, bool):
        raise Malformed("%r is a truth value, not %s." % (value, what))
    if isinstance(value, int):
        if abs(value) >= 2 ** 53:
            raise Malformed("%s is too large to be meant: write %s." % (_shorten(str(value), 20), what))
        return float(value)
    if isinstance(value, float):
        if math.isnan(value):
            raise Malformed("NaN is not an answer: write %s." % what)
        if math.isinf(value):
            raise Malformed("An infinite value is not an answer: write %s." % what)
        return value
    if isinstance(value, str):
        if not value.strip():
            raise NoAnswer("No answer given (empty text): write %s." % what)
        raise Malformed("You wrote text (%r); write %s itself, without quotes." % (_shorten(value, 30), what))
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        raise Malformed("Expected %s, got %s." % (what, _describe_type(value)))
    raise Malformed("Expected %s, got %s." % (what, _describe_type(value)))


def _letters(value: Any, n_options: int, *, single: bool) -> list[str]:
    """Option letters from a response: ``"B"``, ``"b"``, ``"(B)"``; for several ``{"A", "C"}``,
    ``["A", "C"]``, ``"A, C"`` or ``"AC"``."""
    valid = LETTERS[:n_options]
    example = "'B'" if single else "{'A', 'C'}"
    value = _unwrap(value)
    if value is None or value is Ellipsis:
        raise NoAnswer("No answer given: write the letter%s of your choice%s, e.g. %s."
                       % ("" if single else "s", "" if single else "s", example))
    if isinstance(value, str):
        text = value.strip()
        if len(text) > MAX_TEXT:
            raise Malformed("That text is too long to be a choice; write the letters, e.g. %s." % example)
        if not text:
            raise NoAnswer("No answer given (empty text): write the letter of your choice, e.g. %s." % example)
        tokens = [t.strip("()[]{}'\".").upper() for t in re.split(r"[\s,;/+&]+", text) if t.strip("()[]{}'\".")]
        if tokens and all(len(t) == 1 for t in tokens):
            letters = tokens
        elif len(tokens) == 1 and not single and all(c in valid for c in tokens[0]):
            letters = list(tokens[0])
        else:
            raise Malformed("Answer with the letter%s of the option%s (%s), e.g. %s, not with %s."
                            % ("" if single else "s", "" if single else "s", ", ".join(valid), example,
                               _describe_type(value)))
    elif isinstance(value, (list, tuple, set, frozenset)):
        if single:
            raise Malformed("Exactly one option is right: write a single letter such as 'B', not %s."
                            % _describe_type(value))
        letters = []
        for item in value:
            if not isinstance(item, str) or len(item.strip()) != 1:
                raise Malformed("Each element must be one option letter such as 'A'; found %r." % (_shorten(repr(item), 30),))
            letters.append(item.strip().upper())
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        raise Malformed("Answer with the letter of the option, e.g. %s, not with a number." % example)
    else:
        raise Malformed("Answer with option letters, e.g. %s, not with %s." % (example, _describe_type(value)))
    unknown = sorted({l for l in letters if l not in valid})
    if unknown:
        raise Malformed("There is no option %s: the options are %s." % (", ".join(unknown), ", ".join(valid)))
    if single and len(letters) != 1:
        raise Malformed("Exactly one option is right: write a single letter such as 'B'.")
    if not letters:
        raise NoAnswer("No option selected: select at least one, e.g. %s." % example)
    return letters


# --------------------------------------------------------------------------- safe parsing of text

_SAFE_FUNCTIONS = {"sqrt": math.sqrt, "exp": math.exp, "log": math.log, "log2": math.log2,
                   "log10": math.log10, "tanh": math.tanh, "abs": abs, "round": round}
_SAFE_MODULES = {"math", "np", "numpy"}
_SAFE_CONSTANTS = {"pi": math.pi, "e": math.e, "inf": math.inf, "nan": math.nan}


def parse_value(text: str, bare_words: bool = True) -> Any:
    """Read a typed answer (``"0.25"``, ``"1/3"``, ``"(32, 10, 64)"``, ``"{'A', 'C'}"``, ``"B"``)
    without executing anything: literals, arithmetic and a few math functions only.

    Raises :class:`ValueError` for anything else. With ``bare_words`` (what a student types in
    a box) bare words are returned as text, so ``B`` and ``'B'`` both read as the letter B;
    without (Python source, where a bare word is a variable) they raise.
    """
    text = str(text).strip()
    if len(text) > MAX_TEXT:
        raise ValueError("answer text too long")
    if bare_words and re.fullmatch(r"[A-Za-z](\s*,\s*[A-Za-z])*", text):
        return text  # a letter or "A, C": a choice typed without quotes
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as error:
        raise ValueError("not a number, tuple or choice: %s" % error.msg) from None
    return _evaluate(tree.body, depth=0, bare_words=bare_words)


def _evaluate(node: ast.AST, depth: int, bare_words: bool = True) -> Any:
    if depth > 20:
        raise ValueError("expression nested too deeply")
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str, bool, type(None))):
        return node.value
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        items = [_evaluate(e, depth + 1, bare_words) for e in node.elts]
        return {ast.Tuple: tuple, ast.List: list, ast.Set: set}[type(node)](items)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
        operand = _evaluate(node.operand, depth + 1, bare_words)
        if not isinstance(operand, (int, float)) or isinstance(operand, bool):
            raise ValueError("sign of a non-number")
        return operand if isinstance(node.op, ast.UAdd) else -operand
    if isinstance(node, ast.BinOp):
        left, right = _evaluate(node.left, depth + 1, bare_words), _evaluate(node.right, depth + 1, bare_words)
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (left, right)):
            raise ValueError("arithmetic on non-numbers")
        if isinstance(node.op, ast.Pow) and (abs(right) > 64 or abs(left) > 1e6):
            raise ValueError("power too large")
        operations = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
                      ast.Div: lambda a, b: a / b, ast.FloorDiv: lambda a, b: a // b,
                      ast.Mod: lambda a, b: a % b, ast.Pow: lambda a, b: a ** b}
        operation = operations.get(type(node.op))
        if operation is None:
            raise ValueError("operator not allowed")
        try:
            return operation(left, right)
        except (ZeroDivisionError, OverflowError, ValueError) as error:
            raise ValueError(str(error)) from None
    if isinstance(node, ast.Name):
        if node.id in _SAFE_CONSTANTS:
            return _SAFE_CONSTANTS[node.id]
        if not bare_words:
            raise ValueError("%s is a variable, not a value" % node.id)
        return node.id  # a bare word: the caller decides (a choice letter, or malformed)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in _SAFE_MODULES \
            and node.attr in _SAFE_CONSTANTS:
        return _SAFE_CONSTANTS[node.attr]
    if isinstance(node, ast.Call) and not node.keywords and len(node.args) in (1, 2):
        name = None
        if isinstance(node.func, ast.Name):
            name = node.func.id
        elif isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name) \
                and node.func.value.id in _SAFE_MODULES:
            name = node.func.attr
        if name in _SAFE_FUNCTIONS:
            args = [_evaluate(a, depth + 1, bare_words) for a in node.args]
            if not all(isinstance(a, (int, float)) and not isinstance(a, bool) for a in args):
                raise ValueError("%s() of a non-number" % name)
            try:
                return _SAFE_FUNCTIONS[name](*args)
            except (ValueError, OverflowError) as error:
                raise ValueError(str(error)) from None
        if name in ("set", "frozenset", "tuple", "list") and len(node.args) == 1:
            inner = _evaluate(node.args[0], depth + 1, bare_words)
            if isinstance(inner, (list, tuple, set)):
                return {"set": set, "frozenset": set, "tuple": tuple, "list": list}[name](inner)
    raise ValueError("only numbers, tuples, lists, sets and arithmetic are read here")


@dataclass(frozen=True)
class Signature:
    """The constructor arguments of a layer, in PyTorch's order, with defaults."""

    name: str
    parameters: tuple[str, ...]
    defaults: dict = field(default_factory=dict)
    #: Parameters PyTorch keeps as 1-tuples in 1-d layers (``kernel_size=(5,)`` in a repr).
    scalar_tuples: tuple[str, ...] = ()


def parse_call(text: str, signature: Signature) -> dict:
    """The arguments of a layer call such as ``nn.Conv1d(12, 32, kernel_size=5, padding=2)``.

    Accepts ``nn.X``, ``torch.nn.X`` or ``X`` and a layer's own repr
    (``Conv1d(12, 32, kernel_size=(5,), stride=(1,))``). Arguments must be literals.
    Returns every parameter, defaults filled in. Raises :class:`Malformed` with a reason.
    """
    text = str(text).strip()
    if len(text) > MAX_TEXT:
        raise Malformed("That call is too long; write just the constructor, e.g. nn.%s(...)." % signature.name)
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as error:
        raise Malformed("This is not a valid Python call (%s): write e.g. nn.%s(...)."
                        % (error.msg, signature.name)) from None
    call = tree.body
    if not isinstance(call, ast.Call):
        raise Malformed("Write a constructor call, e.g. nn.%s(...), not %s." % (signature.name, _shorten(text, 40)))
    parts, func = [], call.func
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if not isinstance(func, ast.Name):
        raise Malformed("Write a call of nn.%s." % signature.name)
    parts.append(func.id)
    dotted = ".".join(reversed(parts))
    if dotted not in (signature.name, "nn." + signature.name, "torch.nn." + signature.name):
        raise Malformed("This calls %s; the question asks for nn.%s." % (dotted, signature.name))
    arguments: dict[str, Any] = {}
    if len(call.args) > len(signature.parameters):
        raise Malformed("nn.%s takes at most %d positional arguments." % (signature.name, len(signature.parameters)))
    for name, node in zip(signature.parameters, call.args):
        if isinstance(node, ast.Starred):
            raise Malformed("Write the arguments out; *args cannot be read.")
        arguments[name] = _literal(node, name)
    for keyword in call.keywords:
        if keyword.arg is None:
            raise Malformed("Write the arguments out; **kwargs cannot be read.")
        if keyword.arg not in signature.parameters:
            raise Malformed("nn.%s has no argument %r (its arguments: %s)."
                            % (signature.name, keyword.arg, ", ".join(signature.parameters)))
        if keyword.arg in arguments:
            raise Malformed("The argument %r is given twice." % keyword.arg)
        arguments[keyword.arg] = _literal(keyword.value, keyword.arg)
    missing = [p for p in signature.parameters if p not in arguments and p not in signature.defaults]
    if missing:
        raise Malformed("nn.%s needs %s." % (signature.name, ", ".join(missing)))
    full = dict(signature.defaults)
    full.update(arguments)
    for name in signature.scalar_tuples:
        if isinstance(full.get(name), (tuple, list)) and len(full[name]) == 1:
            full[name] = full[name][0]
    return full


def _literal(node: ast.AST, name: str) -> Any:
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        raise Malformed("The argument %s must be a literal value (a number, True/False or a string), "
                        "not a variable or an expression." % name) from None


# --------------------------------------------------------------------------- answer formats

@dataclass
class PartResult:
    """One scored part of an answer (the whole answer, one option, one component)."""

    name: str
    weight: float
    ok: bool
    message: str = ""


class AnswerFormat:
    """How an answer is written, read, compared and scored. Subclasses hold the correct answer."""

    kind = "answer"

    def describe(self) -> str:
        """The format line shown under the question (it states the tolerance where there is one)."""
        raise NotImplementedError

    def render_options(self) -> str:
        return ""

    def read(self, response: Any) -> Any:
        """Normalise ``response``, or raise :class:`Malformed` saying how to write it."""
        raise NotImplementedError

    def parts(self) -> list[tuple[str, float]]:
        """``(name, weight)`` of each scored part; depends on the variant only, never on a response."""
        return [("answer", 1.0)]

    def judge(self, value: Any) -> list[PartResult]:
        """Score a value returned by :meth:`read`, one :class:`PartResult` per part."""
        raise NotImplementedError

    def same(self, a: Any, b: Any) -> bool:
        """Whether two read values are the same answer (to recognise a misconception)."""
        return a == b

    def key(self) -> Any:
        """The correct answer, written as a student would."""
        raise NotImplementedError

    def show(self) -> str:
        """The correct answer as text for feedback."""
        return repr(self.key())

    def equivalent_keys(self) -> list:
        """Other ways of writing the correct answer that must also earn full marks."""
        return []

    def malformed_examples(self) -> list:
        """Responses of the wrong form for this format (each must score 0 with a message)."""
        return []


class Numeric(AnswerFormat):
    """A real number, accepted when ``|x - value| <= atol + rtol * |value|`` (numpy's rule)."""

    kind = "number"

    def __init__(self, value: float, *, rtol: float = 0.0, atol: float = 0.0, unit: str = ""):
        if not (rtol > 0 or atol > 0):
            raise ValueError("a Numeric answer needs a tolerance (use Integer for exact values)")
        self.value, self.rtol, self.atol, self.unit = float(value), float(rtol), float(atol), unit

    def tolerance_text(self) -> str:
        if not self.rtol and self.atol <= EXACT_TOLERANCE:
            return "exact (only floating-point rounding is forgiven)"
        relative = "%s%%" % fmt(100 * self.rtol, 3)
        if self.rtol and self.atol:
            return "accepted within %s of the exact value, plus or minus %s" % (relative, fmt(self.atol))
        if self.rtol:
            return "accepted within %s of the exact value" % relative
        return "accepted within plus or minus %s of the exact value" % fmt(self.atol)

    def describe(self) -> str:
        unit = " (in %s)" % self.unit if self.unit else ""
        return "a number%s, e.g. `0.25` or `1/3`; %s." % (unit, self.tolerance_text())

    def read(self, response):
        return _number(response)

    def close(self, a: float, b: float) -> bool:
        return abs(a - b) <= self.atol + self.rtol * abs(b)

    def judge(self, value):
        ok = self.close(value, self.value)
        return [PartResult("answer", 1.0, ok, "" if ok else "%s is not the right value." % fmt(value))]

    def same(self, a, b):
        return self.close(a, b)

    def key(self):
        return self.value

    def show(self):
        return fmt(self.value, 6)

    def equivalent_keys(self):
        slack = 0.5 * (self.atol + self.rtol * abs(self.value))
        return [self.value + slack, self.value - slack]

    def malformed_examples(self):
        return [fmt(self.value), [self.value], (self.value, self.value), {self.value}]


class Integer(Numeric):
    """An exact whole number (a length, a count, a year). Floats equal to it (``12.0``) count."""

    kind = "integer"

    def __init__(self, value: int, *, unit: str = ""):
        if int(value) != value:
            raise ValueError("Integer answers are whole numbers, got %r" % (value,))
        self.value, self.rtol, self.atol, self.unit = int(value), 0.0, 0.0, unit

    def describe(self):
        unit = " (%s)" % self.unit if self.unit else ""
        return "a whole number%s, exact." % unit

    def close(self, a, b):
        return abs(a - b) < 1e-9

    def show(self):
        return str(self.value)

    def equivalent_keys(self):
        return [float(self.value)]


@dataclass
class Option:
    """One option of a choice question.

    ``why`` explains the option (shown when a student decided it wrongly); ``tag`` names
    the misconception that makes a student choose this distractor (or leave this option
    out, for multiple choice). Untagged options are ordinary distractors.
    """

    text: str
    correct: bool = False
    why: str = ""
    tag: str | None = None


def shuffled(rng: random.Random, options: list[Option]) -> list[Option]:
    options = list(options)
    rng.shuffle(options)
    return options


class Choice(AnswerFormat):
    """Exactly one option is right; answered with its letter."""

    kind = "single choice"

    def __init__(self, options: list[Option]):
        if sum(o.correct for o in options) != 1:
            raise ValueError("a Choice needs exactly one correct option")
        if not 2 <= len(options) <= len(LETTERS):
            raise ValueError("2 to %d options" % len(LETTERS))
        self.options = list(options)
        self.correct = LETTERS[next(i for i, o in enumerate(options) if o.correct)]

    def letter(self, predicate: Callable[[Option], bool]) -> str | None:
        """The letter of the first option matching ``predicate`` (for declaring misconceptions)."""
        return next((LETTERS[i] for i, o in enumerate(self.options) if predicate(o)), None)

    def describe(self):
        return "the letter of one option, e.g. `'B'`."

    def render_options(self):
        return "\n".join("- **%s.** %s" % (LETTERS[i], o.text) for i, o in enumerate(self.options))

    def read(self, response):
        return _letters(response, len(self.options), single=True)[0]

    def judge(self, value):
        if value == self.correct:
            return [PartResult("answer", 1.0, True)]
        option = self.options[LETTERS.index(value)]
        why = option.why or "this option is not the right one."
        return [PartResult("answer", 1.0, False, "%s (\u201c%s\u201d): %s" % (value, _shorten(option.text), why))]

    def key(self):
        return self.correct

    def show(self):
        return "%s (\u201c%s\u201d)" % (self.correct, _shorten(self.options[LETTERS.index(self.correct)].text))

    def equivalent_keys(self):
        return [self.correct.lower(), " %s " % self.correct, "(%s)" % self.correct]

    def malformed_examples(self):
        return [LETTERS.index(self.correct), [self.correct], "Z", self.options[0].text + " and more words",
                "%s, %s" % (LETTERS[0], LETTERS[1])]

    def misconceptions(self) -> list["Mistake"]:
        return [Mistake(o.tag, LETTERS[i], o.why, 0.0) for i, o in enumerate(self.options)
                if o.tag and not o.correct]


class MultipleChoice(AnswerFormat):
    """Select every right option. Each option decided right earns 1/n of the credit (never
    below 0); an empty selection earns nothing."""

    kind = "multiple choice"

    def __init__(self, options: list[Option]):
        if not any(o.correct for o in options):
            raise ValueError("a MultipleChoice needs at least one correct option")
        if not 2 <= len(options) <= len(LETTERS):
            raise ValueError("2 to %d options" % len(LETTERS))
        self.options = list(options)
        self.correct = frozenset(LETTERS[i] for i, o in enumerate(options) if o.correct)

    def describe(self):
        return ("the set of letters of **all** right options, e.g. `{'A', 'C'}`; each option decided right "
                "earns 1/%d of the points, nothing selected earns nothing." % len(self.options))

    def render_options(self):
        return "\n".join("- **%s.** %s" % (LETTERS[i], o.text) for i, o in enumerate(self.options))

    def read(self, response):
        return frozenset(_letters(response, len(self.options), single=False))

    def parts(self):
        return [("option %s" % LETTERS[i], 1.0) for i in range(len(self.options))]

    def judge(self, value):
        results = []
        for i, option in enumerate(self.options):
            letter = LETTERS[i]
            chosen = letter in value
            ok = chosen == option.correct
            message = ""
            if not ok:
                message = "%s (\u201c%s\u201d) %s: %s" % (
                    letter, _shorten(option.text),
                    "should not be selected" if chosen else "should be selected",
                    option.why or ("it is %s." % ("right" if option.correct else "not right")))
            results.append(PartResult("option %s" % letter, 1.0, ok, message))
        return results

    def key(self):
        return set(self.correct)

    def show(self):
        return "{%s}" % ", ".join("'%s'" % l for l in sorted(self.correct))

    def equivalent_keys(self):
        ordered = sorted(self.correct)
        return [ordered, tuple(reversed(ordered)), ", ".join(ordered), "".join(ordered).lower(),
                frozenset(ordered)]

    def malformed_examples(self):
        return [1, [1, 2], ["A", "Z"], "A, Z", set(), [], "", {"A": True}, [["A"]]]

    def misconceptions(self):
        n = len(self.options)
        out = []
        for i, option in enumerate(self.options):
            if option.tag:
                toggled = set(self.correct) ^ {LETTERS[i]}
                if toggled:
                    out.append(Mistake(option.tag, toggled, option.why, (n - 1) / n))
        return out


class Numbers(AnswerFormat):
    """A tuple of numbers (a vector, a shape, updated weights).

    ``names`` label the components; with ``partial=True`` each component is a part of
    its own (credit per component), else the tuple is right or wrong as a whole.
    ``integer=True`` compares exactly (shapes, counts).
    """

    kind = "numbers"

    def __init__(self, values, *, names: list[str] | None = None, partial: bool = False, integer: bool = False,
                 rtol: float = 0.0, atol: float = 0.0, what: str = "", example: str = ""):
        self.values = [int(v) if integer else float(v) for v in values]
        self.names = list(names) if names else ["[%d]" % i for i in range(len(self.values))]
        self.partial, self.integer = partial, integer
        if not integer and not (rtol > 0 or atol > 0):
            raise ValueError("Numbers that are not integers need a tolerance")
        self.rtol, self.atol = (0.0, 0.0) if integer else (float(rtol), float(atol))
        self.what, self.example = what, example

    def describe(self):
        n = len(self.values)
        if self.what:
            what = self.what
        else:
            what = "a tuple of %d %s" % (n, "whole numbers" if self.integer else "numbers")
            if not self.names[0].startswith("["):
                what += " (%s)" % ", ".join(self.names)
        example = self.example or (fmt_seq(range(2, 2 + n)) if self.integer else
                                   fmt_seq([0.5 * (i + 1) for i in range(n)]))
        tolerance = "exact" if self.integer else Numeric(1.0, rtol=self.rtol, atol=self.atol).tolerance_text()
        credit = "; each component earns its share of the points" if self.partial else ""
        return "%s, e.g. `%s`; %s%s." % (what, example, tolerance, credit)

    def read(self, response):
        value = _unwrap(response)
        if value is None or value is Ellipsis:
            raise NoAnswer("No answer given: write a tuple of %d numbers." % len(self.values))
        if isinstance(value, str):
            raise Malformed("You wrote text (%r); write the tuple itself, e.g. %s."
                            % (_shorten(value, 30), fmt_seq(range(1, 1 + len(self.values)))))
        if not isinstance(value, (list, tuple)):
            raise Malformed("Expected a tuple of %d numbers, got %s." % (len(self.values), _describe_type(value)))
        if not value:
            raise NoAnswer("No answer given (an empty tuple): write %d numbers." % len(self.values))
        items = []
        for item in value:
            item = _unwrap(item)
            if isinstance(item, (list, tuple, set, dict)):
                raise Malformed("Expected a flat tuple of numbers, found a nested %s." % type(item).__name__)
            items.append(_number(item, "a number in each position"))
        return tuple(items)

    def parts(self):
        if self.partial:
            return [(name, 1.0) for name in self.names]
        return [("answer", 1.0)]

    def _close(self, a, b):
        return abs(a - b) <= (1e-9 if self.integer else self.atol + self.rtol * abs(b))

    def judge(self, value):
        if len(value) != len(self.values):
            message = "Expected %d values%s, got %d." % (
                len(self.values), "" if self.names[0].startswith("[") else " (%s)" % ", ".join(self.names), len(value))
            return [PartResult(name, weight, False, message) for name, weight in self.parts()]
        oks = [self._close(a, b) for a, b in zip(value, self.values)]
        if self.partial:
            return [PartResult(name, 1.0, ok, "" if ok else "%s = %s is not right." % (name, fmt(v)))
                    for name, ok, v in zip(self.names, oks, value)]
        wrong = [name for name, ok in zip(self.names, oks) if not ok]
        return [PartResult("answer", 1.0, not wrong, "" if not wrong else "%s %s not right." % (
            ", ".join(wrong), "is" if len(wrong) == 1 else "are"))]

    def same(self, a, b):
        return len(a) == len(b) and all(self._close(x, y) for x, y in zip(a, b))

    def key(self):
        return tuple(self.values)

    def show(self):
        return fmt_seq(self.values)

    def equivalent_keys(self):
        return [list(self.values)]

    def malformed_examples(self):
        return [self.values[0], fmt_seq(self.values), [[v] for v in self.values], [str(v) for v in self.values],
                [float("nan")] * len(self.values), [True] * len(self.values)]


class Order(AnswerFormat):
    """A permutation of option letters (e.g. events in chronological order)."""

    kind = "order"

    def __init__(self, items: list[str], order: list[int]):
        self.items = list(items)
        self.order = "".join(LETTERS[i] for i in order)

    def describe(self):
        return "the %d letters in order as one string, e.g. `'%s'`." % (len(self.items), LETTERS[:len(self.items)][::-1])

    def render_options(self):
        return "\n".join("- **%s.** %s" % (LETTERS[i], t) for i, t in enumerate(self.items))

    def read(self, response):
        value = _unwrap(response)
        valid = LETTERS[:len(self.items)]
        if value is None or value is Ellipsis or value == "":
            raise NoAnswer("No answer given: write the letters in order, e.g. '%s'." % valid[::-1])
        if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
            value = "".join(value)
        if not isinstance(value, str):
            raise Malformed("Write the letters in order as one string such as '%s', not %s."
                            % (valid[::-1], _describe_type(value)))
        letters = re.sub(r"[\s,;<>\-]+", "", value).upper()
        if sorted(letters) != sorted(valid):
            raise Malformed("Use each of the letters %s exactly once, e.g. '%s'." % (", ".join(valid), valid[::-1]))
        return letters

    def judge(self, value):
        ok = value == self.order
        return [PartResult("answer", 1.0, ok, "" if ok else "%s is not the right order." % value)]

    def key(self):
        return self.order

    def show(self):
        return repr(self.order)

    def equivalent_keys(self):
        return [list(self.order), ", ".join(self.order), self.order.lower()]

    def malformed_examples(self):
        return [self.order[:-1], self.order + self.order[0], 1234, [1, 2, 3]]


@dataclass
class Requirement:
    """One graded property of a constructor call: ``check(arguments) -> None`` or a complaint."""

    name: str
    check: Callable[[dict], str | None]


class Call(AnswerFormat):
    """A layer constructor call written as text (``"nn.Conv1d(12, 32, kernel_size=5, padding=2)"``)
    or the layer object itself (read through its repr). Read with :func:`parse_call`, never run.
    One part per requirement."""

    kind = "code"

    def __init__(self, signature: Signature, requirements: list[Requirement], example: str):
        self.signature, self.requirements, self.example = signature, list(requirements), example

    def describe(self):
        return ("the constructor call as a string, e.g. `\"nn.%s(...)\"` (literal arguments only; it is read, "
                "not run); each requirement earns its share." % self.signature.name)

    def read(self, response):
        value = response
        if value is None or value is Ellipsis or (isinstance(value, str) and not value.strip()):
            raise NoAnswer("No answer given: write the call as a string, e.g. \"nn.%s(...)\"." % self.signature.name)
        if isinstance(value, dict) and "__opaque__" in value:  # a layer object, as the grader receives it
            kind = str(value["__opaque__"].get("type", "")).rsplit(".", 1)[-1]
            if kind != self.signature.name:
                raise Malformed("Expected nn.%s(...) as a string, got %s." % (self.signature.name, _describe_type(value)))
            value = str(value["__opaque__"].get("repr", ""))
        elif not isinstance(value, str):
            if type(value).__name__ == self.signature.name and type(value).__module__.startswith("torch"):
                value = repr(value)  # a layer object, in the practice notebook
            else:
                raise Malformed("Write the call as a string, e.g. \"nn.%s(...)\", not %s."
                                % (self.signature.name, _describe_type(value)))
        return parse_call(value, self.signature)

    def parts(self):
        return [(r.name, 1.0) for r in self.requirements]

    def judge(self, value):
        results = []
        for requirement in self.requirements:
            try:
                complaint = requirement.check(value)
            except (TypeError, ValueError, ZeroDivisionError, OverflowError) as error:
                complaint = "the arguments do not make sense here (%s)." % error
            results.append(PartResult(requirement.name, 1.0, complaint is None, complaint or ""))
        return results

    def same(self, a, b):
        return a == b

    def key(self):
        return self.example

    def show(self):
        return self.example

    def malformed_examples(self):
        name = self.signature.name
        return ["nn.%s(" % name, "__import__('os').system('true')", "nn.%s(**kwargs)" % name, "nn.Linear(3, 4)",
                "nn.%s(in_size, 4)" % name, "nn.%s(1, 2, kernal_size=3)" % name, 42, ["nn.%s(1, 2)" % name]]


# --------------------------------------------------------------------------- questions

@dataclass(frozen=True)
class Misconception:
    """A typical wrong answer, declared as functions of a variant's parameters.

    ``answer(params)`` gives the response a student with this misconception writes
    (``None`` when it does not apply to this variant, e.g. when it would coincide with
    the right answer); ``message`` explains it; ``score`` is the credit that response
    must earn (0 unless part of it is right).
    """

    name: str
    answer: Callable[[dict], Any]
    message: str | Callable[[dict], str]
    score: float | Callable[[dict], float] = 0.0


@dataclass(frozen=True)
class Mistake:
    """A misconception evaluated for one variant (``value``: the response as the format reads it)."""

    name: str
    response: Any
    message: str
    score: float
    value: Any = None


@dataclass
class Variant:
    """One instance of a question, as a generator returns it."""

    text: str
    answer: AnswerFormat
    explanation: str
    params: dict = field(default_factory=dict)
    # Filled in by Question.generate:
    question: "Question | None" = None
    seed: Any = None
    mistakes: list[Mistake] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.question.id if self.question else "?"

    def markdown(self, heading: str | None = None) -> str:
        """The question as a student sees it: text, options, answer format. Never the answer."""
        title = heading if heading is not None else "**%s**" % (self.question.title if self.question else "")
        blocks = [title, self.text.strip()]
        options = self.answer.render_options()
        if options:
            blocks.append(options)
        blocks.append("*Answer:* %s" % self.answer.describe())
        return "\n\n".join(b for b in blocks if b)


@dataclass
class Question:
    """A registered generator (see :func:`question`)."""

    id: str
    title: str
    generator: Callable[[random.Random], Variant]
    misconceptions: tuple[Misconception, ...] = ()

    @property
    def topic(self) -> str:
        return self.id.split(".", 1)[0]

    def generate(self, seed: Any) -> Variant:
        """The variant for ``seed`` (an int or a string): the same seed, the same variant."""
        rng = random.Random("%s|%s" % (self.id, seed))
        variant = self.generator(rng)
        variant.question, variant.seed = self, seed
        mistakes = []
        for m in self.misconceptions:
            response = m.answer(variant.params)
            if response is None:
                continue
            message = m.message(variant.params) if callable(m.message) else m.message
            score = m.score(variant.params) if callable(m.score) else m.score
            mistakes.append(Mistake(m.name, response, message, float(score)))
        automatic = getattr(variant.answer, "misconceptions", None)
        if automatic:
            mistakes.extend(automatic())
        # A misconception that leads to the right answer for these parameters cannot be told
        # apart from understanding; it does not apply to this variant.
        # Two misconceptions leading to the same answer are told apart by neither grader nor
        # student: the first declared explains it.
        spec = variant.answer
        seen = [spec.read(spec.key())]
        kept: list[Mistake] = []
        for mistake in mistakes:
            try:
                value = spec.read(mistake.response)
            except Malformed:
                continue  # an unreadable response is diagnosed as malformed, not as this misconception
            if not any(spec.same(value, other) for other in seen):
                seen.append(value)
                kept.append(Mistake(mistake.name, mistake.response, mistake.message, mistake.score, value))
        variant.mistakes = kept
        return variant


#: Every registered question, by id (``"<topic>.<name>"``), in registration order.
QUESTIONS: dict[str, Question] = {}


def question(question_id: str, title: str, misconceptions: list[Misconception] | tuple = ()):
    """Register a generator ``rng -> Variant`` as a question of the bank."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*", question_id):
        raise ValueError("question ids look like 'topic.name', got %r" % question_id)

    def register(generator):
        if question_id in QUESTIONS:
            raise ValueError("question %s registered twice" % question_id)
        QUESTIONS[question_id] = Question(question_id, title, generator, tuple(misconceptions))
        return generator

    return register


# --------------------------------------------------------------------------- grading

@dataclass
class Grade:
    """The verdict on one response: ``score`` in [0, 1], one :class:`PartResult` per part.

    ``diagnosis`` is ``"correct"``, the name of the recognised misconception, ``"wrong"``,
    ``"malformed"`` or ``"no answer"``.
    """

    score: float
    parts: list[PartResult]
    diagnosis: str
    message: str

    @property
    def correct(self) -> bool:
        return self.diagnosis == "correct"

    def part(self, name: str) -> PartResult:
        return next(p for p in self.parts if p.name == name)


def grade(variant: Variant, response: Any) -> Grade:
    """Score ``response`` for ``variant``. Never raises: unreadable responses score 0."""
    spec = variant.answer
    try:
        value = spec.read(response)
    except Malformed as error:
        message = str(error)
        return Grade(0.0, [PartResult(n, w, False, message) for n, w in spec.parts()], error.diagnosis, message)
    except Exception as error:  # noqa: BLE001 - a response must never crash grading
        message = "Your answer could not be read (%s: %s)." % (type(error).__name__, _shorten(str(error), 60))
        return Grade(0.0, [PartResult(n, w, False, message) for n, w in spec.parts()], "malformed", message)
    parts = spec.judge(value)
    total = sum(p.weight for p in parts)
    score = sum(p.weight for p in parts if p.ok) / total if total else 0.0
    if all(p.ok for p in parts):
        return Grade(1.0, parts, "correct", "Correct.")
    mistake = _recognise(variant, value)
    if mistake is not None:
        message = mistake.message
        if len(parts) == 1:
            parts = [PartResult(parts[0].name, parts[0].weight, False, message)]
        return Grade(score, parts, mistake.name, message)
    message = " ".join(p.message for p in parts if not p.ok and p.message) if len(parts) == 1 else \
        "%d of %d parts are right." % (sum(p.ok for p in parts), len(parts))
    return Grade(score, parts, "wrong", message)


def _recognise(variant: Variant, value: Any) -> Mistake | None:
    return next((m for m in variant.mistakes if variant.answer.same(value, m.value)), None)
