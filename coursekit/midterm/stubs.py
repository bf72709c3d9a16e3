"""Release the exam's answer cells as ``answer_qNN = None``, not as nbgrader's ``raise`` stub.

An exam answer cell in ``source/`` reads::

    # Your answer to question 1 (see the question for the format):
    answer_q01 = None
    ### BEGIN SOLUTION
    answer_q01 = 'C'
    ### END SOLUTION

nbgrader's ``ClearSolutions`` replaces the solution region with its code stub (``# YOUR CODE
HERE`` / ``raise NotImplementedError()``). For a function that is right: calling it says "not
implemented yet". For an exam answer it is not: the cell would stop *Run All* at the first
unanswered question. :class:`ExamAnswerStubs` runs after ``ClearSolutions`` in
``generate_assignment`` (``nbgrader_config.py``) and removes that stub from the cells marked
``metadata.coursekit.midterm.role == "answer"``, leaving ``answer_qNN = None``: the question's
test cell then says "question N has no answer yet". Personalised copies
(:func:`coursekit.midterm.exam.personalise`) get the same cell.
"""

from __future__ import annotations

import re

from nbgrader.preprocessors import NbGraderPreprocessor


def is_exam_answer(cell) -> bool:
    return cell.get("metadata", {}).get("coursekit", {}).get("midterm", {}).get("role") == "answer"


#: The line every exam answer cell holds before its solution region (exam.template writes it).
UNANSWERED = re.compile(r"^answer_q\d+ = None$")


class ExamAnswerStubs(NbGraderPreprocessor):
    """Cut exam answer cells after their ``answer_qNN = None`` line: whatever code stub
    ``ClearSolutions`` put after it (its default or an instructor's own) goes."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and is_exam_answer(cell):
            lines = cell.source.split("\n")
            ends = [i for i, line in enumerate(lines) if UNANSWERED.match(line.strip())]
            if ends:
                cell.source = "\n".join(lines[:ends[0] + 1])
        return cell, resources
