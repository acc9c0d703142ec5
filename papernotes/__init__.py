"""Reading notes on papers and pages."""

__version__ = "0.1.0"
