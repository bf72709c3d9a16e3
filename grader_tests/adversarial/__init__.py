"""The adversarial corpus: submissions that attack or break the grader, with their exact grades."""
