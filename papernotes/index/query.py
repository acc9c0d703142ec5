"""A parsed query (`search.Query`) run on `.index.sqlite`: FTS5 for words, SQL for filters.

Words, phrases and prefixes, with AND, OR and NOT among them, become one FTS5 MATCH
expression ranked by FTS5's BM25 with the fields' weights; filters (and any part FTS5
cannot say alone, like `tag:x OR vae`) become SQL conditions on the `notes` table. The
best matches are then ordered in Python by score, ties to the newest paper: FTS5 cannot
be relied on for "score, then date" in one query.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from papernotes.fields import WEIGHTS
from papernotes.index.database import Database
from papernotes.search import All, Either, Filter, Node, Not, Query, Words

_BM25 = f"bm25(fulltext, {', '.join(str(w) for w in WEIGHTS.values())})"
_LAST = "\U0010ffff"  # sorts after every character: the end of a prefix's range


@dataclass
class Hit:
    """A note that matched: its row in the index and its score (higher is better)."""

    rowid: int
    score: float


class Compiler:
    """Turns a query tree into FTS5 expressions and SQL conditions for one database."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._expressions: dict[Words, str] = {}  # a prefix's costs a look-up of its words

    def match(self, node: Node) -> str | None:
        """An FTS5 expression for `node`, or None where FTS5 cannot express it alone."""
        if isinstance(node, Words):
            if node not in self._expressions:
                self._expressions[node] = self._words(node)
            return self._expressions[node]
        if isinstance(node, Either):
            parts = [self.match(n) for n in node.nodes]
            return None if None in parts else "(" + " OR ".join(map(str, parts)) + ")"
        if isinstance(node, All):
            wanted = [self.match(n) for n in node.nodes if not isinstance(n, Not)]
            unwanted = [self.match(n.node) for n in node.nodes if isinstance(n, Not)]
            if not wanted or None in wanted or None in unwanted:
                return None
            expression = "(" + " AND ".join(map(str, wanted)) + ")"
            if unwanted:
                expression = f"({expression} NOT ({' OR '.join(map(str, unwanted))}))"
            return expression
        return None  # a filter, or a NOT standing alone

    def condition(self, node: Node, params: list[object]) -> str:
        """An SQL condition on the `notes` row `n` for `node`, adding its parameters."""
        expression = self.match(node)
        if expression is not None:
            params.append(expression)
            return "n.rowid IN (SELECT rowid FROM fulltext WHERE fulltext MATCH ?)"
        if isinstance(node, Not):
            return f"NOT ({self.condition(node.node, params)})"
        if isinstance(node, All | Either):
            joiner = " AND " if isinstance(node, All) else " OR "
            return "(" + joiner.join(self.condition(n, params) for n in node.nodes) + ")"
        assert isinstance(node, Filter)
        return filter_condition(node, params)

    def _words(self, words: Words) -> str:
        columns = "{" + " ".join(words.fields) + "}"
        if not words.prefix:
            return f'{columns} : "{" ".join(words.tokens)}"'
        # Tokens are stems: `generaliz*` must also find the stem `general` of the words
        # starting with it, not only the stems that start with it.
        (prefix,) = words.tokens
        stems = self.database.select(
            "SELECT DISTINCT stem FROM words WHERE word >= ? AND word < ? "
            "AND NOT (stem >= ? AND stem < ?)",
            (prefix, prefix + _LAST, prefix, prefix + _LAST),
        )
        alternatives = [f'"{prefix}"*', *(f'"{stem}"' for (stem,) in stems)]
        return f"{columns} : ({' OR '.join(alternatives)})"


def filter_condition(found: Filter, params: list[object]) -> str:
    """An SQL condition on the `notes` row `n` for a filter, adding its parameters."""
    if found.kind == "year":
        params.extend(found.years)
        return "coalesce(n.year BETWEEN ? AND ?, 0)"
    if found.kind == "id":
        params.extend([found.value, len(found.value), found.value])
        return "(n.id = ? OR substr(lower(n.id), 1, ?) = ?)"
    if found.kind == "kind":
        params.append(found.value)
        return "n.kind = ?"
    if found.kind == "site":  # the host, or one below it: site:github.com finds gist.github.com
        params.extend([found.value, len(found.value) + 1, "." + found.value])
        return "(n.host = ? OR substr(n.host, -?) = ?)"
    if found.kind == "tag":
        if found.value.endswith("*"):
            stem = found.value[:-1]
            params.extend([len(stem), stem])
            test = "substr(value, 1, ?) = ?"
        else:
            params.append(found.value)
            test = "value = ?"
        return f"EXISTS (SELECT 1 FROM json_each(n.folded_tags) WHERE {test})"
    # cat: the category, or any below it (`cs` finds cs.LG)
    params.extend([found.value, len(found.value) + 1, found.value + "."])
    return (
        "EXISTS (SELECT 1 FROM json_each(n.categories) "
        "WHERE lower(value) = ? OR substr(lower(value), 1, ?) = ?)"
    )


def run(database: Database, query: Query, limit: int | None) -> tuple[list[Hit], int]:
    """The best `limit` matches (all with None), best first, and how many matched in all."""
    compiler = Compiler(database)
    nodes = query.root.nodes
    in_text = [n for n in nodes if compiler.match(n.node if isinstance(n, Not) else n)]
    main = compiler.match(All(tuple(in_text))) if in_text else None
    rest = [n for n in nodes if n not in in_text] if main else list(nodes)
    params: list[object] = []
    where = "".join(f" AND {compiler.condition(n, params)}" for n in rest)
    total = None
    if main is not None:
        found = (
            "FROM fulltext JOIN notes n ON n.rowid = fulltext.rowid "
            f"WHERE fulltext MATCH ? AND n.shown{where}"
        )
        chosen = f"SELECT n.rowid, -{_BM25}, n.published, n.id {found}"
        rows = []
        if limit is not None:  # SQLite picks the best few: fetching every match costs more
            rows = database.select(f"{chosen} ORDER BY {_BM25} LIMIT ?", [main, *params, 2 * limit])
            if len(rows) < 2 * limit:
                total = len(rows)
            elif _score(rows[limit - 1]) != _score(rows[-1]):  # no tie reaches past them
                total = database.select(f"SELECT count(*) {found}", [main, *params])[0][0]
        if total is None:
            rows = database.select(chosen, [main, *params])
    else:
        rows = database.select(
            f"SELECT n.rowid, 0.0, n.published, n.id FROM notes n WHERE n.shown{where}", params
        )
        rows = _scored(database, compiler, query, rows)

    def order(row: tuple[int, float, str | None, str]) -> tuple[float, str, str]:
        return _score(row), row[2] or "", row[3]

    best = heapq.nlargest(limit or len(rows), rows, key=order)
    return [Hit(row[0], row[1]) for row in best], len(rows) if total is None else total


def _score(row: tuple[int, float, str | None, str]) -> float:
    """Rounded to 9 digits, so float noise cannot split a tie the date should break."""
    return float(f"{row[1]:.9g}")


def _scored(
    database: Database, compiler: Compiler, query: Query, rows: list[tuple[int, float, str, str]]
) -> list[tuple[int, float, str, str]]:
    """Rows found by SQL alone, scored by the words they may contain (`vae OR tag:x`)."""
    wanted = [compiler.match(w) for w in query.wanted()]
    if not rows or not wanted:
        return rows
    scores = dict(
        database.select(
            f"SELECT rowid, -{_BM25} FROM fulltext WHERE fulltext MATCH ?",
            [" OR ".join(map(str, wanted))],
        )
    )
    return [(r[0], scores.get(r[0], 0.0), r[2], r[3]) for r in rows]
