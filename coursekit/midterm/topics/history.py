"""History of the field: who did what, and when."""

from __future__ import annotations

from ..bank import Choice, Integer, Misconception, Option, Order, Variant, question, shuffled

#: key -> (event, year, people, the year students confuse it with, why)
EVENTS = {
    "mcculloch_pitts": ("the first mathematical model of a neuron (threshold logic units)", 1943,
                        "Warren McCulloch and Walter Pitts", None, ""),
    "perceptron": ("the perceptron, a neuron that learns its weights from examples", 1958, "Frank Rosenblatt", 1969,
                   "1969 is Minsky and Papert's book *Perceptrons*, the critique that followed"),
    "perceptrons_book": ("the book *Perceptrons*, proving that a single-layer perceptron cannot compute XOR", 1969,
                         "Marvin Minsky and Seymour Papert", 1958, "1958 is Rosenblatt's perceptron itself"),
    "backprop": ("backpropagation popularised for training multi-layer networks (a Nature paper)", 1986,
                 "David Rumelhart, Geoffrey Hinton and Ronald Williams", 1997, "1997 is the LSTM"),
    "lstm": ("the long short-term memory (LSTM) cell", 1997, "Sepp Hochreiter and Jürgen Schmidhuber", 1986,
             "1986 is the backpropagation paper"),
    "alexnet": ("AlexNet winning the ImageNet challenge by a wide margin with a GPU-trained CNN", 2012,
                "Alex Krizhevsky, Ilya Sutskever and Geoffrey Hinton", 2015, "2015 is ResNet"),
    "resnet": ("ResNet, residual networks with skip connections, more than 100 layers deep", 2015,
               "Kaiming He, Xiangyu Zhang, Shaoqing Ren and Jian Sun", 2012, "2012 is AlexNet"),
    "transformer": ("the Transformer ('Attention is all you need')", 2017, "Ashish Vaswani and colleagues at Google",
                    None, ""),
}
#: The four milestones the course insists on.
CORE = ("perceptron", "backprop", "alexnet", "resnet")


@question("history.year", "When did it happen?", misconceptions=[
    Misconception("confuses_neighbouring_milestone", lambda p: EVENTS[p["event"]][3],
                  lambda p: "You gave the year of a neighbouring milestone: %s." % EVENTS[p["event"]][4]),
])
def year(rng) -> Variant:
    key = rng.choice(CORE + ("perceptrons_book", "lstm"))
    event, when, people, _confused, _why = EVENTS[key]
    return Variant(
        text="In which year did this happen?\n\n> %s%s, by %s." % (event[0].upper(), event[1:], people),
        answer=Integer(when, unit="a year"),
        explanation="%d: %s, by %s." % (when, event, people),
        params={"event": key},
    )


@question("history.order", "Put the milestones in order", misconceptions=[
    Misconception("swaps_closest_pair", lambda p: p["swapped"],
                  "Two milestones are swapped; the years are in the explanation."),
])
def order(rng) -> Variant:
    keys = rng.sample(sorted(EVENTS), 4)
    items = [EVENTS[k][0][0].upper() + EVENTS[k][0][1:] for k in keys]
    years = [EVENTS[k][1] for k in keys]
    chronological = sorted(range(4), key=lambda i: years[i])
    letters = "ABCD"
    right = "".join(letters[i] for i in chronological)
    gaps = [years[chronological[j + 1]] - years[chronological[j]] for j in range(3)]
    j = gaps.index(min(gaps))
    swapped = right[:j] + right[j + 1] + right[j] + right[j + 2:]
    return Variant(
        text="Put these milestones in chronological order, earliest first.",
        answer=Order(items, chronological),
        explanation="; ".join("%s: %d" % (letters[i], years[i]) for i in chronological) + ".",
        params={"events": keys, "swapped": swapped},
    )


@question("history.who", "Who introduced it?")
def who(rng) -> Variant:
    key = rng.choice(CORE + ("lstm", "perceptrons_book", "mcculloch_pitts"))
    event, when, people, _confused, _why = EVENTS[key]
    others = [k for k in EVENTS if EVENTS[k][2] != people]
    distractors = rng.sample(others, 3)
    options = [Option(people, True)] + [
        Option(EVENTS[k][2], False, "No: %s introduced %s (%d)." % (EVENTS[k][2], EVENTS[k][0], EVENTS[k][1]),
               "confuses_milestones" if {k, key} in ({"alexnet", "resnet"}, {"perceptron", "perceptrons_book"},
                                                     {"backprop", "lstm"}) else None)
        for k in distractors]
    return Variant(
        text="Whose work is this?\n\n> %s%s (%d)." % (event[0].upper(), event[1:], when),
        answer=Choice(shuffled(rng, options)),
        explanation="%s, in %d." % (people, when),
        params={"event": key},
    )
