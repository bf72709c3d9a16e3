"""Catalogues of wrong implementations students really write, one module per topic.

Each module holds ``MUTANTS = [Mutant(name, check_id, source), ...]`` (see ``grader_tests/kit.py``);
the topic's tests prove every mutant loses points on several seeds.
"""
