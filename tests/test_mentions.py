"""Finding arXiv mentions in free text: chat exports, BibTeX files, one-liners, random noise."""

from __future__ import annotations

import random
import re
from datetime import date

import pytest
from test_ids import DOIS

from papernotes.ids import ArxivId, parse_id
from papernotes.mentions import find_ids

# A fixed "today": 2611 is the current month, 2612 is in the future.
TODAY = date(2026, 11, 28)


def found(text: str) -> list[str]:
    return [str(paper) for paper in find_ids(text, today=TODAY)]


# A Telegram chat copied as text: "Name, [date time]" then the message.
CHAT_EXPORT = """\
Мария Петрова, [27.11.2026 09:02]
Всем привет! Кто читал LoRA? https://arxiv.org/abs/2106.09685 🔥

Alex Chen, [27.11.2026 09:05]
yes, pdf here: https://arxiv.org/pdf/2106.09685v2.pdf — code at github.com/microsoft/LoRA
and the famous thread https://twitter.com/karpathy/status/1706037621234567890

Мария Петрова, [27.11.2026 09:07]
Классика: arXiv:1706.03762v5 (NeurIPS 2017), DOI 10.48550/arXiv.1706.03762
Для сравнения DOI из PRL: 10.1103/PhysRevLett.123.061101 и KDD 10.1145/3292500.3330701

Игорь, [27.11.2026 10:15]
Созвон 02.12.2026 в 19:00, звоните +7 (912) 345-67-89 или +1 650.253.0000 📞
Дата релиза была 2019.05.01, потом 12.05.2019, ну или 01.2019 по-американски

Alex Chen, [27.11.2026 10:20]
GPU rental is 1234.56 $/month, the cheaper one 2106.5 ₽ per hour 😭
Updated to Python 3.11.7, torch v2.5.1, transformers 4.46.3; build 1.2306.1 broke, 0.1234.5 too
server 192.168.10.254, backup at 10.0.21.6

Мария Петрова, [27.11.2026 11:00]
Слайды: https://drive.google.com/file/d/1AbC-2106_09685xYzQ7w8E9r0TtUuVvWwXx/view?usp=sharing
Видео: https://www.youtube.com/watch?v=KEv-F5UkhxU&t=1706s и https://youtu.be/dQw4w9WgXcQ?t=2106
Ветка с экспериментами: https://github.com/org/repo/blob/2106.09685/train.py (это имя ветки!)
А ещё https://x.com/ylecun/status/1883941452738355376?s=20

Игорь, [27.11.2026 11:30]
Старое, но классное: hep-th/9711200 (Малдасена) и math.GT/0309136, плюс cond-mat/0412498v1
Без схемы: arxiv.org/abs/1312.6114 — это VAE

Alex Chen, [27.11.2026 12:01]
Llama 2 html version: <https://arxiv.org/html/2307.09288v2#S3>
[Chinchilla](https://arxiv.org/abs/2203.15556?context=cs.CL).
GPT-3 is «2005.14165», and "see 2106.09685 for LoRA" again

Мария Петрова, [27.11.2026 12:30]
Фейки: arXiv:2613.01234, 1913.12345 и 0612.1234 (до 0704 таких не было), и 2612.00001 из будущего
Свежак этого месяца: 2611.04567 👀

Игорь, [28.11.2026 08:45]
LLaMA 2302.13971 и ещё раз 2302.13971v1, CoT — arXiv: 2201.11903v6
👉2401.04088 (Mixtral) и **2310.06825** (Mistral); списком: 2305.18290,2312.00752
Старый экспорт: http://export.arxiv.org/abs/astro-ph/0601001v2 и doi:10.48550/ARXIV.2106.09685
"""

CHAT_EXPECTED = [
    "2106.09685",
    "1706.03762v5",
    "hep-th/9711200",
    "math/0309136",
    "cond-mat/0412498v1",
    "1312.6114",
    "2307.09288v2",
    "2203.15556",
    "2005.14165",
    "2611.04567",
    "2302.13971",
    "2201.11903v6",
    "2401.04088",
    "2310.06825",
    "2305.18290",
    "2312.00752",
    "astro-ph/0601001v2",
]


def test_chat_export() -> None:
    assert found(CHAT_EXPORT) == CHAT_EXPECTED


# As papis exports its library: one entry per document, an eprint field and an arXiv url.
PAPIS_BIB = """\
@article{vaswani2017attention,
  abstract = {The dominant sequence transduction models are based on complex recurrent or
convolutional neural networks. Our model achieves 28.4 BLEU on the WMT 2014 English-to-German
translation task, improving over the existing best results by over 2 BLEU.},
  archiveprefix = {arXiv},
  author = {Vaswani, Ashish and Shazeer, Noam and Parmar, Niki},
  eprint = {1706.03762},
  primaryclass = {cs.CL},
  title = {Attention Is All You Need},
  url = {https://arxiv.org/abs/1706.03762v5},
  year = {2017},
}

@article{maldacena1999large,
  archiveprefix = {arXiv},
  author = {Maldacena, Juan},
  doi = {10.1023/A:1026654312961},
  eprint = {hep-th/9711200},
  journal = {International Journal of Theoretical Physics},
  pages = {1113--1133},
  title = {The Large N Limit of Superconformal Field Theories and Supergravity},
  volume = {38},
  year = {1999},
}

@article{abbott2016observation,
  author = {Abbott, B. P. and others},
  doi = {10.1103/PhysRevLett.116.061102},
  journal = {Physical Review Letters},
  pages = {061102},
  title = {Observation of Gravitational Waves from a Binary Black Hole Merger},
  volume = {116},
  year = {2016},
}

@article{kingma2013autoencoding,
  author = {Kingma, Diederik P. and Welling, Max},
  eprint = {1312.6114v11},
  title = {Auto-Encoding Variational Bayes},
  url = {https://arxiv.org/pdf/1312.6114v11.pdf},
  year = {2013},
}
"""

# As Zotero exports arXiv preprints (tabs, month macros, an attachment list in `file`).
ZOTERO_BIB = """\
@misc{hu_lora_2021,
\ttitle = {{LoRA}: {Low}-{Rank} {Adaptation} of {Large} {Language} {Models}},
\tshorttitle = {{LoRA}},
\turl = {http://arxiv.org/abs/2106.09685},
\tdoi = {10.48550/arXiv.2106.09685},
\tabstract = {LoRA can reduce the number of trainable parameters by 10,000 times and the GPU \
memory requirement by 3 times. We release a package at https://github.com/microsoft/LoRA.},
\turldate = {2024-03-15},
\tpublisher = {arXiv},
\tauthor = {Hu, Edward J. and Shen, Yelong and Wallis, Phillip},
\tmonth = oct,
\tyear = {2021},
\tnote = {arXiv:2106.09685 [cs]},
\tkeywords = {Computer Science - Artificial Intelligence, Computer Science - Machine Learning},
\tfile = {arXiv Fulltext PDF:/home/anna/Zotero/storage/7KQ2X3ZB/Hu et al. - 2021 - LoRA.pdf:\
application/pdf;arXiv.org Snapshot:/home/anna/Zotero/storage/QW8E2R7T/2106.html:text/html},
}

@misc{kingma_auto-encoding_2022,
\ttitle = {Auto-{Encoding} {Variational} {Bayes}},
\turl = {http://arxiv.org/abs/1312.6114},
\tdoi = {10.48550/arXiv.1312.6114},
\turldate = {2024-03-16},
\tpublisher = {arXiv},
\tauthor = {Kingma, Diederik P. and Welling, Max},
\tmonth = dec,
\tyear = {2022},
\tnote = {arXiv:1312.6114 [cs, stat]},
\tkeywords = {Computer Science - Machine Learning, Statistics - Machine Learning},
\tfile = {arXiv Fulltext PDF:/home/anna/Zotero/storage/LK3J9H2G/Kingma - 2022.pdf:application/pdf},
}

@article{lecun_deep_2015,
\ttitle = {Deep learning},
\tvolume = {521},
\tissn = {1476-4687},
\turl = {https://www.nature.com/articles/nature14539},
\tdoi = {10.1038/nature14539},
\tjournal = {Nature},
\tauthor = {LeCun, Yann and Bengio, Yoshua and Hinton, Geoffrey},
\tmonth = may,
\tyear = {2015},
\tpages = {436--444},
}

@misc{perelman_entropy_2002,
\ttitle = {The entropy formula for the {Ricci} flow and its geometric applications},
\turl = {http://arxiv.org/abs/math/0211159},
\tpublisher = {arXiv},
\tauthor = {Perelman, Grisha},
\tyear = {2002},
\tnote = {arXiv:math/0211159},
}
"""


def test_papis_bibtex() -> None:
    assert found(PAPIS_BIB) == ["1706.03762", "hep-th/9711200", "1312.6114v11"]


def test_zotero_bibtex() -> None:
    assert found(ZOTERO_BIB) == ["2106.09685", "1312.6114", "math/0211159"]


POSITIVE: list[tuple[str, list[str]]] = [
    # arxiv.org links: abs, pdf (with or without .pdf), html, any host spelling
    ("https://arxiv.org/abs/1706.03762", ["1706.03762"]),
    ("http://arxiv.org/abs/1706.03762v5", ["1706.03762v5"]),
    ("https://www.arxiv.org/abs/1706.03762", ["1706.03762"]),
    ("http://export.arxiv.org/abs/hep-th/9901001v2", ["hep-th/9901001v2"]),
    ("https://ar5iv.labs.arxiv.org/html/1706.03762", ["1706.03762"]),
    ("see https://huggingface.co/papers/2106.09685 today", ["2106.09685"]),
    ("alphaxiv.org/abs/2106.09685v2, ar5iv.org/html/1706.03762", ["2106.09685v2", "1706.03762"]),
    ("[paper](https://www.arxiv.com/abs/hep-th/9901001)", ["hep-th/9901001"]),
    ("https://arxiv.org/pdf/1706.03762", ["1706.03762"]),
    ("https://arxiv.org/pdf/1706.03762v5.pdf", ["1706.03762v5"]),
    ("https://arxiv.org/html/2307.09288v2", ["2307.09288v2"]),
    ("https://arxiv.org/html/2307.09288v2/#S3", ["2307.09288v2"]),
    ("https://arxiv.org/abs/math.GT/0309136", ["math/0309136"]),
    ("https://arxiv.org/abs/1706.03762/", ["1706.03762"]),
    ("arxiv.org/abs/1706.03762", ["1706.03762"]),
    ("www.arxiv.org/pdf/1706.03762", ["1706.03762"]),
    ("HTTPS://ARXIV.ORG/ABS/1706.03762", ["1706.03762"]),
    ("http://web.archive.org/web/2020/https://arxiv.org/abs/1706.03762", ["1706.03762"]),
    # links in markup and followed by punctuation, queries and fragments
    ("[Attention](https://arxiv.org/abs/1706.03762)", ["1706.03762"]),
    ("<https://arxiv.org/abs/1706.03762>", ["1706.03762"]),
    ("(https://arxiv.org/abs/1706.03762).", ["1706.03762"]),
    (
        "read https://arxiv.org/abs/1706.03762, https://arxiv.org/abs/2106.09685;",
        ["1706.03762", "2106.09685"],
    ),
    ("«https://arxiv.org/abs/1706.03762»", ["1706.03762"]),
    ("“https://arxiv.org/abs/1706.03762”", ["1706.03762"]),
    ("'https://arxiv.org/abs/1706.03762'", ["1706.03762"]),
    ('"https://arxiv.org/pdf/1706.03762.pdf"', ["1706.03762"]),
    ("wow https://arxiv.org/abs/1706.03762!", ["1706.03762"]),
    ("seen https://arxiv.org/abs/1706.03762?", ["1706.03762"]),
    ("https://arxiv.org/abs/1706.03762: a classic", ["1706.03762"]),
    ("https://arxiv.org/abs/1706.03762?context=cs", ["1706.03762"]),
    ("https://arxiv.org/abs/1706.03762v5#S3", ["1706.03762v5"]),
    ("https://arxiv.org/pdf/1706.03762.pdf?download=1#page=2", ["1706.03762"]),
    # arXiv: prefix and the arXiv DOI
    ("arXiv:1706.03762", ["1706.03762"]),
    ("arXiv: 1706.03762v5", ["1706.03762v5"]),
    ("ARXIV:1706.03762", ["1706.03762"]),
    ("arxiv:hep-th/9901001v2", ["hep-th/9901001v2"]),
    ("arXiv:1706.03762v5 [cs.CL]", ["1706.03762v5"]),
    ("(arXiv:1706.03762)", ["1706.03762"]),
    ("10.48550/arXiv.1706.03762", ["1706.03762"]),
    ("https://doi.org/10.48550/arXiv.1706.03762", ["1706.03762"]),
    ("doi:10.48550/ARXIV.1706.03762", ["1706.03762"]),
    ("arxiv.1706.03762", ["1706.03762"]),
    # BibTeX eprint fields
    ("eprint = {1706.03762}", ["1706.03762"]),
    ("eprint={1706.03762},", ["1706.03762"]),
    ('Eprint = "hep-th/9901001"', ["hep-th/9901001"]),
    ("EPRINT  =  { 1706.03762v2 }", ["1706.03762v2"]),
    ("eprint = 1706.03762,", ["1706.03762"]),
    ("eprint = {arXiv:1706.03762}", ["1706.03762"]),
    ("eprint =\n    {1706.03762}", ["1706.03762"]),
    # old-style ids, anywhere
    ("hep-th/9901001", ["hep-th/9901001"]),
    ("math.GT/0309136", ["math/0309136"]),
    ("cond-mat/0412498v1", ["cond-mat/0412498v1"]),
    ("(see q-bio/0401001)", ["q-bio/0401001"]),
    ("HEP-TH/9901001", ["hep-th/9901001"]),
    ("https://inspirehep.net/search?p=hep-th/9711200", ["hep-th/9711200"]),
    ("https://www.semanticscholar.org/arxiv/hep-th/9711200", ["hep-th/9711200"]),
    # bare new-style ids, delimited
    ("2106.09685", ["2106.09685"]),
    ("see 2106.09685 for LoRA", ["2106.09685"]),
    ("(2106.09685)", ["2106.09685"]),
    ("[2106.09685]", ["2106.09685"]),
    ("«2106.09685»", ["2106.09685"]),
    ('"2106.09685"', ["2106.09685"]),
    ("paper:2106.09685", ["2106.09685"]),
    ("**2106.09685**", ["2106.09685"]),
    ("`2106.09685`", ["2106.09685"]),
    ("<td>2106.09685</td>", ["2106.09685"]),
    ("| 2106.09685 |2106.09686|", ["2106.09685", "2106.09686"]),
    ("🔥2106.09685", ["2106.09685"]),
    ("❤️2106.09685", ["2106.09685"]),
    ("👉 2106.09685", ["2106.09685"]),
    ("\u00a02106.09685", ["2106.09685"]),
    ("2106.09685v2.", ["2106.09685v2"]),
    ("2106.09685?", ["2106.09685"]),
    ("2106.09685.pdf", ["2106.09685"]),
    ("1706.03762,2106.09685", ["1706.03762", "2106.09685"]),
    ("1706.03762, 2106.09685", ["1706.03762", "2106.09685"]),
    ("0704.0001", ["0704.0001"]),
    ("1412.9999v3", ["1412.9999v3"]),
    ("2611.99999", ["2611.99999"]),
    ("year = 2017, eprint = 2106.09685", ["2106.09685"]),
    # `=` blocks only when glued: `page=2106.09685` is a parameter, this is prose
    ("LoRA = 2106.09685, QLoRA = 2305.14314", ["2106.09685", "2305.14314"]),
]


@pytest.mark.parametrize(("text", "expected"), POSITIVE)
def test_found(text: str, expected: list[str]) -> None:
    assert found(text) == expected


NEGATIVE = [
    "",
    "no ids here, just words",
    # tweet and post ids
    "https://twitter.com/user/status/1706037621234567890",
    "https://x.com/karpathy/status/1706037621234567890?s=20",
    # dates
    "2019.05.01",
    "01.2019",
    "12.05.2019",
    "2019.0501",
    "[27.11.2026 09:02]",
    # DOIs of other publishers
    "10.1103/PhysRevLett.123.061101",
    "10.1145/3292500.3330701",
    "https://doi.org/10.5281/zenodo.2106.09685",
    # versions
    "v1.2.3",
    "Python 3.11.7",
    "1.2306.1",
    "0.1234.5",
    "v2106.09685",
    "release 1706.03762.1",
    # IP addresses, phone numbers, prices
    "192.168.1.1",
    "10.0.21.6:8080",
    "+7 (912) 345-67-89",
    "+1 650.253.0000",
    "8-800-2106-0968",
    "1234.56",
    "2106.5",
    "$1706.03762",
    "€2106.09685",
    "₽2106.09685",
    "~2106.09685",
    "+2106.09685",
    "№2106.09685",
    # inside longer digit runs and words
    "12106.09685",
    "2106.096855",
    "a2106.09685",
    "б2106.09685",
    "2106.09685a",
    "2106.09685г",
    "2106.09685v",
    "2106.09685V2",
    "2106.09685_x",
    "x_2106.09685",
    "2106.09685.1",
    "1.2106.09685",
    "2106.09685%",
    "\uff12\uff11\uff10\uff16.\uff10\uff19\uff16\uff18\uff15",  # fullwidth digits
    # glued to characters that do not delimit
    "-2106.09685",
    "/2106.09685",
    "=2106.09685",
    "#2106.09685",
    "@2106.09685",
    "&2106.09685",
    "1,2106.09685",
    "12:2106.09685",
    "page=2106.09685",
    "https://example.com/?id=2106.09685",
    # other sites' paths: GitHub branches and tags, Drive, YouTube, mirrors, lookalike hosts
    "https://github.com/org/repo/blob/2106.09685/file.py",
    "https://github.com/org/repo/releases/tag/2106.09685",
    "github.com/karpathy/nanoGPT",
    "https://drive.google.com/file/d/1AbC-2106_09685xYzQ7w8E9r0TtUuVvWwXx/view?usp=sharing",
    "https://www.youtube.com/watch?v=KEv-F5UkhxU&t=1706s",
    "https://huggingface.co/models/2106.09685",
    "https://alphaxiv.org/explore/2106.09685",
    "https://example.org/abs/2106.09685",
    "https://notarxiv.org/abs/1706.03762",
    "https://arxiv.org.example.com/abs/1706.03762",
    "https://arxiv.org/list/1706.03762",
    "https://arxiv.org/format/1706.03762",
    "https://arxiv.org/abs/2106.096855",
    "https://arxiv.org/abs/2106.09685x",
    # old-style lookalikes
    "foo/1234567",
    "foo-bar/9901001",
    "xhep-th/9901001",
    "sub.math/0309136",
    "hep-th/990100",
    "hep-th/99010011",
    "hep-th/9901001x",
    "docs/0112017",
    # impossible ids
    "arXiv:1913.12345",
    "https://arxiv.org/abs/2613.00001",
    "2612.00001",
    "0703.1234",
    "arXiv:0612.1234",
    "2106.0968",
    "1412.12345",
    "2106.00000",
    "arXiv:2106.09685v0",
    "https://arxiv.org/abs/2106.09685v0",
    "hep-th/9913001",
    "hep-th/0801001",
    "hep-th/9107001",
    "eprint = {2613.00001}",
]


@pytest.mark.parametrize("text", NEGATIVE)
def test_not_found(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the same paper in several forms counts once, at its first mention
        ("2106.09685, arXiv:2106.09685, https://arxiv.org/abs/2106.09685", ["2106.09685"]),
        # the first mention's version wins, even when it has none
        ("2106.09685 then arXiv:2106.09685v2", ["2106.09685"]),
        ("arXiv:2106.09685v2, 2106.09685v3 and 2106.09685", ["2106.09685v2"]),
        ("math.GT/0309136 and https://arxiv.org/abs/math/0309136v2", ["math/0309136"]),
        # an invalid mention does not count as the first one
        ("arXiv:2106.09685v0, then 2106.09685v1", ["2106.09685v1"]),
        # order of first mention, not sorted
        (
            "B 2106.09685, A 1706.03762, B again 2106.09685v2, C hep-th/9901001, A 1706.03762",
            ["2106.09685", "1706.03762", "hep-th/9901001"],
        ),
    ],
)
def test_duplicates_and_order(text: str, expected: list[str]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(("doi", "base", "version"), DOIS)
def test_every_doi_add_reads_is_found_in_a_text(doi: str, base: str, version: int | None) -> None:
    # one rule for arXiv DOIs: `add --from` finds what `add` reads, as the same paper
    assert find_ids(f"Cited as {doi} in the survey.", today=TODAY) == [ArxivId(base, version)]
    assert find_ids(doi, today=TODAY) == [parse_id(doi, today=TODAY)]


def test_returns_arxiv_ids() -> None:
    assert find_ids("arXiv:2106.09685v2 and math.GT/0309136", today=TODAY) == [
        ArxivId("2106.09685", 2),
        ArxivId("math/0309136"),
    ]


def test_default_today_accepts_an_old_paper() -> None:
    assert find_ids("see 1706.03762") == [ArxivId("1706.03762")]


def test_today_decides_future_months() -> None:
    assert find_ids("2612.00001", today=date(2026, 11, 30)) == []
    assert find_ids("2612.00001", today=date(2026, 12, 1)) == [ArxivId("2612.00001")]


# Random noise: planted mentions are found, in order, and nothing else.

FORMS = [
    "ID",
    "(ID)",
    "«ID»",
    "arXiv:ID",
    "arXiv: ID",
    "https://arxiv.org/abs/ID",
    "https://arxiv.org/pdf/ID.pdf",
    "[paper](https://arxiv.org/abs/ID)",
    "10.48550/arXiv.ID",
    "eprint = {ID}",
]
NEW_MONTHS = [(y, m) for y in range(7, 27) for m in range(1, 13) if (7, 4) <= (y, m) <= (26, 11)]
OLD_MONTHS = [(y % 100, m) for y in range(1992, 2007) for m in range(1, 13)]
SAMPLE_ARCHIVES = ["hep-th", "math", "cond-mat", "astro-ph", "quant-ph", "math.GT", "q-bio"]


def new_base(rng: random.Random) -> str:
    """A possible new-style id without version, up to TODAY."""
    yy, mm = rng.choice(NEW_MONTHS)
    width = 5 if yy >= 15 else 4
    return f"{yy:02}{mm:02}.{rng.randint(1, 10**width - 1):0{width}}"


def planted(rng: random.Random, count: int) -> list[str]:
    """Distinct possible ids as `find_ids` reports them, some old-style, some with a version."""
    papers: dict[str, str] = {}
    while len(papers) < count:
        if rng.random() < 0.15:
            yy, mm = rng.choice(OLD_MONTHS)
            base = f"{rng.choice(SAMPLE_ARCHIVES)}/{yy:02}{mm:02}{rng.randint(1, 999):03}"
        else:
            base = new_base(rng)
        version = f"v{rng.randint(1, 12)}" if rng.random() < 0.3 else ""
        papers.setdefault(base.replace(".GT/", "/"), base + version)
    return list(papers.values())


def plant(rng: random.Random, noise: str, papers: list[str]) -> str:
    """`noise` with each paper inserted in a random form, guarded by letters from the noise."""
    cuts = sorted(rng.sample(range(1, len(noise)), len(papers)))
    pieces, start = ["q"], 0
    for cut, paper in zip(cuts, papers, strict=True):
        pieces += [noise[start:cut], "q ", rng.choice(FORMS).replace("ID", paper), " q"]
        start = cut
    pieces.append(noise[start:])
    return "".join(pieces)


def expected(papers: list[str]) -> list[str]:
    return [paper.replace(".GT/", "/") for paper in papers]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_digits_and_dots_noise(seed: int) -> None:
    """A glued run of digits and dots holds thousands of id shapes, none of them delimited."""
    rng = random.Random(seed)
    alphabet = "0123456789" * 4 + "." * 8 + "-/=+_vx"
    noise = "".join(rng.choice(alphabet) for _ in range(200_000))
    assert len(re.findall(r"(?=[0-9]{4}\.[0-9]{4,5})", noise)) > 1000
    assert found("q" + noise) == []
    papers = planted(rng, 40)
    assert found(plant(rng, noise, papers)) == expected(papers)


def near_miss(rng: random.Random) -> str:
    """A word that looks like an id, a number or a link, but is no arXiv mention."""
    yy, mm = rng.choice(NEW_MONTHS)
    good = new_base(rng)
    choices = [
        f"{yy:02}{rng.choice([0, *range(13, 100)]):02}.{rng.randint(1, 99999):05}",  # month
        f"{rng.randint(0, 6):02}{rng.randint(1, 12):02}.{rng.randint(1, 9999):04}",  # pre-0704
        f"0703.{rng.randint(1, 9999):04}",
        f"{rng.randint(27, 99)}{rng.randint(1, 12):02}.{rng.randint(1, 99999):05}",  # future
        f"2612.{rng.randint(1, 99999):05}",
        f"{yy:02}{mm:02}.{rng.randint(1, 999):0{4 if yy >= 15 else 5}}",  # wrong width
        f"{yy:02}{mm:02}.{rng.randint(1, 999_999):06}",
        f"{yy:02}{mm:02}.{'0' * (5 if yy >= 15 else 4)}",  # paper 0
        rng.choice(list("./-=+#%@&~_a1б$€№")) + good,  # glued before
        rng.choice(["1,", "9:", "v", "0."]) + good,
        good + rng.choice(["5", ".5", "a", "_", "V2", "%", "v", "г"]),  # glued after
        f"{rng.uniform(0, 99_999):.{rng.choice([1, 2, 3, 6])}f}",  # decimals, prices
        f"{rng.randint(1, 28):02}.{rng.randint(1, 12):02}.{rng.randint(1990, 2030)}",  # dates
        f"{rng.randint(1990, 2030)}.{rng.randint(1, 12):02}.{rng.randint(1, 28):02}",
        ".".join(str(rng.randint(0, 255)) for _ in range(4)),  # IP addresses
        f"v{rng.randint(0, 9)}.{rng.randint(0, 99)}.{rng.randint(0, 99)}",  # versions
        f"{rng.randint(0, 9)}.{good}",
        f"+7 ({rng.randint(900, 999)}) {rng.randint(100, 999)}-{rng.randint(10, 99)}-"
        f"{rng.randint(10, 99)}",  # phones
        f"+1 {rng.randint(200, 999)}.{rng.randint(100, 999)}.{rng.randint(0, 9999):04}",
        f"https://x.com/u/status/{rng.randint(10**18, 10**19 - 1)}",  # links elsewhere
        f"https://github.com/org/repo/blob/{good}/README.md",
        f"https://example.org/abs/{good}",
        rng.choice(["foo", "hep", "xhep-th", "th"]) + f"/99{rng.randint(1, 12):02}123",
        f"hep-th/{rng.randint(704, 9107):04}{rng.randint(1, 999):03}",  # old style, out of range
        f"hep-th/{rng.randint(9108, 9912)}{rng.randint(1, 99):02}",
    ]
    return rng.choice(choices)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_near_miss_noise(seed: int) -> None:
    """Thousands of delimited words that almost are ids; only the planted ones count."""
    rng = random.Random(seed)
    separators = [" ", "  ", "\n", ", ", "; ", " — ", " (", ") ", ": "]
    words = [near_miss(rng) + rng.choice(separators) for _ in range(5_000)]
    noise = "".join(words)
    assert found(noise) == []
    papers = planted(rng, 30)
    assert found(plant(rng, noise, papers)) == expected(papers)
