"""A note file read into the row the index keeps for it: record, listing columns, tokens."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

import orjson

from papernotes.errors import PapernotesError
from papernotes.index.database import Row
from papernotes.note import Note
from papernotes.store import NoteStore, Stamp
from papernotes.tex import to_unicode
from papernotes.text import CELL, STOPWORDS, fold, stem, terms, words


def searched_texts(note: Note) -> tuple[str, ...]:
    """The text of each field search looks in, in the order of `fields.FIELDS`.

    TeX is read as the characters it stands for, so `Renyi` finds `R\\'{e}nyi`.
    """
    names = " ".join(to_unicode(a.name) for a in note.authors)
    source = (note.doi, note.arxiv, note.url, note.container, note.publisher, note.site)
    extra = [note.id, host_of(note), *(t for t in source if t), *note.links]
    extra.append(to_unicode(note.journal_ref or ""))
    title = f"{note.title}: {note.subtitle}" if note.subtitle else note.title
    return (
        to_unicode(title),
        note.tldr,
        " ".join(note.tags),
        names,
        "\n".join([*note.findings, note.commentary]),
        to_unicode(note.abstract),
        " ".join([*extra, to_unicode(note.comment or ""), *note.categories]),
        names,
    )


def note_row(
    name: str, stamp: Stamp, note: Note, vocabulary: dict[str, str], seen: set[str]
) -> Row:
    """The row of a readable note; the words whose stem differs go into `vocabulary`
    (`seen`: the words looked at already)."""
    texts = searched_texts(note)
    tokens = []
    for text in texts[:-1]:
        found = words(text)
        tokens.append(" ".join(terms(found)))
        for word in set(found) - seen:
            seen.add(word)
            if word not in STOPWORDS and stem(word) != word:
                vocabulary[word] = stem(word)
    tokens.append(" ".join(words(texts[-1])))  # names: as written, for `author:`
    categories = [c for c in dict.fromkeys([note.primary_category, *note.categories]) if c]
    values = (
        name,
        *stamp,
        note.id,
        name == f"{note.ref.stem}.yaml",
        None,
        note.published,
        note.added,
        note.year,
        _listed(texts[0]),
        _listed(to_unicode(note.authors[0].name)) if note.authors else None,
        len(note.authors) > 1,
        _listed("\n".join(note.tags)),
        _json([fold(t) for t in note.tags]),
        _json(categories),
        note.pending,
        note.kind,
        host_of(note),
    )
    return Row(values, orjson.dumps(note.to_dict()), tuple(tokens))


def host_of(note: Note) -> str:
    """The host a note's link is on, without `www.` (`site:` matches it); arXiv's for an
    arXiv note without one."""
    if not note.url:
        return "arxiv.org" if note.kind == "arxiv" else ""
    host = urlsplit(note.url).hostname or ""
    return host.removeprefix("www.")


def _listed(text: str) -> str:
    """Text for a listing column: CELL, which joins a listed line's cells, shown as `\\x1f`."""
    return text.replace(CELL, "\\x1f")


def _json(value: list[str]) -> str:
    return orjson.dumps(value).decode()


def broken_row(name: str, stamp: Stamp, error: str) -> Row:
    """The row of a file that could not be read: only its stamp and what is wrong."""
    return Row((name, *stamp, None, False, error, *([None] * 12)), None, None)


def read_rows(root: str, files: Sequence[tuple[str, Stamp]]) -> tuple[list[Row], dict[str, str]]:
    """Read these note files into rows (a worker process runs this for a batch)."""
    vocabulary: dict[str, str] = {}
    seen: set[str] = set()
    store = NoteStore(Path(root))
    rows = []
    for name, stamp in files:
        try:
            rows.append(note_row(name, stamp, store.load(name), vocabulary, seen))
        except PapernotesError as err:  # broken, unreadable, or removed since the listing
            rows.append(broken_row(name, stamp, str(err)))
        except orjson.JSONEncodeError as err:
            # note.py admits only values JSON can hold; should one slip through, it fails
            # its own note, not the sync of every command
            path = store.root / name
            rows.append(broken_row(name, stamp, f"{path}: holds a value JSON cannot hold ({err})"))
    return rows, vocabulary
