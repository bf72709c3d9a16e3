"""Midterm practice and exam: a bank of parameterised, auto-graded questions.

- :mod:`.bank`: questions, variants, answer formats, grading (standard library only).
- :mod:`.topics`: one generator module per course topic.
- :mod:`.selftest`: every question tests itself over many seeds.
- :mod:`.practice`: the student-side practice API (copied into the practice release).
- :mod:`.exam`: the exam definition, per-student variants, notebook template and
  personalised notebooks, and the checks that grade them.
- :mod:`.generated`: the files generated from the bank and the exam (source notebook,
  practice bank), kept in sync by ``coursekit midterm sync``.
- :mod:`.analysis`: item analysis of a graded exam.
- :mod:`.cli`: ``coursekit questions ...`` and ``coursekit midterm ...``.

See ``docs/midterm.md``.
"""
