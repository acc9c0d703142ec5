"""Errors a user can act on: each message is ready to print as one line."""

from __future__ import annotations


class PapernotesError(Exception):
    """Base class: the message names the input and what to do; `exit_code` is for the CLI."""

    exit_code = 1


class UsageError(PapernotesError):
    """A setting or argument is malformed."""

    exit_code = 2


class InvalidIdError(PapernotesError):
    """Not an arXiv identifier in any form papernotes understands."""


class NoteNotFoundError(PapernotesError):
    """No note exists for the requested paper."""


class NoteFileError(PapernotesError):
    """A note file cannot be read: bad YAML or a value of the wrong type."""


class NoteYamlError(NoteFileError):
    """A note file is not valid YAML (the message names the line)."""


class SourceUnavailableError(PapernotesError):
    """A metadata source did not answer usefully after every retry (the message names it)."""


class ArxivUnavailableError(SourceUnavailableError):
    """arXiv did not answer usefully after every retry (network, HTTP error, not an Atom feed)."""


class WebAnswerError(PapernotesError):
    """A fetched web answer is not what was asked for: not a web page, not a repository."""
