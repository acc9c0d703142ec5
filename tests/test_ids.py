"""arXiv identifiers: every accepted form, every rejected one, and file-name stems."""

from __future__ import annotations

from datetime import date

import pytest

from papernotes.errors import InvalidIdError
from papernotes.ids import ArxivId, id_from_stem, parse_id

# A fixed "today" so that the future-month check does not depend on the clock.
TODAY = date(2024, 3, 15)

VALID: list[tuple[str, str, int | None, str]] = [
    # bare new-style ids and the arXiv: prefix
    ("1911.12246", "1911.12246", None, "1911.12246"),
    ("1911.12246v2", "1911.12246", 2, "1911.12246"),
    ("1911.12246v10", "1911.12246", 10, "1911.12246"),
    ("arXiv:1911.12246", "1911.12246", None, "1911.12246"),
    ("arxiv:1911.12246v2", "1911.12246", 2, "1911.12246"),
    ("ARXIV: 1911.12246", "1911.12246", None, "1911.12246"),
    ("  1911.12246\n", "1911.12246", None, "1911.12246"),
    ("\n\t arXiv:1911.12246v2 \n", "1911.12246", 2, "1911.12246"),
    # 4-digit numbers from April 2007 to December 2014, 5-digit from January 2015
    ("0704.0001", "0704.0001", None, "0704.0001"),
    ("1412.9999v3", "1412.9999", 3, "1412.9999"),
    ("1501.00001", "1501.00001", None, "1501.00001"),
    ("2403.99999", "2403.99999", None, "2403.99999"),
    # links to abs, pdf and html pages
    ("https://arxiv.org/abs/1911.12246", "1911.12246", None, "1911.12246"),
    ("http://arxiv.org/abs/1911.12246v2", "1911.12246", 2, "1911.12246"),
    ("https://www.arxiv.org/abs/1911.12246", "1911.12246", None, "1911.12246"),
    ("http://export.arxiv.org/abs/1911.12246v2", "1911.12246", 2, "1911.12246"),
    ("https://arxiv.org/pdf/1911.12246", "1911.12246", None, "1911.12246"),
    ("https://arxiv.org/pdf/1911.12246.pdf", "1911.12246", None, "1911.12246"),
    ("http://www.arxiv.org/pdf/1911.12246v2.pdf", "1911.12246", 2, "1911.12246"),
    ("https://export.arxiv.org/pdf/1911.12246v1", "1911.12246", 1, "1911.12246"),
    ("https://arxiv.org/html/1911.12246v2", "1911.12246", 2, "1911.12246"),
    ("http://www.arxiv.org/html/1911.12246", "1911.12246", None, "1911.12246"),
    ("https://arxiv.org/abs/1911.12246/", "1911.12246", None, "1911.12246"),
    ("https://arxiv.org/abs/1911.12246v2/", "1911.12246", 2, "1911.12246"),
    ("https://arxiv.org/abs/1911.12246?context=cs", "1911.12246", None, "1911.12246"),
    ("https://arxiv.org/abs/1911.12246v2#S3", "1911.12246", 2, "1911.12246"),
    ("https://arxiv.org/pdf/1911.12246.pdf?download=1#page=2", "1911.12246", None, "1911.12246"),
    ("arxiv.org/abs/1911.12246", "1911.12246", None, "1911.12246"),
    ("HTTPS://ARXIV.ORG/ABS/1911.12246", "1911.12246", None, "1911.12246"),
    ("  https://arxiv.org/abs/1911.12246v2 \n", "1911.12246", 2, "1911.12246"),
    # old-style archive/YYMMNNN, subject class dropped
    ("hep-th/9901001", "hep-th/9901001", None, "hep-th_9901001"),
    ("arXiv:hep-th/9901001v2", "hep-th/9901001", 2, "hep-th_9901001"),
    ("math.GT/0309136", "math/0309136", None, "math_0309136"),
    ("math/0211159v1", "math/0211159", 1, "math_0211159"),
    ("cond-mat/0001001", "cond-mat/0001001", None, "cond-mat_0001001"),
    ("hep-th/9108001", "hep-th/9108001", None, "hep-th_9108001"),
    ("math/0703999", "math/0703999", None, "math_0703999"),
    ("https://arxiv.org/abs/hep-th/9901001v2", "hep-th/9901001", 2, "hep-th_9901001"),
    ("https://arxiv.org/pdf/hep-th/9901001.pdf", "hep-th/9901001", None, "hep-th_9901001"),
    ("https://arxiv.org/abs/math.GT/0309136", "math/0309136", None, "math_0309136"),
]

INVALID = [
    "",
    "   \n",
    "abc",
    "arXiv:",
    "1913.12345",  # month 13
    "1900.12345",  # month 00
    "0703.1234",  # new style before April 2007
    "1911.1234",  # 4 digits after 2015
    "1501.0001",
    "1911.123456",
    "19111.2246",
    "1911.12246v",
    "1911.12246v0",
    "1911 12246",
    "1911.12246 v2",
    "1501.00000",  # paper numbers start at 1
    "0704.0000",
    "hep-th/990100",  # old style, 6 digits
    "hep-th/99010011",  # old style, 8 digits
    "foo-bar/9901001",  # unknown archive
    "hep-th/9001001",  # 1990
    "hep-th/9107001",  # July 1991, before arXiv
    "hep-th/0801001",  # old style after March 2007
    "math/0704001",
    "hep-th/9913001",  # month 13
    "hep-th/9901000",
    "hep-th/9901001v0",
    "https://example.org/abs/1911.12246",
    "https://notarxiv.org/abs/1911.12246",
    "https://arxiv.org.example.com/abs/1911.12246",
    "https://arxiv.org/list/1911.12246",
    "doi:10.1103/PhysRevLett.116.061102",
]


# The stamp arXiv prints down the side of a PDF, and the id beside its category on the
# abstract page ("Cite as") or beside its formats on a listing page.
STAMPS: list[tuple[str, str, int | None]] = [
    ("arXiv:1911.04594v1 [cs.LG] 11 Nov 2019", "1911.04594", 1),
    ("arXiv:1911.04594v1  [cs.LG]  11 Nov 2019", "1911.04594", 1),  # as copied from a PDF
    ("arXiv:1911.04594v1[cs.LG]11Nov2019", "1911.04594", 1),  # a reader that drops spaces
    ("  arXiv:1911.04594v2 [cs.LG] 3 Feb 2020\n", "1911.04594", 2),
    ("0706.0001v1 [q-bio.CB]", "0706.0001", 1),
    ("arXiv:1911.04594 [cs.LG]", "1911.04594", None),
    ("arXiv:2309.00071 [astro-ph.CO]", "2309.00071", None),
    ("arXiv:1501.00001v3 [cond-mat.str-el] 05 Jan 2015", "1501.00001", 3),
    ("arXiv:1911.04594v1 11 Nov 2019", "1911.04594", 1),
    ("arXiv:2403.00001 [pdf, html, other]", "2403.00001", None),
    ("arXiv:2403.00001 [pdf]", "2403.00001", None),
    ("arXiv:math/0211159v1 [math.GT] 11 Nov 2002", "math/0211159", 1),
    ("arXiv:hep-th/9711200v3  22 Jan 1998", "hep-th/9711200", 3),  # old style: no category
    ("ARXIV:1911.04594V1 [CS.LG] 11 NOV 2019", "1911.04594", 1),
]

# arXiv's DOIs, 10.48550/arXiv.<id>, bare, after doi: or as a resolver link; any case.
DOIS: list[tuple[str, str, int | None]] = [
    ("10.48550/arXiv.1911.04594", "1911.04594", None),
    ("10.48550/ARXIV.1911.04594", "1911.04594", None),
    ("10.48550/arxiv.hep-th/9901001", "hep-th/9901001", None),
    ("doi:10.48550/arXiv.1911.04594", "1911.04594", None),
    ("DOI: 10.48550/arXiv.1911.04594", "1911.04594", None),
    ("https://doi.org/10.48550/arXiv.1911.04594", "1911.04594", None),
    ("http://dx.doi.org/10.48550/arXiv.1911.04594", "1911.04594", None),
    ("doi.org/10.48550/arXiv.0704.0001", "0704.0001", None),
    ("HTTPS://DOI.ORG/10.48550/ARXIV.1911.04594", "1911.04594", None),
    ("https://doi.org/10.48550/arXiv.1911.04594/", "1911.04594", None),
    ("https://doi.org/10.48550/arXiv.math/0211159?format=bibtex", "math/0211159", None),
    ("10.48550/arXiv.1911.04594v2", "1911.04594", 2),
]

# Mirrors and readers of arXiv papers, and arxiv.com, which sends readers to arxiv.org.
MIRRORS: list[tuple[str, str, int | None]] = [
    ("https://ar5iv.labs.arxiv.org/html/1911.04594", "1911.04594", None),
    ("ar5iv.labs.arxiv.org/html/1911.04594v2", "1911.04594", 2),
    ("https://ar5iv.org/abs/1911.04594", "1911.04594", None),
    ("http://ar5iv.org/html/1911.04594#S2.SS1", "1911.04594", None),
    ("https://ar5iv.org/html/hep-th/9901001", "hep-th/9901001", None),
    ("https://alphaxiv.org/abs/1911.04594", "1911.04594", None),
    ("https://www.alphaxiv.org/abs/1911.04594v2?tab=comments", "1911.04594", 2),
    ("www.alphaxiv.org/abs/1911.04594/", "1911.04594", None),
    ("https://huggingface.co/papers/1911.04594", "1911.04594", None),
    ("huggingface.co/papers/1911.04594#community", "1911.04594", None),
    ("HTTPS://HUGGINGFACE.CO/PAPERS/1911.04594", "1911.04594", None),
    ("https://arxiv.com/abs/1911.04594", "1911.04594", None),
    ("http://www.arxiv.com/abs/1911.04594v1/", "1911.04594", 1),
    ("arxiv.com/pdf/1911.04594v1.pdf", "1911.04594", 1),
    ("  https://arxiv.com/html/1911.04594v1?x=1 \n", "1911.04594", 1),
]

# What arXiv's own identifier code (arxiv.identifier in arxiv-base) tidies and still reads.
ARXIV_TIDIES: list[tuple[str, str, int | None]] = [
    ("/hep-th/9901001", "hep-th/9901001", None),  # one leading slash
    ("/hep-th/9901001v1", "hep-th/9901001", 1),
    ("/0708.1234v1", "0708.1234", 1),
    ("hep-th//9901001", "hep-th/9901001", None),  # repeated slashes
    ("hep-th///9901001v2", "hep-th/9901001", 2),
    ("hep--th/9901001", "hep-th/9901001", None),  # repeated dashes
    ("hep-th/9901001/extra", "hep-th/9901001", None),  # anything after a / or # that ends it
    ("HEP-TH/9901001/ExTrA", "hep-th/9901001", None),
    ("hep-th/9901001v2/", "hep-th/9901001", 2),
    ("math/0211159#references", "math/0211159", None),
    ("1911.04594/anything/else", "1911.04594", None),
    ("1911.04594v2#S3", "1911.04594", 2),
    ("1911.04594V2", "1911.04594", 2),  # the version letter in capitals
    ("hepth/9901001", "hep-th/9901001", None),  # an archive typed without its dash
    ("condmat/0001001v1", "cond-mat/0001001", 1),
    ("grqc/9901001", "gr-qc/9901001", None),
    ("astroph/0601001", "astro-ph/0601001", None),
    ("mathph/0101001", "math-ph/0101001", None),
    ("1911.04594v1.pdf", "1911.04594", 1),  # file names
    ("1911.04594.PDF", "1911.04594", None),
    ("hep-th/9901001v1.ps.gz", "hep-th/9901001", 1),
    ("hep-th/9901001.ps", "hep-th/9901001", None),
    ("physics.acc-ph/0101001", "physics/0101001", None),  # a longer subject class
]


@pytest.mark.parametrize(("text", "base", "version"), [*STAMPS, *DOIS, *MIRRORS, *ARXIV_TIDIES])
def test_pasted_forms(text: str, base: str, version: int | None) -> None:
    assert parse_id(text, today=TODAY) == ArxivId(base, version)


# Every new form still goes through the same checks: nothing impossible reaches arXiv.
IMPOSSIBLE_IN_EVERY_FORM = [
    ("arXiv:1913.04594v1 [cs.LG] 11 Nov 2019", "month 13"),
    ("arXiv:2404.00001v1 [cs.LG] 1 Apr 2024", "future"),
    ("arXiv:0703.0001v1 [q-bio.CB] 1 Mar 2007", "April 2007"),
    ("arXiv:1911.4594v1 [cs.LG] 11 Nov 2019", "5-digit"),
    ("arXiv:1911.04594v0 [cs.LG] 11 Nov 2019", "start at v1"),
    ("arXiv:1911.04594v10000 [cs.LG]", "v9999"),
    ("arXiv:foo-bar/9901001v1 11 Jan 1999", "not an arXiv archive"),
    ("10.48550/arXiv.1913.04594", "month 13"),
    ("https://doi.org/10.48550/arXiv.2404.00001", "future"),
    ("doi:10.48550/arXiv.hep-th/990100", "7 digits"),
    ("10.48550/arXiv.1911.04594v0", "start at v1"),
    ("https://ar5iv.labs.arxiv.org/html/1913.04594", "month 13"),
    ("https://ar5iv.org/abs/2404.00001", "future"),
    ("https://alphaxiv.org/abs/1911.045941", "not an arXiv identifier"),
    ("https://huggingface.co/papers/1501.0001", "5-digit"),
    ("https://huggingface.co/papers/1911.04594v0", "start at v1"),
    ("https://arxiv.com/abs/1911.04594v123456", "v9999"),
    ("https://www.alphaxiv.org/abs/1412.12345", "4-digit"),
    ("/hep-th/9913001", "month 13"),
    ("hepth/0801001", "March 2007"),
    ("hep-th//9901000", "start at 1"),
    ("xyzth/9901001", "not an arXiv archive"),
    ("1911.04594V0", "start at v1"),
    ("hep-th/9901001v0/extra", "start at v1"),
]


@pytest.mark.parametrize(("text", "reason"), IMPOSSIBLE_IN_EVERY_FORM)
def test_impossible_ids_are_refused_in_every_form(text: str, reason: str) -> None:
    with pytest.raises(InvalidIdError, match=reason) as caught:
        parse_id(text, today=TODAY)
    assert repr(text.strip()) in str(caught.value)


NOT_IDS = [
    # stamp lookalikes: a stamp is the id, then a bracket, a date or both, and nothing else
    "1911.04594v1 cs.LG 11 Nov 2019",
    "1911.04594v1 [cs.LG] 11 Nov",
    "1911.04594v1 [cs.LG] 32 Nov 2019",
    "1911.04594v1 [cs.LG] 11 Nox 2019",
    "1911.04594 [cs.LG] and a comment",
    "1911.04594 [cs.LG",
    "[cs.LG] 1911.04594",
    "1911.04594 [] 11 Nov 2019",
    "1911.04594 [see page 3]",
    "1911.04594v111Nov2019",  # no telling the version from the day
    # DOIs of other registrants, or not behind a DOI resolver
    "10.1103/PhysRevLett.116.061102",
    "https://doi.org/10.5281/zenodo.1911045",
    "10.48550/arXiv.",
    "10.48550/1911.04594",
    "10.485501/arXiv.1911.04594",
    "https://example.org/10.48550/arXiv.1911.04594",
    # other pages of the mirrors, and lookalike hosts
    "https://huggingface.co/1911.04594",
    "https://huggingface.co/datasets/1911.04594",
    "https://ar5iv.org/list/1911.04594",
    "https://alphaxiv.org.example.com/abs/1911.04594",
    "https://notalphaxiv.org/abs/1911.04594",
    "https://notar5iv.org/html/1911.04594",
    "https://arxiv.co/abs/1911.04594",
    "https://arxiv.com.example.org/abs/1911.04594",
    # what arXiv's identifier code refuses too
    "//hep-th/9901001",  # one leading slash is tidied, not two
    "hep-th/9901001extra",  # what follows the id starts with / or #
    "0705.35950705.3595v1/",  # an id pasted twice
    "0707.2096va/",
    "1911.04594v/2",
    "1911.04594.pdf.pdf",
    # a path that climbs back out of the id names some other page
    "1706.03762/../x",
    "hep-th/9901001/../../etc/passwd",
    "https://arxiv.org/abs/1706.03762/../x",
    "1706.03762#..",
]


@pytest.mark.parametrize("text", NOT_IDS)
def test_lookalikes_are_not_ids(text: str) -> None:
    with pytest.raises(InvalidIdError) as caught:
        parse_id(text, today=TODAY)
    assert repr(text) in str(caught.value)


def test_digit_counts_stay_strict() -> None:
    # arXiv's identifier code pads 1501.0001 to 1501.00001 and trims 1412.01234 to
    # 1412.1234; papernotes refuses both, as a pasted id of the wrong length is a typo.
    for text in ("1501.0001", "1412.01234", "arXiv:1501.0001 [cs.LG]"):
        with pytest.raises(InvalidIdError, match="digit number"):
            parse_id(text, today=TODAY)


def test_the_hint_names_the_new_forms() -> None:
    with pytest.raises(InvalidIdError) as caught:
        parse_id("nonsense", today=TODAY)
    message = str(caught.value)
    for form in ("[cs.LG]", "10.48550/arXiv.", "ar5iv", "alphaxiv", "huggingface.co/papers"):
        assert form in message


@pytest.mark.parametrize(("text", "base", "version", "stem"), VALID)
def test_valid_ids(text: str, base: str, version: int | None, stem: str) -> None:
    parsed = parse_id(text, today=TODAY)
    assert (parsed.base, parsed.version, parsed.stem) == (base, version, stem)
    assert parsed == ArxivId(base, version)


@pytest.mark.parametrize("text", INVALID)
def test_invalid_ids_name_the_input(text: str) -> None:
    with pytest.raises(InvalidIdError) as caught:
        parse_id(text, today=TODAY)
    assert text.strip() in str(caught.value)


@pytest.mark.parametrize("text", ["2404.00001", "2501.00001", "arXiv:2404.00001v1"])
def test_future_month_is_rejected(text: str) -> None:
    with pytest.raises(InvalidIdError, match="future") as caught:
        parse_id(text, today=TODAY)
    assert text in str(caught.value)


def test_current_month_is_accepted() -> None:
    assert parse_id("2403.00001", today=TODAY) == ArxivId("2403.00001")
    assert parse_id("2404.00001", today=date(2024, 4, 1)) == ArxivId("2404.00001")


def test_default_today_accepts_an_old_paper() -> None:
    assert parse_id("1911.12246") == ArxivId("1911.12246")


@pytest.mark.parametrize("text", ["0704.00001", "1412.12345"])
def test_five_digit_number_before_2015_is_rejected(text: str) -> None:
    with pytest.raises(InvalidIdError):
        parse_id(text, today=TODAY)


@pytest.mark.parametrize("zero", [0xFF10, 0x0660], ids=["fullwidth", "arabic-indic"])
def test_non_ascii_digits_never_make_an_id(zero: int) -> None:
    text = "".join(chr(zero + int(c)) if c.isdigit() else c for c in "1911.12246")
    try:
        parsed = parse_id(text, today=TODAY)
    except InvalidIdError:
        return
    assert parsed.base.isascii()


def test_str_with_and_without_version() -> None:
    assert str(ArxivId("1911.12246")) == "1911.12246"
    assert str(ArxivId("1911.12246", 2)) == "1911.12246v2"
    assert str(ArxivId("hep-th/9901001", 3)) == "hep-th/9901001v3"
    assert str(parse_id("arXiv:1911.12246v2", today=TODAY)) == "1911.12246v2"


def test_stem() -> None:
    new, old = ArxivId("1911.12246", 2), ArxivId("hep-th/9901001")
    assert new.stem == "1911.12246"
    assert old.stem == "hep-th_9901001"
    assert parse_id("math.GT/0309136", today=TODAY).stem == "math_0309136"


@pytest.mark.parametrize(
    "text", ["1911.12246", "0704.0001", "1501.00001", "hep-th/9901001", "math.GT/0309136v2"]
)
def test_id_from_stem_round_trip(text: str) -> None:
    parsed = parse_id(text, today=TODAY)
    found = id_from_stem(parsed.stem)
    assert found == ArxivId(parsed.base)
    assert found is not None
    assert found.stem == parsed.stem


@pytest.mark.parametrize(
    "stem",
    [
        "README",
        "",
        "1911.12246v2",
        "hep-th_9901001v2",
        "hep-th/9901001",
        "math.GT_0309136",
        "arXiv:1911.12246",
        " 1911.12246",
        "1911.12246.yaml",
        "notes_backup",
        "hep-th_9901001_copy",
        "1911.12246_copy",  # read as 1911.12246/copy, which arXiv reads as 1911.12246
        "hep-th_9901001#1",
        "hepth_9901001",
        "_hep-th_9901001",
        "1911.12246.pdf",
    ],
)
def test_id_from_stem_rejects_other_names(stem: str) -> None:
    assert id_from_stem(stem) is None


@pytest.mark.parametrize(
    "text",
    [
        "1706.03762v99999999999999999999",
        "1706.03762v10000",
        "arXiv:1706.03762v00010000",
        "https://arxiv.org/abs/1706.03762v123456",
        "hep-th/9901001v10000",
        "1706.03762v" + "9" * 5000,  # int() alone refuses over 4300 digits with ValueError
    ],
)
def test_absurd_version_is_rejected(text: str) -> None:
    with pytest.raises(InvalidIdError) as caught:
        parse_id(text, today=TODAY)
    assert str(caught.value) == f"{text!r}: versions go from v1 to v9999"


@pytest.mark.parametrize(
    ("text", "version"), [("1706.03762v9999", 9999), ("hep-th/9901001v09999", 9999)]
)
def test_highest_version_is_accepted(text: str, version: int) -> None:
    assert parse_id(text, today=TODAY).version == version
