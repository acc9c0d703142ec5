"""Data derived from the note files, kept current by one sync pass.

`Collection` is the face the commands use: sync, list entries, read records, search,
find and remove a note's file. Inside: `sync` (the pass), `rows` (a note file into the
row the index keeps), `database` (`.index.sqlite`: records and FTS5), `query` (a parsed
search run on it), `tinydb_file` (`.index.json`, TinyDB's layout, for use from Python).
"""

from papernotes.index.collection import Collection, Entry
from papernotes.index.sync import SyncReport

__all__ = ["Collection", "Entry", "SyncReport"]
