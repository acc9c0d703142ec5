r"""TeX in arXiv's metadata read as the characters it stands for: `R\'{e}nyi` is `Rényi`.

arXiv keeps titles, abstracts, names, comments and journal references as their authors typed
them, TeX accents and all. `to_unicode` is how they are shown and searched; the notes keep
arXiv's text as it is (and BibTeX export keeps the TeX, which is what BibTeX wants).

What it does, on top of pylatexenc's `latex2text` (imported only when a text has TeX in it):

- Accents, special letters, escaped specials, `--`, `---`, ``` ``quotes'' ``` become
  Unicode; braces that only group (`{\"u}`, `{BERT}`) disappear.
- Math is kept exactly as written (`$\alpha$-stable`, `$$x^2$$`, `\(x\)`), inline and in
  place: spelled out as text (`α-stable`, `x^2`) it would often read as something else.
  So are the braces of `^{...}` and `_{...}` written outside math (`1^{+1.39}_{-0.59}`).
- What plain text in an abstract means is kept: `95%` is not a comment, `&` is not a table
  column, `~100` is not a non-breaking space, an unmatched `{`, `}` or `$` and a backslash at
  the end stay where they are. Spaces and line breaks are those of the text.
- A macro pylatexenc does not know is never dropped: one whose arguments it parses gives
  their text (`\texttt{x}` is `x`); any other is kept as written, with the braced groups
  right after it (`\Msun`, `\ion{Fe}{II}`), as are `\cite{...}`-like references and an
  accent missing its letter.
- It never raises: if pylatexenc cannot read a text at all, the text is returned as it is.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

# Characters of the text pylatexenc would misread stand in as noncharacters (never found in
# text from outside) while it parses, and are put back afterwards.
_STAND_INS = {
    "%": "\ufdd0",
    "{": "\ufdd1",
    "}": "\ufdd2",
    "\\": "\ufdd3",
    "$": "\ufdd4",
    "[": "\ufdd5",
}
_PUT_BACK = str.maketrans({v: k for k, v in _STAND_INS.items()})
_STAND_IN_CHARS = "".join(_STAND_INS.values())
# What `_prepared` looks at: control sequences, `$`, `%`, braces, `[`, and the specials of
# two characters. (Each alternative starts with a literal character: `re` skips ahead faster.)
_TOKEN = re.compile(r"\\(?:[A-Za-z@]+|.)?|\$|%|\{|\}|\[|--|''|``|!`|\?`", re.DOTALL)
_NOT_SPACE = re.compile(r"\S")
_SPACES = " \n\t"  # where pieces may end (other white space is only kept)
_JOIN = 24  # characters between spans that cost less to convert than one more call
_CLOSING_BRACKET = re.compile(r"(?<!\\)]")
_MATH_ENDS = {"$": "$", "$$": "$$", "\\(": "\\)", "\\[": "\\]"}
_MATH_DELIMITERS = frozenset(("\\(", "\\[", "\\)", "\\]"))
_MAX_RESCANS = 20  # for math that never ends: more is not text but a puzzle
# Macros whose arguments or extent may run on past white space: a text with one of them is
# read by pylatexenc as a whole rather than piece by piece.
_WHOLE = frozenset(
    ("\\begin", "\\end", "\\verb", "\\def", "\\newcommand", "\\renewcommand", "\\providecommand")
)
# Macros pylatexenc replaces by a placeholder (`<cit.>`): kept as written instead.
_AS_WRITTEN = ("ref", "autoref", "cref", "Cref", "eqref", "cite", "citet", "citep")
# Logos pylatexenc does not know, followed by the space after them as written (TeX would
# take `\LaTeX is` to be `LaTeXis`, which nobody means in an abstract).
_WORDS = {"LaTeX": "LaTeX", "TeX": "TeX", "LaTeXe": "LaTeX2ε", "BibTeX": "BibTeX"}
# Macros that only change the look or spacing of what follows (`{\em ab initio}`), or mark
# where a line may break: no text of their own. pylatexenc does not know them either.
_NO_TEXT = (
    "em", "it", "bf", "rm", "sc", "sf", "sl", "tt", "up", "md", "normalfont", "itshape",
    "bfseries", "scshape", "upshape", "mdseries", "slshape", "rmfamily", "sffamily", "ttfamily",
    "tiny", "scriptsize", "footnotesize", "small", "normalsize", "large", "Large", "LARGE",
    "huge", "Huge", "boldmath", "unboldmath", "protect", "relax", "noindent", "nobreak",
    "allowbreak", "centering", "raggedright", "-", "/", "@",
)  # fmt: skip


def to_unicode(text: str) -> str:
    r"""`text` with its TeX read as Unicode (`R\'{e}nyi` is `Rényi`), math kept as written.

    Cheap enough for every field of every note: text without TeX is returned as it is after
    a few substring checks, text with TeX only in math after one scan of its TeX characters.
    Otherwise only the pieces with TeX (between spaces where no group, math or macro runs
    on) go through pylatexenc, which takes some microseconds a character.
    """
    if not has_tex(text):
        return text
    if any(c in text for c in _STAND_IN_CHARS):
        return text  # a stand-in could not be told from the text's own: not converted
    try:
        prepared, spans = _prepared(text)
        parts: list[str] = []
        done = 0
        for start, end in spans:
            parts += (text[done:start], _convert(prepared[start:end]))
            done = end
        return "".join(parts) + text[done:] if spans else text
    except Exception:  # pylatexenc cannot read it (or it is too deeply nested): as it is
        return text


def has_tex(text: str) -> bool:
    r"""Whether `text` has anything `to_unicode` may change: `\`, `{`, `}`, `--`, `''`,
    ``` `` ```, ``!` `` or ``?` ``. Alone, `%`, `&`, `~`, `$`, `#`, `_` and `^` are kept.

    One character is looked for first, as that is many times faster than two.
    """
    return (
        "\\" in text
        or "{" in text
        or "}" in text
        or ("-" in text and "--" in text)
        or ("'" in text and "''" in text)
        or ("`" in text and ("``" in text or "!`" in text or "?`" in text))
    )


def _convert(prepared: str) -> str:
    """What pylatexenc reads in text from `_prepared`, with the stand-ins put back."""
    from pylatexenc.latexwalker import LatexWalker

    walker_context, converter = _parsers()
    walker = LatexWalker(prepared, latex_context=walker_context, tolerant_parsing=True)
    nodes = walker.get_latex_nodes()[0]
    return str(converter.nodelist_to_text(nodes)).translate(_PUT_BACK)


def _math_as_argument(macro: str) -> bool:
    """Whether pylatexenc would read a `$` after `macro` as its argument (`\\c $x$`), and
    so the rest of the text with math and text the wrong way round."""
    spec = _parsers()[0].get_macro_spec(macro[1:])
    return spec is not None and "{" in getattr(spec.args_parser, "argspec", "{")


def _prepared(text: str) -> tuple[str, list[tuple[int, int]]]:
    """`text` for pylatexenc, and where in it the pieces with TeX outside math are.

    A piece ends at white space outside groups and math and not right after a macro (whose
    argument could follow); pieces with TeX close together make one span. `%`, a `{`, `}`,
    `$` or `$$` that is not matched, a `[` after a macro that no `]` follows, and a lone
    `\\` at the very end are replaced by stand-ins, one character for one, so what
    pylatexenc keeps verbatim (math) is the text's own once they are put back.
    """
    literal: set[int] = set()  # where `$`, `$$`, `\\(` or `\\[` open math that never ends
    for _ in range(_MAX_RESCANS):
        scanned = _scan(text, literal)
        if isinstance(scanned, tuple):
            stand_ins, spans = scanned
            if not (stand_ins and spans):
                return text, spans
            chars = list(text)
            for at, char in stand_ins:
                chars[at] = _STAND_INS[char]
            return "".join(chars), spans
        double = text.startswith("$$", scanned) and scanned + 1 not in literal
        literal |= {scanned, scanned + 1} if double else {scanned}
    return text, []  # dollars everywhere, and no telling which are math: as it is


def _scan(
    text: str, literal: set[int]
) -> tuple[list[tuple[int, str]], list[tuple[int, int]]] | int:
    """Where `_prepared` puts stand-ins (and for what), and the spans to convert; or where
    math opens that never ends (to scan again with it taken literally: a dollar, a bracket).

    Math is delimited as pylatexenc does: `$` ends at the next `$` (even one of `$$`), `$$`
    at the next `$$`, `\\(` at `\\)`, `\\[` at `\\]`; math opened inside math runs to the end.
    """
    stand_ins: list[tuple[int, str]] = [(at, text[at]) for at in literal]
    opened: list[int] = []  # the `{` not closed yet
    math: tuple[int, str] | None = None  # where math opened, and what ends it
    spans: list[tuple[int, int]] = []
    start = 0  # where the current piece started
    tex = whole = False  # whether it has TeX outside math; whether to take the text whole
    macro, macro_at, macro_end = "", -1, -1  # the last macro, where it starts and ends
    end = -1  # where the last token ends
    skip = -1  # where the `$$` last read ends
    for match in _TOKEN.finditer(text):
        token, at = match.group(), match.start()
        if at > end and not (opened or math):  # plain text since the last token
            cut = _cut(text, max(end, 0), at, after_macro=end == macro_end)
            if cut:
                if tex:
                    _add(spans, start, cut[0])
                start, tex = cut[1], False
        spaced = end == macro_end and not _NOT_SPACE.search(text, end, at)
        before, before_at = (macro, macro_at) if spaced else ("", -1)  # white space apart
        end = match.end()
        if token[0] == "\\" and len(token) > 1:
            macro, macro_at, macro_end = token, at, end
        if token == "%":
            stand_ins.append((at, "%"))
        elif token == "{":
            opened.append(at)
            tex = tex or math is None
        elif token == "}":
            if opened:
                opened.pop()
                tex = tex or math is None
            else:
                stand_ins.append((at, "}"))
        elif at in literal or at < skip:
            pass  # a dollar or bracket, or the second `$` of `$$`
        elif token == "$" or token in _MATH_DELIMITERS:
            if token == "$" and text.startswith("$$", at) and at + 1 not in literal:
                token, skip = "$$", at + 2
            if math is None and token in ("\\)", "\\]"):
                stand_ins.append((at, "\\"))  # `\)` closing nothing: kept as written
            elif math is None:
                math = (at, _MATH_ENDS[token])
                if before and token[0] == "$" and _math_as_argument(before):
                    stand_ins.append((before_at, "\\"))  # `\c $x$`: the macro as written
            elif math[1] == token:
                math = None
            elif math[1] == "$" and token == "$$":
                math, skip = None, at + 1  # at its first `$`: the second may open math
            elif token in _MATH_ENDS or token[0] == "$":
                return math[0]
        elif token == "[":
            if before and not _CLOSING_BRACKET.search(text, at):
                stand_ins.append((at, "["))  # not an optional argument that never ends
        elif token == "\\":
            stand_ins.append((at, "\\"))  # only at the very end: `\.` takes any other
        elif math is None:
            tex = True
            whole = whole or token in _WHOLE
    if math is not None:
        return math[0]
    if tex:
        cut = None if opened else _cut(text, max(end, 0), len(text), end == macro_end)
        _add(spans, start, cut[0] if cut else len(text))
    if whole and spans:
        spans = [(0, len(text))]
    return stand_ins + [(at, "{") for at in opened], spans


def _cut(text: str, start: int, end: int, after_macro: bool) -> tuple[int, int] | None:
    """Where in the plain text from `start` to `end` a piece may end and the next begin:
    the first and the last white space, not before a macro's possible argument."""
    if after_macro:  # `\\' e`, `\\ss e`: the space and the next character go with the macro
        found = _NOT_SPACE.search(text, start, end)
        if found is None:
            return None
        start = found.end()
    firsts = [at for at in (text.find(c, start, end) for c in _SPACES) if at >= 0]
    if not firsts:
        return None
    return min(firsts), max(text.rfind(c, start, end) for c in _SPACES) + 1


def _add(spans: list[tuple[int, int]], start: int, end: int) -> None:
    """A span to convert, joined to the one before when only a little text is between."""
    if spans and start - spans[-1][1] < _JOIN:
        spans[-1] = (spans[-1][0], end)
    else:
        spans.append((start, end))


@cache
def _parsers() -> tuple[Any, Any]:
    """pylatexenc's parsing context and converter, configured once and then shared.

    The converter holds no state between calls, so sharing it is safe.
    """
    import logging

    from pylatexenc import latexwalker
    from pylatexenc.latex2text import (
        LatexNodes2Text,
        MacroTextSpec,
        SpecialsTextSpec,
        get_default_latex_context_db,
    )

    # Its warnings about malformed TeX would reach stderr through logging's last resort.
    logging.getLogger("pylatexenc").addHandler(logging.NullHandler())
    logging.getLogger("pylatexenc").propagate = False

    def as_written(node: Any) -> str:
        return str(node.latex_verbatim())

    context = get_default_latex_context_db()
    context.add_context_category(
        "papernotes",
        prepend=True,
        macros=[
            *(MacroTextSpec(name, simplify_repl=as_written) for name in _AS_WRITTEN),
            *(MacroTextSpec(name, simplify_repl=_word(text)) for name, text in _WORDS.items()),
            *(MacroTextSpec(name, "") for name in _NO_TEXT),
        ],
        specials=[SpecialsTextSpec("&", "&"), SpecialsTextSpec("~", "~")],
    )

    class Converter(LatexNodes2Text):  # type: ignore[misc]
        """`LatexNodes2Text` keeping math, unknown macros and their groups as written."""

        def nodelist_to_text(self, nodelist: list[Any]) -> str:
            # Each node's text in turn: what the base class adds between nodes depends on
            # options left at their defaults here (no filling, TeX's spacing after macros).
            parts: list[str] = []
            braced_from = -1  # where a group keeps its braces: right after a kept macro,
            for node in nodelist:  # or after `^` or `_` (`1^{+1.39}_{-0.59}` outside math)
                if node.isNodeType(latexwalker.LatexGroupNode) and node.pos == braced_from:
                    parts.append("{" + self.nodelist_to_text(node.nodelist) + "}")
                    braced_from = node.pos + node.len
                    continue
                parts.append(self.node_to_text(node))
                kept = node.isNodeType(latexwalker.LatexMacroNode) and self._kept(node)
                if kept or (
                    node.isNodeType(latexwalker.LatexCharsNode) and node.chars.endswith(("^", "_"))
                ):
                    braced_from = node.pos + node.len
            return "".join(parts)

        def _kept(self, node: Any) -> bool:
            """Whether a macro is kept as written: unknown and with no argument parsed, or
            missing an argument it needs (an accent at the very end: `a\\'`)."""
            parsed = node.nodeargd
            if self.latex_context.get_macro_spec(node.macroname) is None:
                return not (parsed and any(a is not None for a in parsed.argnlist))
            spec = walker_context.get_macro_spec(node.macroname)
            argspec = getattr(spec.args_parser, "argspec", "") if spec is not None else ""
            if "{" not in argspec:
                return False
            if parsed is None or not parsed.argnlist:
                return True
            return any(
                a is None for kind, a in zip(argspec, parsed.argnlist, strict=False) if kind == "{"
            )

        def macro_node_to_text(self, node: Any) -> str:
            if self._kept(node):
                return str(node.latex_verbatim())
            if self.latex_context.get_macro_spec(node.macroname) is None:
                args = node.nodeargd.argnlist if node.nodeargd else []
                return "".join(self._groupnodecontents_to_text(a) for a in args if a is not None)
            return str(super().macro_node_to_text(node))

        def math_node_to_text(self, node: Any) -> str:
            return str(node.latex_verbatim())  # in place, even display math and environments

    walker_context = latexwalker.get_default_latex_context_db()
    return walker_context, Converter(latex_context=context, math_mode="verbatim")


def _word(text: str) -> Any:
    """A `simplify_repl` for a logo macro: its text, then the spaces written after it."""

    def repl(node: Any) -> str:
        return text + str(node.macro_post_space)

    return repl
