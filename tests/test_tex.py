r"""TeX in arXiv's metadata read as Unicode: `R\'{e}nyi` is shown, exported and found as Rényi."""

from __future__ import annotations

import random

import pytest

from papernotes.display import first_author, note_body, title_of
from papernotes.export import markdown as markdown_export
from papernotes.note import Author, Note
from papernotes.tex import has_tex, to_unicode

# --- accents and special letters ------------------------------------------------------


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        (r"R\'{e}nyi", "Rényi"),
        (r"R{\'e}nyi", "Rényi"),
        (r"R\'enyi", "Rényi"),
        (r"R{\'{e}}nyi", "Rényi"),
        (r"Schr\"odinger", "Schrödinger"),
        (r"Schr\"{o}dinger", "Schrödinger"),
        (r"Schr{\"o}dinger", "Schrödinger"),
        (r"M{\"u}ller", "Müller"),
        (r"Erd\H{o}s", "Erdős"),
        (r"Gar\c{c}on", "Garçon"),
        (r"Fran\c cois", "François"),
        (r"Stra\ss e", "Straße"),
        (r"\ss", "ß"),
        (r"Bj\o rn", "Bjørn"),
        (r"\o", "ø"),
        (r"{\O}rsted", "Ørsted"),
        (r"\AA ngstr\"om", "Ångström"),
        (r"\v{C}ech", "Čech"),
        (r"Ko\l{}odziej", "Kołodziej"),
        (r"Mart\'{\i}nez", "Martínez"),
        (r"Pe\~na", "Peña"),
        (r"Fran\c{c}ois-Ren\'e Ca\~{n}\'on", "François-René Cañón"),
    ],
)
def test_accents_and_special_letters_become_unicode(tex: str, text: str) -> None:
    assert to_unicode(tex) == text


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        (r"95\% of cases", "95% of cases"),
        (r"Signal Processing \& Communications", "Signal Processing & Communications"),
        (r"snake\_case and C\#", "snake_case and C#"),
        (r"costs \$5", "costs $5"),
        (r"\{0, 1\}", "{0, 1}"),
        ("pages 1--10", "pages 1–10"),
        ("a---b", "a—b"),
        ("``quoted''", "“quoted”"),
        (
            r"\emph{very} \textbf{bold} \textit{it} \texttt{code} \textsc{Caps}",
            "very bold it code Caps",
        ),
        (r"{\em ab initio} and {\it et al.}", "ab initio and et al."),
        (r"\LaTeX{} and \TeX is", "LaTeX and TeX is"),
        (r"{BERT}: pre-training", "BERT: pre-training"),
        (r"hyphen\-ation, e.g.\@ here", "hyphenation, e.g. here"),
    ],
)
def test_escapes_dashes_quotes_and_text_macros(tex: str, text: str) -> None:
    assert to_unicode(tex) == text


# --- math ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        r"$\alpha$-stable processes",
        r"$x^2$ and $$\int_0^1 f(x)\,dx$$ and \(y_1\) and \[ z \]",
        r"the $\ell_1$ norm, with $\{x : |x| < 1\}$",
        r"$\"o$ is math, not an umlaut",
        r"\begin{equation}E = mc^2\end{equation}",
        "(1/310)(1^{+1.39}_{-0.59}) for HJs",  # an arXiv abstract's math outside `$`
    ],
)
def test_math_is_kept_as_written_and_in_place(text: str) -> None:
    assert to_unicode(text) == text


def test_math_next_to_accents() -> None:
    assert to_unicode(r"R\'enyi $\alpha$-entropies") == r"Rényi $\alpha$-entropies"
    assert (
        to_unicode('Schr\\"odinger operators\n$H = -\\Delta + V$ on $\\mathbb{R}^d$, 95\\%')
        == "Schrödinger operators\n$H = -\\Delta + V$ on $\\mathbb{R}^d$, 95%"
    )


# --- what plain text means is kept --------------------------------------------------------


def test_plain_text_is_returned_as_it_is() -> None:
    for text in [
        "",
        "Attention Is All You Need",
        "We fix 95% of cases where x > 0 & y < 1, at ~100 GeV, for C# and a_b^2.",
        "Dirk Wübben, Łukasz Kaiser, 张伟, Анна Иванова: it's `code` -x- [1] (a) !?",
        "costs $5 and $x$ stays",
    ]:
        assert to_unicode(text) is text
    math_only = r"A study of $\alpha$-stable laws with $x_{1}$ and $$\int f$$."
    assert to_unicode(math_only) is math_only  # TeX only in math: not parsed at all


@pytest.mark.parametrize(
    "text",
    [
        "95% of ~100 cases & more #1",
        "a_b^2 costs $5 and $10; it's `code`, a-b, 'single' and \"double\" quotes",
        "line one\n  line two\n\n\tlast line  ",
        "¡Hola! ¿Qué? <b>[x](y)</b> | * _ ~ @ = + / 0",
    ],
)
def test_what_no_marker_flags_would_not_change_anyway(text: str) -> None:
    # An environment makes pylatexenc read the whole text, markers or none: without one,
    # nothing in it may change (else `has_tex` misses a marker).
    assert not has_tex(text)
    assert to_unicode(text + r" \begin{x}\end{x}") == text + " "


def test_marker_free_text_survives_pylatexenc() -> None:
    rng = random.Random(20240517)
    alphabet = "ab Z0 \n\t%&#_^~$@!?.,;:'\"`*+=/<>()[]|-éß"
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        if has_tex(text):
            continue
        assert to_unicode(text + r" \begin{x}\end{x}") == text + " ", repr(text)


def test_white_space_tilde_percent_and_ampersand_stay() -> None:
    assert to_unicode("Line one\n  R\\'enyi  two\n\nThird\tline ") == (
        "Line one\n  Rényi  two\n\nThird\tline "
    )
    assert to_unicode(r"Fig.~1 and ~100 GeV, R\'enyi") == "Fig.~1 and ~100 GeV, Rényi"
    assert to_unicode("95% of R\\'enyi\nnext % line") == "95% of Rényi\nnext % line"
    assert to_unicode(r"Process. & Comm., Poincar\'e") == "Process. & Comm., Poincaré"


# --- unknown macros and malformed TeX -----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        r"\unknowncommand{x} y",
        r"$10^{10}$ \Msun{} of gas",
        r"\ion{Fe}{II} lines",
        r"see \cite{Smith2020} and \ref{eq1}",
        r"\textsuperscript{2} words",
    ],
)
def test_macros_pylatexenc_does_not_know_are_kept_as_written(text: str) -> None:
    assert to_unicode(text) == text


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        ("{unbalanced", "{unbalanced"),
        ("unbalanced}", "unbalanced}"),
        (r"a { b R\'enyi", "a { b Rényi"),
        (r"a } b R\'enyi", "a } b Rényi"),
        ("lone \\", "lone \\"),
        ("\\", "\\"),
        ("a\\'", "a\\'"),
        (r"\c", r"\c"),
        (r"costs $5 at Schr\"odinger's", "costs $5 at Schrödinger's"),
        (r"$unclosed math \'e", r"$unclosed math é"),
        (r"\c $x$ and \'e", r"\c $x$ and é"),
        (r"a \) b \'e", r"a \) b é"),
        (r"line\\[ and \'e", "line\n[ and é"),
        ("\\begin{itemize}", ""),
        ("{" * 3000 + "x" + "}" * 3000, "{" * 3000 + "x" + "}" * 3000),  # too deep: as it is
        ("$" * 101 + r" \'e", "$" * 101 + " é"),  # the last `$` closes nothing: a dollar
        (r"\(" * 30 + r" \'e", r"\(" * 30 + r" \'e"),  # no telling which is math: as it is
    ],
)
def test_malformed_tex_never_raises_and_keeps_the_text(tex: str, text: str) -> None:
    assert to_unicode(tex) == text


@pytest.mark.parametrize(
    "tex",
    [
        r" `![&\url{\begin{equation}\footnote[\begin{equation}\(^\url{}\verb",
        r"\verb",
        r"\newcommand{\x}{y} \x \def\y{z}",
        r"\end{foo} \item[ \\[ \footnote[",
        r"$$a$ b$$ \(\(x\) $x$$$$y$ \[ \'",
        "\ufdd0 stand-in characters \\'e",
    ],
)
def test_nonsense_never_raises_nor_prints(tex: str, capfd: pytest.CaptureFixture[str]) -> None:
    assert isinstance(to_unicode(tex), str)
    assert capfd.readouterr() == ("", "")  # pylatexenc's warnings do not reach stderr


# --- where it is used ---------------------------------------------------------------------


def renyi() -> Note:
    """A note as arXiv gives it: TeX in the title, a name, the abstract, comment, journal."""
    return Note(
        id="2101.00001",
        version=1,
        title=r"On R\'{e}nyi entropies",
        authors=[Author(r"Paul Erd\H{o}s", [r"Universit\"at Bonn"]), Author("Alfréd Rényi")],
        abstract=r"We study $\alpha$-entropies of Schr\"odinger operators in 95\% of cases.",
        published="2021-01-01T00:00:00Z",
        primary_category="math.PR",
        journal_ref=r"Ann. Inst. Henri Poincar\'e 57 (2021) 1--10",
        comment=r"12 pages; see also Erd\H{o}s--R\'enyi",
        tldr=r"My own words, kept as typed: R\'enyi",
    )


def test_show_reads_tex_in_arxiv_fields_only() -> None:
    note = renyi()
    body = note_body(note).plain
    assert body.startswith("On Rényi entropies\n")
    assert "Authors: Paul Erdős (Universität Bonn); Alfréd Rényi\n" in body
    assert "Journal: Ann. Inst. Henri Poincaré 57 (2021) 1–10\n" in body
    assert "Comment: 12 pages; see also Erdős–Rényi\n" in body
    assert r"We study $\alpha$-entropies of Schrödinger operators in 95% of cases." in body
    assert r"My own words, kept as typed: R\'enyi" in body
    assert note.title == r"On R\'{e}nyi entropies"  # the note itself keeps arXiv's text


def test_list_and_search_lines_read_tex() -> None:
    note = renyi()
    assert title_of(note) == "On Rényi entropies"
    assert first_author(note) == "Paul Erdős et al."


def test_markdown_export_reads_tex_before_escaping() -> None:
    note = renyi()
    note.title = r"On R\'{e}nyi entropies of $\ell_1$ balls"
    out = markdown_export.render([note])
    assert out.startswith("# On Rényi entropies of $\\\\ell\\_1$ balls\n")
    assert "\n\nPaul Erdős (Universität Bonn), Alfréd Rényi\n\n" in out
    assert r"R\'enyi" in out.replace("\\\\", "\\")  # the TL;DR is the reader's, as typed
