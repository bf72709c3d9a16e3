"""The capstone's hidden checks (``af_cnn.py``), until they move into ``reference/af_cnn/checks.py``.

Every other assignment keeps its checks in its unit, ``reference/<topic>/checks.py``.
"""
