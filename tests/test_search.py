"""Search: the query language, ranking, folding and stems, TeX, snippets, the on-disk index.

Small collections are written to a folder for each behaviour and searched through
`Collection`; random collections are checked against a brute-force scan written here
independently of the index.
"""

from __future__ import annotations

import json
import os
import random
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cache
from itertools import pairwise
from pathlib import Path

import pytest

from papernotes.errors import UsageError
from papernotes.ids import parse_id
from papernotes.index import Collection, SyncReport
from papernotes.index import sync as sync_module
from papernotes.index.query import run
from papernotes.note import Author, Note
from papernotes.search import All, Filter, Result, highlighter, parse_query, snippet
from papernotes.store import NoteStore
from papernotes.text import STOPWORDS, fold, stem

DATABASE = ".index.sqlite"
TINYDB = ".index.json"

# --- helpers -------------------------------------------------------------------------------

_serial = iter(range(1, 100_000))


def note(
    *,
    id: str | None = None,
    title: str = "",
    abstract: str = "",
    tldr: str = "",
    commentary: str = "",
    findings: Iterable[str] = (),
    tags: Iterable[str] = (),
    authors: Iterable[str] = ("Ann Example",),
    published: str = "2019-05-01T00:00:00Z",
    categories: Iterable[str] = ("cs.LG",),
) -> Note:
    """A note with a fresh valid arXiv id unless one is given."""
    cats = list(categories)
    return Note(
        id=id or f"1905.{next(_serial):05d}",
        title=title,
        abstract=abstract,
        tldr=tldr,
        commentary=commentary,
        findings=list(findings),
        tags=list(tags),
        authors=[Author(name) for name in authors],
        published=published,
        categories=cats,
        primary_category=cats[0] if cats else "",
    )


def year(y: int) -> str:
    return f"{y}-05-01T00:00:00Z"


def collection_of(root: Path, notes: Iterable[Note]) -> Collection:
    """The notes written as files into the new folder `root`, synced."""
    assert not root.exists() or not any(root.iterdir())
    store = NoteStore(root)
    for n in notes:
        assert store.create(n)
    collection = Collection(root)
    report = collection.sync()
    assert report.broken == [] and report.duplicates == [] and report.rebuilt is None
    return collection


Build = Callable[[Iterable[Note]], Collection]


@pytest.fixture
def build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Build]:
    """Writes notes into a fresh folder each time and returns its synced collection."""
    made: list[Collection] = []

    def make(notes: Iterable[Note]) -> Collection:
        made.append(collection_of(tmp_path_factory.mktemp("notes"), notes))
        return made[-1]

    yield make
    for collection in made:
        collection.database.close()


def shared(tmp_path_factory: pytest.TempPathFactory, notes: Iterable[Note]) -> Iterator[Collection]:
    """A collection for a module-scoped fixture, closed when the module is done."""
    collection = collection_of(tmp_path_factory.mktemp("shared"), notes)
    yield collection
    collection.database.close()


def ids_by_row(collection: Collection) -> dict[int, str]:
    """The id of the note at each row of the index (what a `Hit` points to)."""
    rowids = [row for row, _ in collection.entries()]
    return {rowid: n.id for rowid, n in zip(rowids, collection.notes(rowids), strict=True)}


def all_ids(collection: Collection) -> list[str]:
    return sorted(ids_by_row(collection).values())


def results(collection: Collection, query: str, limit: int | None = None) -> list[Result]:
    found, total = collection.search(parse_query(query), limit)
    if limit is None:
        assert total == len(found), query
    return found


def found(collection: Collection, query: str) -> list[str]:
    """Ids of the notes matching `query`, best first."""
    return [r.note.id for r in results(collection, query)]


def hits(collection: Collection, query: str) -> list[tuple[str, float]]:
    """(id, raw score) of the notes matching `query`, best first, as the index ranks them."""
    ids = ids_by_row(collection)
    ranked, total = run(collection.database, parse_query(query), None)
    assert total == len(ranked)
    return [(ids[h.rowid], h.score) for h in ranked]


def usage_error(query: str) -> str:
    with pytest.raises(UsageError) as caught:
        parse_query(query)
    message = str(caught.value)
    assert "\n" not in message  # one line
    return message


def touch_later(path: Path) -> None:
    """Move the modification time on, so an edit is seen even with coarse timestamps."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


# --- 1. the query language -----------------------------------------------------------------

LIBRARY = [
    note(
        id="1706.03762",
        title="Attention is all you need",
        abstract="The transformer relies on attention, dropping recurrence entirely.",
        authors=["Ashish Vaswani", "Noam Shazeer"],
        tags=["transformers", "nlp"],
        published=year(2017),
        categories=["cs.CL", "cs.LG"],
    ),
    note(
        id="1803.03635",
        title="The lottery ticket hypothesis",
        abstract="Dense networks contain sparse subnetworks that train in isolation.",
        tldr="Winning tickets exist; attention is not needed.",
        authors=["Jonathan Frankle", "Michael Carbin"],
        tags=["pruning"],
        published=year(2018),
        categories=["cs.LG"],
    ),
    note(
        id="1905.01001",
        title="Deep networks for graph data",
        abstract="Message passing over graph structure.",
        authors=["Petar Velickovic"],
        tags=["graphs", "Deep Learning"],
        published=year(2019),
        categories=["stat.ML"],
    ),
    note(
        id="1905.01002",
        title="Random matrices",
        abstract="Spectra of random matrices and networks.",
        authors=["Terence Tao"],
        published=year(2019),
        categories=["csx.Y"],
    ),
    note(
        id="hep-th/9901001",
        title="Strings on branes",
        abstract="D-branes carry charge.",
        authors=["Edward Witten"],
        tags=["strings"],
        published=year(1999),
        categories=["hep-th"],
    ),
    note(
        id="2101.00001",
        title="Scaling laws for sparse networks",
        abstract="Bigger sparse models train faster.",
        authors=["Jared Kaplan"],
        tags=["scaling", "pruning"],
        published=year(2021),
        categories=["cs.LG"],
    ),
]


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Collection]:
    """Six notes with distinct authors, tags, categories, years and id styles."""
    yield from shared(tmp_path_factory, LIBRARY)


def test_the_library_holds_every_note(library: Collection) -> None:
    assert all_ids(library) == sorted(n.id for n in LIBRARY)
    assert len(library) == 6


def test_words_are_anded(library: Collection) -> None:
    assert set(found(library, "networks")) == {
        "1803.03635",
        "1905.01001",
        "1905.01002",
        "2101.00001",
    }
    assert set(found(library, "sparse networks")) == {"1803.03635", "2101.00001"}
    assert found(library, "sparse graph") == []


def test_a_quoted_phrase_needs_the_words_together(library: Collection) -> None:
    assert found(library, '"lottery ticket"') == ["1803.03635"]
    assert found(library, '"ticket lottery"') == []
    assert set(found(library, "random networks")) == {"1905.01002"}
    assert found(library, '"random networks"') == []


def test_minus_excludes_a_word_or_a_phrase(library: Collection) -> None:
    assert set(found(library, "networks -sparse")) == {"1905.01001", "1905.01002"}
    assert set(found(library, 'networks -"graph data"')) == {
        "1803.03635",
        "1905.01002",
        "2101.00001",
    }
    # A phrase only excludes where its words stand together.
    assert "1905.01001" in found(library, 'networks -"data graph"')


def test_star_matches_words_by_prefix(library: Collection) -> None:
    assert set(found(library, "matri*")) == {"1905.01002"}
    assert set(found(library, "bran*")) == {"hep-th/9901001"}
    assert set(found(library, "spars*")) == {"1803.03635", "2101.00001"}
    assert found(library, "matri") == []  # without the star it is a whole word


def test_title_field_looks_only_at_titles(library: Collection) -> None:
    assert set(found(library, "attention")) == {"1706.03762", "1803.03635"}
    assert found(library, "title:attention") == ["1706.03762"]
    assert found(library, 'title:"lottery ticket"') == ["1803.03635"]


def test_author_field_matches_any_part_of_a_name(library: Collection) -> None:
    assert found(library, "author:vaswani") == ["1706.03762"]
    assert found(library, "author:ashish") == ["1706.03762"]
    assert found(library, "author:shazeer") == ["1706.03762"]
    assert found(library, 'author:"michael carbin"') == ["1803.03635"]
    assert found(library, "author:carbin author:frankle") == ["1803.03635"]
    assert found(library, "author:attention") == []  # the title is not an author


def test_tag_field_matches_whole_tags(library: Collection) -> None:
    assert set(found(library, "tag:pruning")) == {"1803.03635", "2101.00001"}
    assert found(library, "tag:prun") == []
    assert found(library, "tag:#strings") == ["hep-th/9901001"]
    assert found(library, 'tag:"deep learning"') == ["1905.01001"]
    assert set(found(library, "tag:pruning -tag:scaling")) == {"1803.03635"}


def test_cat_field_matches_a_category_or_an_archive(library: Collection) -> None:
    assert set(found(library, "cat:cs")) == {"1706.03762", "1803.03635", "2101.00001"}
    assert found(library, "cat:cs.") == found(library, "cat:cs.*") == found(library, "cat:cs")
    assert found(library, "cat:cs.cl") == ["1706.03762"]
    assert found(library, "cat:CS.CL") == ["1706.03762"]
    assert found(library, "cat:csx") == ["1905.01002"]
    assert found(library, "cat:hep-th") == ["hep-th/9901001"]
    assert found(library, "cat:stat.ML") == ["1905.01001"]


def test_year_field_takes_a_year_or_a_range(library: Collection) -> None:
    assert set(found(library, "year:2019")) == {"1905.01001", "1905.01002"}
    assert found(library, "year:2017..2019") == [
        "1905.01002",
        "1905.01001",
        "1803.03635",
        "1706.03762",
    ]
    assert found(library, "year:2019..") == ["2101.00001", "1905.01002", "1905.01001"]
    assert found(library, "year:..2017") == ["1706.03762", "hep-th/9901001"]
    assert found(library, "year:2010") == []
    assert found(library, "networks -year:2019") == ["2101.00001", "1803.03635"]


def test_id_field_takes_an_id_an_old_id_or_a_prefix(library: Collection) -> None:
    assert found(library, "id:1706.03762") == ["1706.03762"]
    assert found(library, "id:1706.03762v5") == ["1706.03762"]
    assert found(library, "id:arXiv:1706.03762") == ["1706.03762"]
    assert found(library, "id:https://arxiv.org/abs/1706.03762v2") == ["1706.03762"]
    assert found(library, "id:hep-th/9901001") == ["hep-th/9901001"]
    assert found(library, "id:hep-th") == ["hep-th/9901001"]
    assert found(library, "id:1905.") == ["1905.01002", "1905.01001"]
    assert found(library, "id:1706.") == ["1706.03762"]


def test_field_aliases_and_case(library: Collection) -> None:
    assert found(library, "ti:attention") == found(library, "title:attention")
    assert found(library, "au:vaswani") == ["1706.03762"]
    assert found(library, "tags:strings") == ["hep-th/9901001"]
    assert found(library, "category:csx") == ["1905.01002"]
    assert found(library, "arxiv:1706.03762") == ["1706.03762"]
    assert found(library, "TITLE:Attention") == ["1706.03762"]
    assert found(library, "Author:VASWANI") == ["1706.03762"]
    assert found(library, "Tag:Pruning Year:2021") == ["2101.00001"]


def test_query_errors_name_the_problem() -> None:
    assert "unclosed quote" in usage_error('"lottery ticket')
    assert "unclosed quote" in usage_error('networks -"lottery')
    message = usage_error("venue:neurips")
    assert "unknown field venue:" in message
    for name in ("title:", "author:", "tag:", "cat:", "year:", "id:"):
        assert name in message
    assert usage_error("year:19").startswith("year:19: expected a year like 2019, or a range")
    assert "year:last" in usage_error("year:last")
    assert "Year:2019-2020: expected" in usage_error("Year:2019-2020")
    assert "year:2020..2017: the range runs backwards; write 2017..2020" in usage_error(
        "year:2020..2017"
    )
    assert usage_error("cat:c$").startswith("cat:c$: expected an arXiv category like cs.LG")
    assert usage_error("category:cs.1").startswith("category:cs.1: expected an arXiv category")
    assert "needs a value" in usage_error('title:""')
    message = usage_error("the of")
    assert "nothing to search for" in message
    assert "'the'" in message
    assert "'of'" in message
    assert "nothing to search for" in usage_error("-sparse")  # nothing left to rank


def test_a_bare_stopword_is_too_common() -> None:
    message = usage_error("the")
    assert "nothing to search for" in message
    assert "'the'" in message
    assert "too common" in message
    assert "'the'" in usage_error('"the"')  # quoting a stopword alone does not help


def test_an_empty_field_value_is_an_error() -> None:
    assert "needs a value" in usage_error("title:")


def test_a_field_followed_by_a_space_is_an_error() -> None:
    assert "needs a value" in usage_error("title: attention")


def test_a_url_is_not_an_unknown_field() -> None:
    query = parse_query("https://arxiv.org/abs/1706.03762")
    assert query.root == All((Filter("id", "1706.03762"),))  # a pasted link finds that paper
    parse_query("http://example.org")


def test_a_pasted_link_finds_its_paper(library: Collection) -> None:
    assert found(library, "https://arxiv.org/abs/1706.03762v3") == ["1706.03762"]
    assert found(library, "1803.03635") == ["1803.03635"]


def test_a_stopword_prefix_still_matches_longer_words(build: Build) -> None:
    collection = build([note(title="Fast inference"), note(title="Slow training")])
    assert len(found(collection, "in*")) == 1


# --- 1b. OR and parentheses ----------------------------------------------------------------


@pytest.fixture(scope="module")
def generative(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Collection]:
    yield from shared(
        tmp_path_factory,
        [
            note(id="1905.00801", title="Variational autoencoders", abstract="A VAE in depth."),
            note(id="1905.00802", title="VAE-GAN hybrids"),
            note(id="1905.00803", title="Denoising autoencoder"),
            note(id="1905.00804", title="GAN training"),
            note(id="1905.00805", title="Diffusion", tags=["generative"]),
            note(id="1905.00806", title="Nothing related", abstract="Bees and flowers."),
        ],
    )


def test_or_finds_either_word(library: Collection, generative: Collection) -> None:
    assert set(found(library, "lottery OR graph")) == {"1803.03635", "1905.01001"}
    assert set(found(library, "lottery OR pruning")) == {"1803.03635", "2101.00001"}
    assert set(found(generative, "vae OR autoencoder")) == {
        "1905.00801",
        "1905.00802",
        "1905.00803",
    }
    assert set(found(generative, "vae OR nonexistentword")) == {"1905.00801", "1905.00802"}
    assert found(generative, "nonexistentword OR otherword") == []
    assert set(found(generative, "bees OR gan OR diffusion")) == {
        "1905.00802",
        "1905.00804",
        "1905.00805",
        "1905.00806",
    }


def test_a_group_can_be_excluded_or_combined(generative: Collection) -> None:
    assert set(found(generative, "(vae OR autoencoder) -gan")) == {"1905.00801", "1905.00803"}
    assert found(generative, "gan -(vae OR autoencoder)") == ["1905.00804"]
    assert set(found(generative, "autoencoder -(gan OR diffusion)")) == {
        "1905.00801",
        "1905.00803",
    }
    assert found(generative, "(vae OR autoencoder) denoising") == ["1905.00803"]
    assert found(generative, "(vae)") == found(generative, "vae")


def test_a_filter_can_be_ored_with_words(generative: Collection, library: Collection) -> None:
    assert set(found(generative, "tag:generative OR vae")) == {
        "1905.00801",
        "1905.00802",
        "1905.00805",
    }
    assert set(found(generative, "vae OR tag:generative")) == {
        "1905.00801",
        "1905.00802",
        "1905.00805",
    }
    assert set(found(library, "year:1999 OR lottery")) == {"hep-th/9901001", "1803.03635"}
    assert set(found(library, "(tag:strings OR cat:stat) -graph")) == {"hep-th/9901001"}
    assert set(found(library, "networks (tag:pruning OR year:2019)")) == {
        "1803.03635",
        "1905.01001",
        "1905.01002",
        "2101.00001",
    }
    assert found(library, "networks -(tag:scaling OR year:2019)") == ["1803.03635"]
    assert found(library, "networks -(tag:pruning OR year:2019)") == []
    assert set(found(library, "tag:pruning -(lottery OR year:2019)")) == {"2101.00001"}


def test_groups_nest(generative: Collection) -> None:
    assert set(found(generative, "(gan (training OR hybrids)) OR diffusion")) == {
        "1905.00802",
        "1905.00804",
        "1905.00805",
    }
    assert found(generative, "(vae OR gan) -(hybrids OR training)") == ["1905.00801"]
    assert set(found(generative, "((vae OR (denoising -variational)) -gan) autoencoder")) == {
        "1905.00801",
        "1905.00803",
    }
    assert found(generative, "-(gan OR (vae -hybrids)) autoencoder") == ["1905.00803"]


def test_or_joins_the_words_around_it(generative: Collection) -> None:
    # expression := sequence (OR sequence)*: the words either side of OR are ANDed first.
    assert set(found(generative, "denoising autoencoder OR gan")) == {
        "1905.00802",
        "1905.00803",
        "1905.00804",
    }
    assert set(found(generative, "gan OR denoising autoencoder")) == {
        "1905.00802",
        "1905.00803",
        "1905.00804",
    }
    assert found(generative, "denoising (autoencoder OR gan)") == ["1905.00803"]


def test_lowercase_or_is_a_common_word_not_an_operator(generative: Collection) -> None:
    query = parse_query("vae or gan")
    assert "or" in query.ignored
    assert found(generative, "vae or gan") == ["1905.00802"]  # both words, as with AND
    assert set(found(generative, "oracle OR vae")) == {"1905.00801", "1905.00802"}
    assert found(generative, "ORacle") == []  # a word starting with OR is a word


def test_or_and_parentheses_errors_name_the_problem() -> None:
    for query in ("vae OR", "OR vae", "vae OR OR gan", "(OR vae)", "vae (gan OR)"):
        assert "OR" in usage_error(query), query
    assert "unclosed '('" in usage_error("(vae")
    assert "unclosed '('" in usage_error("gan (vae OR (autoencoder)")
    assert "unmatched ')'" in usage_error("vae)")
    assert "unmatched ')'" in usage_error("(vae) gan)")
    assert "nothing to search for" in usage_error("-(vae OR gan)")
    assert "nothing to search for" in usage_error("()")
    assert "nothing to search for" in usage_error("(the OR of)")


# --- 2. ranking ----------------------------------------------------------------------------

RANKED = [
    # the word in the title, the TL;DR, the tags ...
    note(
        id="1905.00001",
        title="Sparse experts",
        tldr="Distillation shrinks networks.",
        tags=["pruning"],
        abstract="We route tokens with a model.",
        published=year(2016),
    ),
    # ... versus only in the abstract (a newer note, so a tie would put it first)
    note(
        id="1905.00002",
        title="Routing tokens",
        abstract="Sparse experts: distillation and pruning shrink networks with a model.",
        published=year(2022),
    ),
    # the same length everywhere; `curriculum` twice versus once
    note(
        id="1905.00003",
        title="Ordering examples",
        abstract="Curriculum order, then curriculum again for a model.",
        published=year(2017),
    ),
    note(
        id="1905.00004",
        title="Ordering examples",
        abstract="Curriculum order, then random again for a model.",
        published=year(2021),
    ),
    # a rare word (zebrafish) in the title versus a common one (model)
    note(
        id="1905.00005",
        title="Zebrafish swimming",
        abstract="A model of fish.",
        published=year(2015),
        categories=["q-bio.NC"],
    ),
    note(
        id="1905.00006",
        title="Swimming model",
        abstract="A zebrafish of fish.",
        published=year(2023),
        categories=["q-bio.NC"],
    ),
    # twins: the same text, only the dates differ
    note(id="1905.00007", title="Twin study", abstract="Identical twins.", published=year(2018)),
    note(id="1905.00008", title="Twin study", abstract="Identical twins.", published=year(2020)),
]


@pytest.fixture(scope="module")
def ranked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Collection]:
    yield from shared(tmp_path_factory, RANKED)


def test_a_title_hit_ranks_above_an_abstract_hit(ranked: Collection) -> None:
    assert found(ranked, "sparse") == ["1905.00001", "1905.00002"]


def test_tldr_and_tag_hits_rank_above_abstract_hits(build: Build) -> None:
    # Every note has a TL;DR and tags here (see the next test for when few do).
    filled = [
        replace(n, tldr=n.tldr or "A short summary here.", tags=n.tags or ["misc"]) for n in RANKED
    ]
    collection = build(filled)
    assert found(collection, "distillation") == ["1905.00001", "1905.00002"]
    assert found(collection, "pruning") == ["1905.00001", "1905.00002"]


def test_tldr_and_tag_hits_rank_above_abstract_hits_when_few_notes_have_them(
    ranked: Collection,
) -> None:
    assert found(ranked, "distillation") == ["1905.00001", "1905.00002"]
    assert found(ranked, "pruning") == ["1905.00001", "1905.00002"]


def test_more_occurrences_rank_higher(ranked: Collection) -> None:
    assert found(ranked, "curriculum") == ["1905.00003", "1905.00004"]


def test_a_rare_word_weighs_more_than_a_common_one(ranked: Collection) -> None:
    assert len(found(ranked, "model")) == 6
    assert found(ranked, "model zebrafish") == ["1905.00005", "1905.00006"]


def test_ranking_does_not_depend_on_word_order(ranked: Collection) -> None:
    assert found(ranked, "zebrafish model") == ["1905.00005", "1905.00006"]


def test_ties_go_to_the_newest(ranked: Collection) -> None:
    scored = hits(ranked, "twin")
    assert [i for i, _ in scored] == ["1905.00008", "1905.00007"]
    assert scored[0][1] == pytest.approx(scored[1][1])
    assert scored[0][1] > 0


def test_filters_alone_return_every_match_newest_first(ranked: Collection) -> None:
    assert found(ranked, "year:2017..2021") == [
        "1905.00004",
        "1905.00008",
        "1905.00007",
        "1905.00003",
    ]
    assert found(ranked, "cat:q-bio") == ["1905.00006", "1905.00005"]
    everything = found(ranked, "cat:cs")
    assert len(everything) == 6
    published = [n.published for i in everything for n in RANKED if n.id == i]
    assert published == sorted(published, reverse=True)


def test_scores_are_positive_and_best_first(ranked: Collection) -> None:
    scores = [score for _, score in hits(ranked, "model")]
    assert len(scores) == 6
    assert all(s > 0 for s in scores)
    assert scores == sorted(scores, reverse=True)


def test_a_result_carries_its_score_rounded(ranked: Collection) -> None:
    raw = dict(hits(ranked, "curriculum"))
    shown = results(ranked, "curriculum")
    assert [r.score for r in shown] == [round(raw[r.note.id], 4) for r in shown]
    assert shown[0].score > shown[1].score


def test_a_limit_keeps_the_best_and_counts_them_all(ranked: Collection) -> None:
    every = found(ranked, "model")
    best, total = ranked.search(parse_query("model"), 2)
    assert total == 6
    assert [r.note.id for r in best] == every[:2]
    newest, total = ranked.search(parse_query("cat:cs"), 1)
    assert total == 6 and [r.note.id for r in newest] == ["1905.00002"]


def test_a_note_matching_both_sides_of_or_ranks_first(build: Build) -> None:
    collection = build(
        [
            note(id="1905.00901", abstract="Alpha beta gamma.", published=year(2015)),
            note(id="1905.00902", abstract="Alpha delta gamma.", published=year(2023)),
            note(id="1905.00903", abstract="Epsilon beta gamma.", published=year(2022)),
            note(id="1905.00904", abstract="Epsilon delta gamma.", published=year(2021)),
            note(id="1905.00905", abstract="Zeta delta gamma.", published=year(2020)),
        ]
    )
    ranked = found(collection, "alpha OR beta")
    assert ranked[0] == "1905.00901"
    assert set(ranked) == {"1905.00901", "1905.00902", "1905.00903"}


def test_words_ored_with_a_filter_rank_above_the_filter_alone(build: Build) -> None:
    collection = build(
        [
            note(id="1905.00911", title="Variational autoencoders", published=year(2015)),
            note(id="1905.00912", title="Diffusion", tags=["generative"], published=year(2023)),
            note(id="1905.00913", title="Flows", tags=["generative"], published=year(2021)),
            note(id="1905.00914", title="Bees", published=year(2022)),
            note(id="1905.00915", title="Flowers", published=year(2022)),
        ]
    )
    scored = hits(collection, "tag:generative OR variational")
    assert [i for i, _ in scored] == ["1905.00911", "1905.00912", "1905.00913"]
    assert scored[0][1] > 0


# --- 3. Unicode ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def unicode_collection(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Collection]:
    yield from shared(
        tmp_path_factory,
        [
            note(id="1905.00101", title="MIMO detection", authors=["Dirk Wübben"]),
            note(id="1905.00102", title="Lattice reduction", commentary="Follows Wübben's idea."),
            note(id="1905.00103", title="Sphere decoding", abstract="As in Wubben et al."),
            note(id="1905.00104", title="Die Straße der Modelle"),
            note(id="1905.00105", commentary="Хороший обзор генерации текста."),
            note(id="1905.00106", tldr="Одна модель для всего."),
            note(id="1905.00107", abstract="Ёлка и ёж."),
            note(id="1905.00108", abstract="Елка в лесу."),
            note(id="1905.00109", title="Μάθηση αναπαραστάσεων"),
            note(id="1905.00110", tldr="深度学习 模型"),
            note(id="1905.00111", abstract="We ﬁne-tune the model."),
            note(id="1905.00112", abstract="Coarse then fine stages."),
        ],
    )


def test_accents_are_ignored(unicode_collection: Collection) -> None:
    assert found(unicode_collection, "author:wubben") == ["1905.00101"]
    assert set(found(unicode_collection, "wubben")) == {"1905.00101", "1905.00102", "1905.00103"}
    assert set(found(unicode_collection, "Wübben")) == {"1905.00101", "1905.00102", "1905.00103"}
    assert found(unicode_collection, "author:Wübben") == ["1905.00101"]


def test_case_is_folded_fully(unicode_collection: Collection) -> None:
    assert found(unicode_collection, "STRASSE") == ["1905.00104"]
    assert found(unicode_collection, "strasse") == ["1905.00104"]
    assert found(unicode_collection, "straße") == ["1905.00104"]


def test_russian_words_match_other_inflections(unicode_collection: Collection) -> None:
    assert found(unicode_collection, "генерация") == ["1905.00105"]
    assert found(unicode_collection, "ГЕНЕРАЦИЯ") == ["1905.00105"]
    assert found(unicode_collection, "модели") == ["1905.00106"]
    assert found(unicode_collection, "модель") == ["1905.00106"]


def test_yo_and_ye_are_the_same_letter(unicode_collection: Collection) -> None:
    assert set(found(unicode_collection, "елка")) == {"1905.00107", "1905.00108"}
    assert set(found(unicode_collection, "ёлка")) == {"1905.00107", "1905.00108"}
    assert found(unicode_collection, "еж") == ["1905.00107"]


def test_other_scripts_are_matched_as_written(unicode_collection: Collection) -> None:
    assert found(unicode_collection, "μάθηση") == ["1905.00109"]
    assert found(unicode_collection, "ΜΆΘΗΣΗ") == ["1905.00109"]
    assert found(unicode_collection, "μαθηση") == ["1905.00109"]
    assert found(unicode_collection, "深度学习") == ["1905.00110"]
    assert found(unicode_collection, "模型") == ["1905.00110"]
    assert found(unicode_collection, "学习模型") == []


def test_ligatures_are_unfolded(unicode_collection: Collection) -> None:
    assert set(found(unicode_collection, "ﬁne")) == {"1905.00111", "1905.00112"}
    assert set(found(unicode_collection, "fine")) == {"1905.00111", "1905.00112"}
    assert found(unicode_collection, '"fine tune"') == ["1905.00111"]


def test_arabic_and_hebrew_vowel_marks_are_ignored(build: Build) -> None:
    collection = build([note(id="1905.00121", abstract="كَتَبَ"), note(id="1905.00122", tldr="שָׁלוֹם")])
    assert found(collection, "كتب") == ["1905.00121"]
    assert found(collection, "שלום") == ["1905.00122"]


def test_russian_words_with_short_i_match_other_inflections(build: Build) -> None:
    collection = build([note(commentary="Нейронный поиск."), note(commentary="Сетей много.")])
    assert len(found(collection, "нейронные")) == 1
    assert len(found(collection, "сети")) == 1


@pytest.mark.parametrize(
    "text",
    [
        "Attention Is All You Need",
        "x_1 + y^2 = z; f(x)=O(n log n), 3.14, __init__, ___, a_b _ the_",
        "Tabs\tand\nnew lines\r\n, dashes - and -- em: self-attention/BERT [12]",
        "Wübben and Ёлка: not ASCII, so the regular expression path",
    ],
)
def test_every_word_of_a_text_finds_it(build: Build, text: str) -> None:
    """What the old ASCII shortcut of the tokenizer protected: index and query agree."""
    n = note(abstract=text)
    collection = build([n, note(abstract="Unrelated filler text.")])
    words = [w for w in re.findall(r"\w+", fold(text)) if w.strip("_")]
    assert words
    for word in words:
        if word in STOPWORDS:
            continue
        assert found(collection, word) == [n.id], word
        assert found(collection, word.upper()) == [n.id], word
    # the words in order, stopwords included, are a phrase of the text
    assert found(collection, '"' + " ".join(words) + '"') == [n.id]


# --- 3b. TeX -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tex_collection(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Collection]:
    yield from shared(
        tmp_path_factory,
        [
            note(id="1905.00131", abstract=r"Bounds on the R\'{e}nyi entropy of sources."),
            note(id="1905.00132", title=r"Schr\"odinger equation"),
            note(id="1905.00133", title="Plain entropy", abstract="Shannon, no TeX here."),
        ],
    )


@pytest.mark.parametrize("query", ["Renyi", "Rényi", "renyi", "RENYI", "renyi entropy"])
def test_tex_accents_are_searched_as_the_letters_they_make(
    tex_collection: Collection, query: str
) -> None:
    assert found(tex_collection, query) == ["1905.00131"]


def test_a_tex_title_is_searched_as_its_letters(tex_collection: Collection) -> None:
    for query in ("schrodinger", "Schrödinger", "title:schrodinger", '"schrodinger equation"'):
        assert found(tex_collection, query) == ["1905.00132"], query
    assert found(tex_collection, "odinger") == []  # the TeX is not split into words


def test_a_tex_snippet_shows_and_marks_the_letters(tex_collection: Collection) -> None:
    (result,) = results(tex_collection, "renyi")
    assert "Rényi" in result.snippet
    assert "\\" not in result.snippet
    assert [result.snippet[s:e] for s, e in result.marks] == ["Rényi"]
    (result,) = results(tex_collection, "schrodinger")
    assert result.snippet == "Schrödinger equation"
    assert [result.snippet[s:e] for s, e in result.marks] == ["Schrödinger"]


# --- 4. English inflection -----------------------------------------------------------------


@pytest.fixture(scope="module")
def english(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Collection]:
    yield from shared(
        tmp_path_factory,
        [
            note(id="1905.00201", title="Winning tickets"),
            note(id="1905.00202", title="A single ticket"),
            note(id="1905.00203", abstract="Bounds on generalization."),
            note(id="1905.00204", abstract="Text generation at scale."),
            note(id="1905.00205", abstract="Genes and proteins."),
            note(id="1905.00206", abstract="A general recipe."),
        ],
    )


def test_singular_and_plural_find_each_other(english: Collection) -> None:
    assert set(found(english, "ticket")) == {"1905.00201", "1905.00202"}
    assert set(found(english, "tickets")) == {"1905.00201", "1905.00202"}
    assert set(found(english, "TICKETS")) == {"1905.00201", "1905.00202"}


def test_derived_forms_share_a_stem(english: Collection) -> None:
    # Snowball English reduces generalize, generalization and general to `general`.
    assert stem("generalize") == stem("generalization")
    assert set(found(english, "generalize")) == {"1905.00203", "1905.00206"}
    assert "1905.00203" in found(english, "generalizes")


def test_a_prefix_matches_unrelated_words(english: Collection) -> None:
    assert set(found(english, "gen*")) == {
        "1905.00203",
        "1905.00204",
        "1905.00205",
        "1905.00206",
    }
    assert set(found(english, "gene*")) == {
        "1905.00203",
        "1905.00204",
        "1905.00205",
        "1905.00206",
    }
    assert set(found(english, "generat*")) == {"1905.00204"}
    assert found(english, "genes") == ["1905.00205"]


def test_a_prefix_reaching_past_a_stem_finds_the_words_it_starts(english: Collection) -> None:
    # `generaliz` is longer than the stem `general` of `generalization`, so the stem alone
    # would miss it; through that stem it also finds `general` (the index holds stems).
    assert set(found(english, "generaliz*")) == {"1905.00203", "1905.00206"}
    assert found(english, "generalizatio*") == found(english, "generaliz*")
    assert found(english, "ticke*") == found(english, "ticket")


# --- 5. phrases ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def phrases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Collection]:
    yield from shared(
        tmp_path_factory,
        [
            note(id="1905.00301", title="Lottery tickets in transformers"),
            note(id="1905.00302", title="The ticket lottery"),
            note(id="1905.00303", abstract="A lottery for prizes, then a ticket for the train."),
            note(id="1905.00304", abstract="Results are state of the art."),
            note(id="1905.00305", abstract="The art of keeping state."),
            note(id="1905.00306", tldr="Lottery", commentary="ticket"),
            note(id="1905.00307", abstract="Liquid helium is all we need."),
            note(id="1905.00308", abstract="Liquid helium is not all we need."),
            note(id="1905.00309", abstract="All is helium, said nobody."),
            note(id="1905.00310", title="Helium all the way", abstract="It is cold."),
            note(id="1905.00311", abstract="Cold HELIUM: IS ALL!"),
        ],
    )


def test_a_phrase_matches_inflected_words_in_order(phrases: Collection) -> None:
    assert found(phrases, '"lottery ticket"') == ["1905.00301"]
    assert found(phrases, '"lottery tickets"') == ["1905.00301"]
    assert found(phrases, '"ticket lottery"') == ["1905.00302"]
    assert set(found(phrases, "lottery ticket")) == {
        "1905.00301",
        "1905.00302",
        "1905.00303",
        "1905.00306",
    }


def test_a_phrase_with_stopwords_inside(phrases: Collection) -> None:
    assert found(phrases, '"state of the art"') == ["1905.00304"]
    assert found(phrases, '"State of the Art"') == ["1905.00304"]
    assert set(found(phrases, "state art")) == {"1905.00304", "1905.00305"}
    assert found(phrases, '"art of the state"') == []
    assert found(phrases, '"art of keeping"') == ["1905.00305"]
    assert found(phrases, '"art in keeping"') == []  # another stopword is another word


def test_a_phrase_matches_exactly_its_words_stopwords_included(phrases: Collection) -> None:
    assert set(found(phrases, '"helium is all"')) == {"1905.00307", "1905.00311"}
    assert set(found(phrases, "helium")) == {
        "1905.00307",
        "1905.00308",
        "1905.00309",
        "1905.00310",
        "1905.00311",
    }
    assert found(phrases, '"helium is not all"') == ["1905.00308"]
    assert found(phrases, '"all is helium"') == ["1905.00309"]
    assert found(phrases, '"helium all"') == ["1905.00310"]
    assert set(found(phrases, 'helium -"helium is all"')) == {
        "1905.00308",
        "1905.00309",
        "1905.00310",
    }
    assert set(found(phrases, '"helium is all" OR "all is helium"')) == {
        "1905.00307",
        "1905.00309",
        "1905.00311",
    }


def test_a_phrase_starting_or_ending_with_stopwords(phrases: Collection) -> None:
    assert found(phrases, '"is all we need"') == ["1905.00307"]
    assert "too common" in usage_error('"is all we"')  # stopwords only
    assert found(phrases, '"the ticket"') == ["1905.00302"]
    assert found(phrases, '"ticket for the"') == ["1905.00303"]


# --- 6. negation ---------------------------------------------------------------------------


def test_minus_removes_a_word_found_in_any_field(build: Build) -> None:
    collection = build(
        [
            note(id="1905.00401", title="Graph networks", abstract="Nothing else."),
            note(id="1905.00402", title="Graphs", abstract="With attention."),
            note(id="1905.00403", title="Graphs", tags=["attention"]),
            note(id="1905.00404", title="Graphs", authors=["Attention Smith"]),
            note(id="1905.00405", title="Graphs", findings=["attention helps"]),
            note(id="1905.00406", title="Graphs", commentary="Uses attentions."),
            note(id="1905.00407", title="Attention graphs"),
            note(id="1905.00408", title="Graphs", tldr="Attention!"),
            note(id="1905.00409", title="Graphs", tags=["other"], published=year(2020)),
        ]
    )
    assert len(found(collection, "graph")) == 9
    assert set(found(collection, "graph -attention")) == {"1905.00401", "1905.00409"}
    assert found(collection, "year:2020 -attention") == ["1905.00409"]
    assert set(found(collection, "year:2019 -attention")) == {"1905.00401"}
    assert set(found(collection, "cat:cs -attention -networks")) == {"1905.00409"}
    assert found(collection, "tag:other -graphs") == []
    assert set(found(collection, "graph -(attention OR networks)")) == {"1905.00409"}
    assert set(found(collection, "graph -(attention OR tag:other)")) == {"1905.00401"}
    assert found(collection, "graph -(attention OR networks OR year:2020)") == []


# --- 7. snippets ---------------------------------------------------------------------------


def snip(n: Note, query: str) -> tuple[str, list[tuple[int, int]]]:
    return snippet(n, highlighter(parse_query(query)))


def check_marks(text: str, marks: list[tuple[int, int]], wanted: set[str]) -> None:
    """Every mark covers a whole word of `text` that folds to one of `wanted`."""
    assert marks
    for start, end in marks:
        assert 0 <= start < end <= len(text)
        assert fold(text[start:end]) in wanted
        assert start == 0 or not text[start - 1].isalnum()
        assert end == len(text) or not text[end].isalnum()


FILLER = " ".join(f"word{i} lorem ipsum dolor" for i in range(40))


def test_a_snippet_is_short_and_marks_the_matched_words() -> None:
    n = note(commentary=f"{FILLER} then the Lottery tickets appear. {FILLER}")
    text, marks = snip(n, "ticket lottery")
    assert len(text) <= 165
    assert "Lottery tickets" in text
    assert text.startswith("…")
    assert text.endswith("…")
    check_marks(text, marks, {"lottery", "tickets"})
    assert len(marks) == 2


def test_snippet_marks_prefixes_and_folded_words() -> None:
    n = note(tldr="Dirk Wübben reduces lattices; Wubben's generative models.")
    text, marks = snip(n, "wubben gen*")
    assert text == n.tldr
    assert [text[s:e] for s, e in marks] == ["Wübben", "Wubben", "generative"]


def test_snippet_marks_the_words_of_every_alternative_but_not_excluded_ones() -> None:
    n = note(tldr="Lottery tickets and pruning, without graphs.")
    text, marks = snip(n, "(lottery OR pruning) -graphs")
    assert [text[s:e] for s, e in marks] == ["Lottery", "pruning"]
    text, marks = snip(n, '"lottery tickets" OR tag:x')
    assert [text[s:e] for s, e in marks] == ["Lottery", "tickets"]


def test_a_snippet_from_a_search_marks_the_matched_words(phrases: Collection) -> None:
    (result,) = results(phrases, '"state of the art"')
    assert result.snippet == "Results are state of the art."
    assert [result.snippet[s:e] for s, e in result.marks] == ["state", "art"]


def test_a_snippet_prefers_the_tldr_and_commentary_over_the_abstract() -> None:
    both = note(tldr="Pruning works early.", abstract="We study pruning at length.")
    text, marks = snip(both, "pruning")
    assert text == "Pruning works early."
    check_marks(text, marks, {"pruning"})
    comment = note(commentary="Pruning after training, mine.", abstract="We study pruning.")
    text, _ = snip(comment, "pruning")
    assert text == "Pruning after training, mine."
    # but a TL;DR without the word gives way to an abstract with it
    other = note(tldr="Nothing here.", abstract="We study pruning.")
    assert snip(other, "pruning")[0] == "We study pruning."


def test_a_snippet_without_matched_words_shows_the_first_text() -> None:
    n = note(tldr=f"A long TL;DR. {FILLER}", abstract="An abstract.")
    text, marks = snip(n, "year:2019")
    assert marks == []
    assert text.startswith("A long TL;DR. word0")
    assert text.endswith("…")
    assert len(text) <= 165
    bare = note(title="Only a title")
    assert snip(bare, "cat:cs") == ("Only a title", [])


def test_a_snippet_holds_a_match_late_in_a_long_text() -> None:
    n = note(abstract=f"{FILLER} {FILLER} and finally zebrafish")
    text, marks = snip(n, "zebrafish")
    assert text.endswith("zebrafish")
    assert len(text) <= 165
    check_marks(text, marks, {"zebrafish"})


def test_a_snippet_marks_decomposed_accents(build: Build) -> None:
    n = note(tldr=unicodedata.normalize("NFD", "Method of Dirk Wübben."))
    collection = build([n])
    assert found(collection, "wubben") == [n.id]
    _, marks = snip(n, "wubben")
    assert len(marks) == 1


# --- 8. brute force ------------------------------------------------------------------------

VOCABULARY = """
ticket tickets lottery lotteries network networks networking train training trained
model models modeling generation generative generate gene genes attention attentive
graph graphs sparse sparsity prune pruning pruned robust robustness learn learning
learned transformer transformers naïve naive café cafe Wübben Wubben Straße STRASSE
модель модели моделей генерация генерации сеть сети обучение обучения ёлка елка
данные данных нейронная нейронной внимание вниманием μάθηση 学习
""".split()  # noqa: SIM905 - a word list reads better as text
FILLER_WORDS = ["the", "of", "and", "a", "in"]
TAGS = ["pruning", "graphs", "nlp", "theory", "Résumé", "обзор"]
AUTHORS = ["Dirk Wübben", "Anna Ivanova", "Jonathan Frankle", "Ελένη Παππά", "Mei Li"]
QUERY_WORDS = [*VOCABULARY, "tickets", "generalize", "ELKA", "моделями", "unknownword"]
_TOKENS = re.compile(r"\w+")


def random_text(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(VOCABULARY + FILLER_WORDS) for _ in range(rng.randint(low, high)))


def random_collection(rng: random.Random, size: int) -> list[Note]:
    return [
        note(
            id=f"1905.{500 + n:05d}",
            title=random_text(rng, 1, 6),
            abstract=random_text(rng, 0, 25) if rng.random() < 0.8 else "",
            tldr=random_text(rng, 0, 6) if rng.random() < 0.5 else "",
            commentary=random_text(rng, 0, 10) if rng.random() < 0.3 else "",
            findings=[random_text(rng, 1, 5) for _ in range(rng.randint(0, 2))],
            tags=rng.sample(TAGS, rng.randint(0, 2)),
            authors=rng.sample(AUTHORS, rng.randint(1, 2)),
            published=year(rng.randint(2015, 2023)),
        )
        for n in range(size)
    ]


def tokens_of(*texts: str) -> list[str]:
    return [t for text in texts for t in _TOKENS.findall(text)]


def searchable(n: Note) -> dict[str, list[str]]:
    """Tokens (as written) of each field a plain word is looked for in, in order.

    A list field (tags, authors, findings) is one run of words, as a reader of the whole
    field would see it: a phrase may run on from one item to the next.
    """
    return {
        "title": tokens_of(n.title),
        "tldr": tokens_of(n.tldr),
        "tags": tokens_of(*n.tags),
        "authors": tokens_of(*(a.name for a in n.authors)),
        "notes": tokens_of(*n.findings, n.commentary),
        "abstract": tokens_of(n.abstract),
        "extra": tokens_of(n.id, n.doi or "", n.journal_ref or "", n.comment or "", *n.categories),
    }


folded = cache(fold)  # the brute force folds the same few words over and over


def same_word(token: str, word: str) -> bool:
    """A query word matches a token: the same stem, neither a stopword."""
    written = folded(token)
    return written not in STOPWORDS and stem(written) == stem(folded(word))


def phrase_word(token: str, word: str) -> bool:
    """A word of a phrase matches a token: a stopword exactly, any other by its stem."""
    if folded(word) in STOPWORDS:
        return folded(token) == folded(word)
    return same_word(token, word)


def has_phrase(tokens: list[str], phrase: list[str]) -> bool:
    size = len(phrase)
    return any(
        all(phrase_word(t, w) for t, w in zip(tokens[i : i + size], phrase, strict=True))
        for i in range(len(tokens) - size + 1)
    )


@dataclass(frozen=True)
class Leaf:
    """One condition: kind is word, phrase, title, author, prefix, tag or year."""

    kind: str
    value: str


@dataclass(frozen=True)
class Both:
    parts: tuple[Check, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Check, ...]


@dataclass(frozen=True)
class Without:
    part: Check


Check = Leaf | Both | AnyOf | Without

SPELLED = {
    "word": "{}",
    "phrase": '"{}"',
    "title": "title:{}",
    "author": "author:{}",
    "prefix": "{}*",
    "tag": 'tag:"{}"',
    "year": "year:{}",
}


def spell(check: Check, *, top: bool = False) -> str:
    """The query text of `check`; an OR is parenthesised unless it is the whole query."""
    if isinstance(check, Leaf):
        return SPELLED[check.kind].format(check.value)
    if isinstance(check, Without):
        inner = check.part
        return "-" + spell(inner)  # a group is parenthesised
    if isinstance(check, Both):
        text = " ".join(spell(p) for p in check.parts)
        return text if top else f"({text})"
    text = " OR ".join(
        " ".join(spell(q) for q in p.parts) if isinstance(p, Both) else spell(p)
        for p in check.parts
    )
    return text if top else f"({text})"


def holds(n: Note, check: Check, fields: dict[str, list[str]] | None = None) -> bool:
    """Whether note `n` satisfies `check`, by scanning its tokens (`searchable(n)`)."""
    fields = fields or searchable(n)
    if isinstance(check, Both):
        return all(holds(n, p, fields) for p in check.parts)
    if isinstance(check, AnyOf):
        return any(holds(n, p, fields) for p in check.parts)
    if isinstance(check, Without):
        return not holds(n, check.part, fields)
    everywhere = [t for tokens in fields.values() for t in tokens]
    kind, value = check.kind, check.value
    if kind == "word":
        return any(same_word(t, value) for t in everywhere)
    if kind == "phrase":
        return any(has_phrase(tokens, value.split()) for tokens in fields.values())
    if kind == "title":
        return any(same_word(t, value) for t in fields["title"])
    if kind == "author":
        return any(folded(t) == folded(value) for t in fields["authors"])
    if kind == "prefix":
        return any(
            folded(t).startswith(folded(value)) and folded(t) not in STOPWORDS for t in everywhere
        )
    if kind == "tag":
        return any(folded(t) == folded(value) for t in n.tags)
    assert kind == "year"
    return n.published is not None and n.published.startswith(value)


def brute_force(notes: list[Note], check: Check, fields: list[dict[str, list[str]]]) -> set[str]:
    """Ids of the notes satisfying `check`; `fields` holds `searchable` of each note."""
    return {n.id for n, tokens in zip(notes, fields, strict=True) if holds(n, check, tokens)}


def random_phrase(rng: random.Random, notes: list[Note]) -> Leaf:
    """2 or 3 words, often taken from a note's text, at least one not a stopword."""
    while True:
        size = rng.randint(2, 3)
        if rng.random() < 0.6:
            source = rng.choice(notes)
            tokens = tokens_of(rng.choice([source.title, source.abstract, source.tldr]))
            if len(tokens) < size:
                continue
            start = rng.randrange(len(tokens) - size + 1)
            chosen = tokens[start : start + size]
        else:
            chosen = [rng.choice([*QUERY_WORDS, *FILLER_WORDS]) for _ in range(size)]
        if any(fold(w) not in STOPWORDS for w in chosen):
            return Leaf("phrase", " ".join(chosen))


def random_leaf(rng: random.Random, notes: list[Note]) -> Leaf:
    """A positive condition of any kind."""
    pick = rng.random()
    if pick < 0.35:
        return Leaf("word", rng.choice(QUERY_WORDS))
    if pick < 0.55:
        return random_phrase(rng, notes)
    if pick < 0.65:
        return Leaf("tag", rng.choice(TAGS))
    if pick < 0.75:
        return Leaf("year", str(rng.randint(2015, 2023)))
    if pick < 0.85:
        return Leaf("title", rng.choice(QUERY_WORDS))
    if pick < 0.93:
        return Leaf("author", rng.choice(" ".join(AUTHORS).split()))
    return Leaf("prefix", rng.choice(QUERY_WORDS)[:3])


def random_sequence(rng: random.Random, notes: list[Note]) -> list[Check]:
    """Words ANDed, as the old brute force drew them, now with phrases and groups."""
    clauses: list[Check] = [Leaf("word", rng.choice(QUERY_WORDS)) for _ in range(rng.randint(1, 2))]
    if rng.random() < 0.3:
        clauses.append(Without(Leaf("word", rng.choice(QUERY_WORDS))))
    extra = rng.random()
    if extra < 0.15:
        tag = Leaf("tag", rng.choice(TAGS))
        clauses.append(Without(tag) if rng.random() < 0.3 else tag)
    elif extra < 0.25:
        years = Leaf("year", str(rng.randint(2015, 2023)))
        clauses.append(Without(years) if rng.random() < 0.3 else years)
    elif extra < 0.35:
        clauses.append(Leaf("title", rng.choice(QUERY_WORDS)))
    elif extra < 0.45:
        author = Leaf("author", rng.choice(" ".join(AUTHORS).split()))
        clauses.append(Without(author) if rng.random() < 0.3 else author)
    elif extra < 0.55:
        clauses[0] = Leaf("prefix", rng.choice(QUERY_WORDS)[:3])
    elif extra < 0.75:
        clauses[0] = random_phrase(rng, notes)
    if rng.random() < 0.2:
        clauses.append(Without(random_phrase(rng, notes)))
    return clauses


def random_query(rng: random.Random, notes: list[Note]) -> Check:
    clauses = random_sequence(rng, notes)
    shape = rng.random()
    if shape < 0.2:  # two sequences ORed: `a b OR c -d`
        return AnyOf((Both(tuple(clauses)), Both(tuple(random_sequence(rng, notes)))))
    if shape < 0.5:  # a group among the words: `a (b OR c)`, `a -(b OR c)`
        group: Check = AnyOf(tuple(random_leaf(rng, notes) for _ in range(rng.randint(2, 3))))
        if rng.random() < 0.3:
            group = Without(group)
        elif rng.random() < 0.3:  # nested: `(b OR (c d))`
            inner = Both((random_leaf(rng, notes), random_leaf(rng, notes)))
            group = AnyOf((random_leaf(rng, notes), inner))
        clauses.insert(rng.randrange(len(clauses) + 1), group)
    return Both(tuple(clauses))


def test_search_finds_exactly_what_a_brute_force_scan_finds(build: Build) -> None:
    rng = random.Random(20240501)
    notes = random_collection(rng, 150)
    collection = build(notes)
    assert all_ids(collection) == sorted(n.id for n in notes)
    ids = ids_by_row(collection)
    fields = [searchable(n) for n in notes]
    nonempty = ored = phrased = 0
    for _ in range(400):
        check = random_query(rng, notes)
        text = spell(check, top=True)
        query = parse_query(text)
        ranked, total = run(collection.database, query, None)
        got = [ids[h.rowid] for h in ranked]
        assert total == len(got), text
        assert len(got) == len(set(got)), text
        assert set(got) == brute_force(notes, check, fields), text
        scores = [h.score for h in ranked]
        assert all(a >= b - 1e-9 for a, b in pairwise(scores)), text
        best, best_total = run(collection.database, query, 5)
        assert best_total == total and [ids[h.rowid] for h in best] == got[:5], text
        nonempty += bool(got)
        ored += bool(got) and " OR " in text
        phrased += bool(got) and '"' in text.replace('tag:"', "")
    assert nonempty > 120  # the queries are not all trivially empty
    assert ored > 40 and phrased > 40  # ... nor are those with OR or a phrase


def test_the_brute_force_scan_can_tell_a_phrase_from_its_words() -> None:
    n = note(title="the lottery of tickets", abstract="a ticket in the train")
    assert holds(n, Leaf("phrase", "lottery of ticket"))
    assert not holds(n, Leaf("phrase", "lottery in ticket"))
    assert not holds(n, Leaf("phrase", "ticket lottery"))
    assert holds(n, Leaf("phrase", "ticket in the"))
    assert not holds(n, Leaf("phrase", "tickets a ticket"))  # not across fields
    assert holds(n, AnyOf((Leaf("word", "nothing"), Leaf("word", "trains"))))
    assert not holds(n, Without(AnyOf((Leaf("word", "nothing"), Leaf("word", "trains")))))
    assert (
        spell(
            Both((Leaf("word", "a"), Without(AnyOf((Leaf("word", "b"), Leaf("tag", "c")))))),
            top=True,
        )
        == 'a -(b OR tag:"c")'
    )


# --- 9. the index on disk ------------------------------------------------------------------

FOLDER = [
    note(id="1905.00601", title="Alpha particles", tags=["physics"]),
    note(id="1905.00602", title="Beta decay", abstract="Weak force."),
    note(id="1905.00603", title="Gamma rays", commentary="Bright."),
]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A notes folder of three notes, synced once and closed."""
    root = tmp_path / "notes"
    collection_of(root, FOLDER).database.close()
    return root


def opened(root: Path) -> tuple[Collection, SyncReport]:
    collection = Collection(root)
    return collection, collection.sync()


def tinydb_ids(root: Path) -> list[str]:
    data = json.loads((root / TINYDB).read_bytes())
    return sorted(record["id"] for record in data["notes"].values())


def stamps(root: Path) -> dict[str, tuple[int, int, bytes]]:
    """(inode, mtime_ns, content) of the note files and the two indexes."""
    paths = [*root.glob("*.yaml"), root / DATABASE, root / TINYDB]
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes()) for p in paths}


def test_the_index_follows_edits_deletions_and_additions(folder: Path) -> None:
    store = NoteStore(folder)
    collection, report = opened(folder)
    assert report == SyncReport()
    assert found(collection, "beta") == ["1905.00602"]
    path = store.path_for(parse_id("1905.00601"))
    path.write_text(path.read_text().replace("Alpha particles", "Omega particles"))
    touch_later(path)
    store.remove(store.path_for(parse_id("1905.00602")))
    store.create(note(id="1905.00604", title="Delta functions"))

    report = collection.sync()
    assert (report.read, report.dropped, report.rebuilt) == (2, 1, None)
    assert all_ids(collection) == ["1905.00601", "1905.00603", "1905.00604"]
    assert found(collection, "alpha") == []
    assert found(collection, "omega") == ["1905.00601"]
    assert found(collection, "tag:physics") == ["1905.00601"]
    assert found(collection, "beta") == []
    assert found(collection, "delta") == ["1905.00604"]
    assert found(collection, "gamma") == ["1905.00603"]
    assert tinydb_ids(folder) == ["1905.00601", "1905.00603", "1905.00604"]
    assert "Omega particles" in (folder / TINYDB).read_text()
    assert "Alpha particles" not in (folder / TINYDB).read_text()
    collection.database.close()
    # the same answers when read back from the file, nothing read again
    reread, report = opened(folder)
    assert report == SyncReport()
    assert found(reread, "omega") == ["1905.00601"]
    assert found(reread, "delta") == ["1905.00604"]
    reread.database.close()


def test_a_few_changed_files_are_all_that_is_read(folder: Path) -> None:
    store = NoteStore(folder)
    path = store.path_for(parse_id("1905.00603"))
    path.write_text(path.read_text().replace("Gamma rays", "Cosmic rays"))
    touch_later(path)
    store.create(note(id="1905.00605", title="Epsilon"))
    collection, report = opened(folder)
    assert (report.read, report.dropped) == (2, 0)
    assert found(collection, "cosmic") == ["1905.00603"]
    assert found(collection, "gamma") == []
    assert found(collection, "epsilon") == ["1905.00605"]
    assert found(collection, "alpha") == ["1905.00601"]
    collection.database.close()


@pytest.mark.parametrize("parallel", [False, True], ids=["in-process", "worker-processes"])
def test_many_changed_files_are_read_in_one_sync(
    folder: Path, monkeypatch: pytest.MonkeyPatch, parallel: bool
) -> None:
    if parallel:  # what a folder of thousands does, on fewer files
        monkeypatch.setattr(sync_module, "PARALLEL_FROM", 50)
        monkeypatch.setattr(sync_module, "BATCH", 40)
    store = NoteStore(folder)
    for n in range(6, 400):
        store.create(note(id=f"1905.{n:05d}", title=f"Bulk note {n}", tags=[f"t{n % 7}"]))
    collection, report = opened(folder)
    assert (report.read, report.dropped) == (394, 0)
    assert len(collection) == 397
    assert len(found(collection, "bulk")) == 394
    assert found(collection, "gamma") == ["1905.00603"]
    assert len(found(collection, "tag:t3")) == len([n for n in range(6, 400) if n % 7 == 3])
    assert found(collection, '"bulk note 123"') == ["1905.00123"]
    assert len(tinydb_ids(folder)) == 397
    collection.database.close()


DAMAGES = [
    pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
    pytest.param(lambda data: bytes(range(256)) * 8, id="garbage"),
    pytest.param(lambda data: data[:40] + b"\0" * 50 + data[90:], id="scribbled-header"),
    pytest.param(lambda data: b"", id="empty"),
    pytest.param(lambda data: data[:4096] + b"\0" * (len(data) - 4096), id="pages-zeroed"),
    pytest.param(lambda data: b"SQLite format 2\0" + data[16:], id="wrong-magic"),
]


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_index_is_rebuilt_with_a_notice(
    folder: Path, damage: Callable[[bytes], bytes]
) -> None:
    path = folder / DATABASE
    path.write_bytes(damage(path.read_bytes()))
    collection, report = opened(folder)
    assert report.rebuilt is not None
    assert DATABASE in report.rebuilt and "\n" not in report.rebuilt
    assert report.read == 3
    assert found(collection, "gamma") == ["1905.00603"]
    assert all_ids(collection) == ["1905.00601", "1905.00602", "1905.00603"]
    collection.database.close()
    again, report = opened(folder)  # the new file is sound
    assert report == SyncReport()
    assert found(again, "beta") == ["1905.00602"]
    again.database.close()


def test_an_index_missing_its_last_byte_still_answers_right(folder: Path) -> None:
    # SQLite reads a file one byte short; whether it is rebuilt or not, answers are right.
    path = folder / DATABASE
    path.write_bytes(path.read_bytes()[:-1])
    collection, _ = opened(folder)
    assert found(collection, "gamma") == ["1905.00603"]
    assert all_ids(collection) == ["1905.00601", "1905.00602", "1905.00603"]
    collection.database.close()


def test_a_damaged_tinydb_file_is_written_again(folder: Path) -> None:
    (folder / TINYDB).write_bytes(b'{"notes": {"1": {"id": "nonsense"')
    collection, report = opened(folder)
    assert report.read == 0
    assert tinydb_ids(folder) == ["1905.00601", "1905.00602", "1905.00603"]
    collection.database.close()
    (folder / TINYDB).unlink()
    collection, report = opened(folder)
    assert tinydb_ids(folder) == ["1905.00601", "1905.00602", "1905.00603"]
    collection.database.close()


def test_a_broken_note_is_reported_and_skipped(folder: Path) -> None:
    broken = folder / "1905.00699.yaml"
    broken.write_text("id: '1905.00699'\ntitle: [unclosed\n")
    collection, report = opened(folder)
    assert len(report.broken) == 1
    assert "1905.00699.yaml" in report.broken[0]
    assert "\n" not in report.broken[0]
    assert found(collection, "gamma") == ["1905.00603"]
    assert found(collection, "unclosed") == []
    assert len(found(collection, "year:2019")) == 3
    assert all_ids(collection) == ["1905.00601", "1905.00602", "1905.00603"]
    # still reported when the index is read as it is
    again = collection.sync()
    assert again.read == 0 and again.broken == report.broken
    broken.write_text("id: '1905.00699'\ntitle: Fixed now\n")
    touch_later(broken)
    report = collection.sync()
    assert report.broken == [] and report.read == 1
    assert found(collection, "fixed") == ["1905.00699"]
    collection.database.close()


def test_a_second_file_for_a_paper_is_reported_and_shown_once(folder: Path) -> None:
    original = folder / "1905.00601.yaml"
    (folder / "copy.yaml").write_bytes(original.read_bytes())
    collection, report = opened(folder)
    assert len(report.duplicates) == 1
    assert "copy.yaml" in report.duplicates[0]
    assert found(collection, "alpha") == ["1905.00601"]
    assert len(collection) == 3
    collection.database.close()


def test_an_unchanged_folder_is_not_rewritten(folder: Path) -> None:
    before = stamps(folder)
    collection, report = opened(folder)
    assert report == SyncReport()
    assert found(collection, "alpha") == ["1905.00601"]
    assert collection.sync() == SyncReport()
    collection.database.close()
    assert stamps(folder) == before
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_an_empty_folder_gives_nothing_and_writes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "nothing"
    collection, report = opened(root)
    assert report == SyncReport()
    assert all_ids(collection) == []
    assert len(collection) == 0
    assert collection.search(parse_query("anything"), None) == ([], 0)
    assert collection.search(parse_query("year:2019 OR tag:x"), 10) == ([], 0)
    assert run(collection.database, parse_query("anything"), None) == ([], 0)
    assert not root.exists()
    root.mkdir()
    collection, report = opened(root)
    assert collection.search(parse_query("anything"), None) == ([], 0)
    assert list(root.iterdir()) == []
