"""Reading notes on arXiv papers."""

__version__ = "0.1.0"
