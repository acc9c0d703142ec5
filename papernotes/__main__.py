"""Run papernotes as ``python -m papernotes``."""

from papernotes.cli import main

main()
