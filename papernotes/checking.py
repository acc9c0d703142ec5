"""`check`: every problem a notes folder can have, found without changing anything."""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

from papernotes.editing import BASE_SUFFIX, DRAFT_SUFFIX
from papernotes.errors import NoteFileError, NoteYamlError
from papernotes.ids import id_from_stem
from papernotes.merging import conflicted_fields
from papernotes.note import Note, load_note
from papernotes.store import KIND_FOLDERS, NoteStore

# A temporary file older than this is not a write in progress but one a crash interrupted.
STALE_TEMPORARY_SECONDS = 600
# arXiv opened in August 1991: a paper published or updated before that year is a typo.
FIRST_YEAR = 1991


@dataclass
class Finding:
    """One problem (an error) or something to look at (a warning) in one file."""

    file: str
    severity: str  # "error" or "warning"
    # yaml, schema, date, conflict, name, duplicate, pending, draft, temporary, unreadable
    kind: str
    message: str

    def to_dict(self) -> dict[str, str]:
        """Plain data for `--json`."""
        return asdict(self)


@dataclass
class CheckReport:
    """All findings, and how many notes were looked at."""

    checked: int
    findings: list[Finding]

    @property
    def errors(self) -> list[Finding]:
        """The findings that make `check` fail."""
        return [f for f in self.findings if f.severity == "error"]


def check_notes(store: NoteStore, *, today: dt.date | None = None) -> CheckReport:
    """Read every note file as the commands would, and report what is wrong with each.

    `today` (UTC's by default) decides which years are in the future.
    """
    this_year = (today or dt.datetime.now(dt.timezone.utc).date()).year
    findings: list[Finding] = []
    ids: defaultdict[str, list[str]] = defaultdict(list)
    own_files: dict[str, str] = {}  # a note's id -> the file named after it
    names = sorted(store.note_names())
    for name in names:
        path = store.root / name
        try:
            note = load_note(path.read_text(encoding="utf-8"), str(path))
        except NoteFileError as err:
            kind = "yaml" if isinstance(err, NoteYamlError) else "schema"
            findings.append(Finding(str(path), "error", kind, str(err).removeprefix(f"{path}: ")))
            continue
        except (OSError, UnicodeDecodeError) as err:
            findings.append(Finding(str(path), "error", "unreadable", f"cannot be read ({err})"))
            continue
        ids[note.id].append(str(path))
        findings.extend(Finding(str(path), "error", "date", p) for p in _dates(note, this_year))
        findings.extend(
            Finding(
                str(path),
                "error",
                "conflict",
                f"{key}: a merge conflict is left in it (the lines between <<<<<<< and >>>>>>>); "
                "keep one side and delete the markers",
            )
            for key in conflicted_fields(note)
        )
        expected = f"{note.ref.stem}.yaml"
        own_files[note.id] = str(store.root / expected)
        if name != expected:
            fix = (
                f"{expected} exists already: merge the two by hand"
                if (store.root / expected).exists()
                else f"rename it to {expected}, where commands look for it"
            )
            findings.append(Finding(str(path), "error", "name", f"holds {note.id}; {fix}"))
        if note.pending:
            findings.append(
                Finding(
                    str(path),
                    "warning",
                    "pending",
                    "metadata pending: run `papernotes refresh --pending` to fill it in",
                )
            )
    for paper, files in ids.items():
        files.sort(key=lambda f: f != own_files[paper])  # the correctly named file is the original
        for extra in files[1:]:
            findings.append(
                Finding(extra, "error", "duplicate", f"{paper} also has a note in {files[0]}")
            )
    drafts = (
        d for folder in ("", *KIND_FOLDERS) for d in (store.root / folder).glob(f".*{DRAFT_SUFFIX}")
    )
    for draft in sorted(drafts):
        if draft.name.endswith(BASE_SUFFIX):  # the record of what a draft began from
            if not draft.with_name(draft.name.removesuffix(BASE_SUFFIX) + DRAFT_SUFFIX).exists():
                findings.append(
                    Finding(
                        str(draft),
                        "warning",
                        "draft",
                        "left by an edit whose draft is gone; it can be deleted",
                    )
                )
            continue
        draft_of = _draft_of(draft)
        reopen = f"`papernotes edit {draft_of}` reopens it" if draft_of else "delete it if unwanted"
        findings.append(Finding(str(draft), "warning", "draft", f"an unsaved edit: {reopen}"))
    stale = time.time() - STALE_TEMPORARY_SECONDS
    for temporary in sorted(store.root.glob(".*.tmp")):
        with contextlib.suppress(OSError):  # a write finishing right now removes its own
            if temporary.stat().st_mtime < stale:
                findings.append(
                    Finding(
                        str(temporary),
                        "warning",
                        "temporary",
                        "left by an interrupted write; commands ignore it, it can be deleted",
                    )
                )
    return CheckReport(len(names), findings)


def _dates(note: Note, this_year: int) -> list[str]:
    """What is wrong with arXiv's dates of a note (the note's reading made them ISO dates)."""
    problems = []
    for key in ("published", "updated"):
        value: str | None = getattr(note, key)
        if value is None:
            continue
        year = int(value[:4])
        if FIRST_YEAR <= year <= this_year:
            continue
        when = f"before arXiv began ({FIRST_YEAR})" if year < FIRST_YEAR else "in the future"
        problems.append(
            f"'{key}' {value} is {when}: fix the year, or run "
            f"`papernotes refresh {note.id}` to take arXiv's"
        )
    return problems


def _draft_of(draft: Path) -> str | None:
    """The id of the note a draft is an edit of: its file's name says, or (in `doi/` and
    `link/`, whose names are cut and hashed) the note beside it."""
    stem = draft.name[1 : -len(DRAFT_SUFFIX)]
    if draft.parent.name not in KIND_FOLDERS:
        found = id_from_stem(stem)
        return found.base if found else None
    try:
        return load_note(draft.with_name(f"{stem}.yaml").read_text(encoding="utf-8"), "").id
    except (OSError, UnicodeDecodeError, NoteFileError):
        return None
