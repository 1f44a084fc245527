"""nntutor's engine: quantity graphs, answers, lessons and progress. No UI imports."""

__version__ = "0.1.0"
