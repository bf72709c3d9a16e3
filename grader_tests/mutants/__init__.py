"""The capstone's catalogue of wrong implementations (``af_cnn.py``), until it moves into
``reference/af_cnn/wrong.py``. Every other assignment keeps its catalogue in its unit,
``reference/<topic>/wrong.py``.
"""
