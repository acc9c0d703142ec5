"""Search: the query language, BM25F ranking, folding and stems, snippets, the on-disk index.

Small collections are written for each behaviour; a random collection is checked against a
brute-force scan written here independently of the index.
"""

from __future__ import annotations

import os
import random
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import pytest

from papernotes.errors import UsageError
from papernotes.ids import parse_id
from papernotes.note import Author, Note
from papernotes.search import highlighter, parse_query, rank, snippet
from papernotes.search_index import ID, SEARCH_INDEX_NAME, IndexBuilder, SearchIndex
from papernotes.store import NoteStore
from papernotes.text import STOPWORDS, fold, index_words, stem

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


def build(notes: Iterable[Note]) -> SearchIndex:
    """An index straight from note records, without files."""
    records = {
        f"{n.arxiv_id.stem}.yaml": {
            **n.to_dict(),
            "_file": f"{n.arxiv_id.stem}.yaml",
            "_mtime_ns": 1,
            "_size": 1,
        }
        for n in notes
    }
    builder = IndexBuilder()
    builder.update(records, records.__getitem__)
    return SearchIndex(builder.to_bytes())


def make_store(root: Path, notes: Iterable[Note]) -> NoteStore:
    store = NoteStore(root)
    for n in notes:
        assert store.create(n)
    return store


def id_at(index: SearchIndex, position: int) -> str:
    """The id of the note at `position` in the index (what a `Hit` points to)."""
    return str(index.row(position)[ID])


def all_ids(index: SearchIndex) -> list[str]:
    return sorted(id_at(index, p) for p in range(index.notes))


def found(index: SearchIndex, query: str) -> list[str]:
    """Ids of the notes matching `query`, best first."""
    return [id_at(index, hit.position) for hit in rank(index, parse_query(query))[0]]


def usage_error(query: str) -> str:
    with pytest.raises(UsageError) as caught:
        parse_query(query)
    return str(caught.value)


def touch_later(path: Path) -> None:
    """Move the modification time on, so an edit is seen even with coarse timestamps."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


# --- 1. the query language -----------------------------------------------------------------


@pytest.fixture
def library() -> SearchIndex:
    """Six notes with distinct authors, tags, categories, years and id styles."""
    return build(
        [
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
    )


def test_words_are_anded(library: SearchIndex) -> None:
    assert set(found(library, "networks")) == {
        "1803.03635",
        "1905.01001",
        "1905.01002",
        "2101.00001",
    }
    assert set(found(library, "sparse networks")) == {"1803.03635", "2101.00001"}
    assert found(library, "sparse graph") == []


def test_a_quoted_phrase_needs_the_words_together(library: SearchIndex) -> None:
    assert found(library, '"lottery ticket"') == ["1803.03635"]
    assert found(library, '"ticket lottery"') == []
    assert set(found(library, "random networks")) == {"1905.01002"}
    assert found(library, '"random networks"') == []


def test_minus_excludes_a_word_or_a_phrase(library: SearchIndex) -> None:
    assert set(found(library, "networks -sparse")) == {"1905.01001", "1905.01002"}
    assert set(found(library, 'networks -"graph data"')) == {
        "1803.03635",
        "1905.01002",
        "2101.00001",
    }
    # A phrase only excludes where its words stand together.
    assert "1905.01001" in found(library, 'networks -"data graph"')


def test_star_matches_words_by_prefix(library: SearchIndex) -> None:
    assert set(found(library, "matri*")) == {"1905.01002"}
    assert set(found(library, "bran*")) == {"hep-th/9901001"}
    assert set(found(library, "spars*")) == {"1803.03635", "2101.00001"}
    assert found(library, "matri") == []  # without the star it is a whole word


def test_title_field_looks_only_at_titles(library: SearchIndex) -> None:
    assert set(found(library, "attention")) == {"1706.03762", "1803.03635"}
    assert found(library, "title:attention") == ["1706.03762"]
    assert found(library, 'title:"lottery ticket"') == ["1803.03635"]


def test_author_field_matches_any_part_of_a_name(library: SearchIndex) -> None:
    assert found(library, "author:vaswani") == ["1706.03762"]
    assert found(library, "author:ashish") == ["1706.03762"]
    assert found(library, "author:shazeer") == ["1706.03762"]
    assert found(library, 'author:"michael carbin"') == ["1803.03635"]
    assert found(library, "author:carbin author:frankle") == ["1803.03635"]
    assert found(library, "author:attention") == []  # the title is not an author


def test_tag_field_matches_whole_tags(library: SearchIndex) -> None:
    assert set(found(library, "tag:pruning")) == {"1803.03635", "2101.00001"}
    assert found(library, "tag:prun") == []
    assert found(library, "tag:#strings") == ["hep-th/9901001"]
    assert found(library, 'tag:"deep learning"') == ["1905.01001"]
    assert set(found(library, "tag:pruning -tag:scaling")) == {"1803.03635"}


def test_cat_field_matches_a_category_or_an_archive(library: SearchIndex) -> None:
    assert set(found(library, "cat:cs")) == {"1706.03762", "1803.03635", "2101.00001"}
    assert found(library, "cat:cs.cl") == ["1706.03762"]
    assert found(library, "cat:CS.CL") == ["1706.03762"]
    assert found(library, "cat:csx") == ["1905.01002"]
    assert found(library, "cat:hep-th") == ["hep-th/9901001"]
    assert found(library, "cat:stat.ML") == ["1905.01001"]


def test_year_field_takes_a_year_or_a_range(library: SearchIndex) -> None:
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


def test_id_field_takes_an_id_an_old_id_or_a_prefix(library: SearchIndex) -> None:
    assert found(library, "id:1706.03762") == ["1706.03762"]
    assert found(library, "id:1706.03762v5") == ["1706.03762"]
    assert found(library, "id:arXiv:1706.03762") == ["1706.03762"]
    assert found(library, "id:https://arxiv.org/abs/1706.03762v2") == ["1706.03762"]
    assert found(library, "id:hep-th/9901001") == ["hep-th/9901001"]
    assert found(library, "id:hep-th") == ["hep-th/9901001"]
    assert found(library, "id:1905.") == ["1905.01002", "1905.01001"]
    assert found(library, "id:1706.") == ["1706.03762"]


def test_field_aliases_and_case(library: SearchIndex) -> None:
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
    assert "year:19" in usage_error("year:19")
    assert "year:" in usage_error("year:last")
    assert "year:2019-2020" in usage_error("year:2019-2020")
    assert "backwards" in usage_error("year:2020..2017")
    assert "needs a value" in usage_error('title:""')
    message = usage_error("the of")
    assert "nothing to search for" in message
    assert "'the'" in message
    assert "'of'" in message
    assert "nothing to search for" in usage_error("-sparse")  # nothing left to rank


def test_an_empty_field_value_is_an_error() -> None:
    assert "needs a value" in usage_error("title:")


def test_a_field_followed_by_a_space_is_an_error() -> None:
    assert "needs a value" in usage_error("title: attention")


def test_a_url_is_not_an_unknown_field() -> None:
    query = parse_query("https://arxiv.org/abs/1706.03762")
    assert query.ids == [("1706.03762", False)]  # a pasted link finds that paper
    parse_query("http://example.org")


def test_a_stopword_prefix_still_matches_longer_words() -> None:
    index = build([note(title="Fast inference"), note(title="Slow training")])
    assert len(found(index, "in*")) == 1


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


@pytest.fixture
def ranked(tmp_path: Path) -> SearchIndex:
    return make_store(tmp_path / "notes", RANKED).search_index()


def test_a_title_hit_ranks_above_an_abstract_hit(ranked: SearchIndex) -> None:
    assert found(ranked, "sparse") == ["1905.00001", "1905.00002"]


def test_tldr_and_tag_hits_rank_above_abstract_hits() -> None:
    # Every note has a TL;DR and tags here (see the next test for when few do).
    filled = [
        replace(n, tldr=n.tldr or "A short summary here.", tags=n.tags or ["misc"]) for n in RANKED
    ]
    index = build(filled)
    assert found(index, "distillation") == ["1905.00001", "1905.00002"]
    assert found(index, "pruning") == ["1905.00001", "1905.00002"]


def test_tldr_and_tag_hits_rank_above_abstract_hits_when_few_notes_have_them(
    ranked: SearchIndex,
) -> None:
    assert found(ranked, "distillation") == ["1905.00001", "1905.00002"]
    assert found(ranked, "pruning") == ["1905.00001", "1905.00002"]


def test_more_occurrences_rank_higher(ranked: SearchIndex) -> None:
    assert found(ranked, "curriculum") == ["1905.00003", "1905.00004"]


def test_a_rare_word_weighs_more_than_a_common_one(ranked: SearchIndex) -> None:
    assert len(found(ranked, "model")) == 6
    assert found(ranked, "model zebrafish") == ["1905.00005", "1905.00006"]


def test_ranking_does_not_depend_on_word_order(ranked: SearchIndex) -> None:
    assert found(ranked, "zebrafish model") == ["1905.00005", "1905.00006"]


def test_ties_go_to_the_newest(ranked: SearchIndex) -> None:
    hits, _ = rank(ranked, parse_query("twin"))
    assert [id_at(ranked, h.position) for h in hits] == ["1905.00008", "1905.00007"]
    assert hits[0].score == pytest.approx(hits[1].score)


def test_filters_alone_return_every_match_newest_first(ranked: SearchIndex) -> None:
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


def test_scores_are_positive_and_best_first(ranked: SearchIndex) -> None:
    hits, _ = rank(ranked, parse_query("model"))
    scores = [h.score for h in hits]
    assert all(s > 0 for s in scores)
    assert scores == sorted(scores, reverse=True)


# --- 3. Unicode ----------------------------------------------------------------------------


@pytest.fixture
def unicode_index() -> SearchIndex:
    return build(
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
        ]
    )


def test_accents_are_ignored(unicode_index: SearchIndex) -> None:
    assert found(unicode_index, "author:wubben") == ["1905.00101"]
    assert set(found(unicode_index, "wubben")) == {"1905.00101", "1905.00102", "1905.00103"}
    assert set(found(unicode_index, "Wübben")) == {"1905.00101", "1905.00102", "1905.00103"}
    assert found(unicode_index, "author:Wübben") == ["1905.00101"]


def test_case_is_folded_fully(unicode_index: SearchIndex) -> None:
    assert found(unicode_index, "STRASSE") == ["1905.00104"]
    assert found(unicode_index, "strasse") == ["1905.00104"]
    assert found(unicode_index, "straße") == ["1905.00104"]


def test_russian_words_match_other_inflections(unicode_index: SearchIndex) -> None:
    assert found(unicode_index, "генерация") == ["1905.00105"]
    assert found(unicode_index, "ГЕНЕРАЦИЯ") == ["1905.00105"]
    assert found(unicode_index, "модели") == ["1905.00106"]
    assert found(unicode_index, "модель") == ["1905.00106"]


def test_yo_and_ye_are_the_same_letter(unicode_index: SearchIndex) -> None:
    assert set(found(unicode_index, "елка")) == {"1905.00107", "1905.00108"}
    assert set(found(unicode_index, "ёлка")) == {"1905.00107", "1905.00108"}
    assert found(unicode_index, "еж") == ["1905.00107"]


def test_other_scripts_are_matched_as_written(unicode_index: SearchIndex) -> None:
    assert found(unicode_index, "μάθηση") == ["1905.00109"]
    assert found(unicode_index, "ΜΆΘΗΣΗ") == ["1905.00109"]
    assert found(unicode_index, "μαθηση") == ["1905.00109"]
    assert found(unicode_index, "深度学习") == ["1905.00110"]
    assert found(unicode_index, "模型") == ["1905.00110"]
    assert found(unicode_index, "学习模型") == []


def test_ligatures_are_unfolded(unicode_index: SearchIndex) -> None:
    assert set(found(unicode_index, "ﬁne")) == {"1905.00111", "1905.00112"}
    assert set(found(unicode_index, "fine")) == {"1905.00111", "1905.00112"}
    assert found(unicode_index, '"fine tune"') == ["1905.00111"]


def test_arabic_and_hebrew_vowel_marks_are_ignored() -> None:
    index = build([note(id="1905.00121", abstract="كَتَبَ"), note(id="1905.00122", tldr="שָׁלוֹם")])
    assert found(index, "كتب") == ["1905.00121"]
    assert found(index, "שלום") == ["1905.00122"]


def test_russian_words_with_short_i_match_other_inflections() -> None:
    index = build([note(commentary="Нейронный поиск."), note(commentary="Сетей много.")])
    assert len(found(index, "нейронные")) == 1
    assert len(found(index, "сети")) == 1


# --- 4. English inflection -----------------------------------------------------------------


@pytest.fixture
def english_index() -> SearchIndex:
    return build(
        [
            note(id="1905.00201", title="Winning tickets"),
            note(id="1905.00202", title="A single ticket"),
            note(id="1905.00203", abstract="Bounds on generalization."),
            note(id="1905.00204", abstract="Text generation at scale."),
            note(id="1905.00205", abstract="Genes and proteins."),
            note(id="1905.00206", abstract="A general recipe."),
        ]
    )


def test_singular_and_plural_find_each_other(english_index: SearchIndex) -> None:
    assert set(found(english_index, "ticket")) == {"1905.00201", "1905.00202"}
    assert set(found(english_index, "tickets")) == {"1905.00201", "1905.00202"}


def test_derived_forms_share_a_stem(english_index: SearchIndex) -> None:
    # Snowball English reduces generalize, generalization and general to `general`.
    assert stem("generalize") == stem("generalization")
    assert set(found(english_index, "generalize")) == {"1905.00203", "1905.00206"}
    assert "1905.00203" in found(english_index, "generalizes")


def test_a_prefix_matches_unrelated_words(english_index: SearchIndex) -> None:
    assert set(found(english_index, "gen*")) == {
        "1905.00203",
        "1905.00204",
        "1905.00205",
        "1905.00206",
    }
    assert set(found(english_index, "gene*")) == {
        "1905.00203",
        "1905.00204",
        "1905.00205",
        "1905.00206",
    }
    assert set(found(english_index, "generat*")) == {"1905.00204"}
    assert found(english_index, "genes") == ["1905.00205"]


# --- 5. phrases ----------------------------------------------------------------------------


@pytest.fixture
def phrase_index() -> SearchIndex:
    return build(
        [
            note(id="1905.00301", title="Lottery tickets in transformers"),
            note(id="1905.00302", title="The ticket lottery"),
            note(id="1905.00303", abstract="A lottery for prizes, then a ticket for the train."),
            note(id="1905.00304", abstract="Results are state of the art."),
            note(id="1905.00305", abstract="The art of keeping state."),
            note(id="1905.00306", tldr="Lottery", commentary="ticket"),
        ]
    )


def test_a_phrase_matches_inflected_words_in_order(phrase_index: SearchIndex) -> None:
    assert found(phrase_index, '"lottery ticket"') == ["1905.00301"]
    assert found(phrase_index, '"lottery tickets"') == ["1905.00301"]
    assert found(phrase_index, '"ticket lottery"') == ["1905.00302"]
    assert set(found(phrase_index, "lottery ticket")) == {
        "1905.00301",
        "1905.00302",
        "1905.00303",
        "1905.00306",
    }


def test_a_phrase_with_stopwords_inside(phrase_index: SearchIndex) -> None:
    assert found(phrase_index, '"state of the art"') == ["1905.00304"]
    assert found(phrase_index, '"State of the Art"') == ["1905.00304"]
    assert set(found(phrase_index, "state art")) == {"1905.00304", "1905.00305"}


# --- 6. negation ---------------------------------------------------------------------------


def test_minus_removes_a_word_found_in_any_field() -> None:
    index = build(
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
    assert len(found(index, "graph")) == 9
    assert set(found(index, "graph -attention")) == {"1905.00401", "1905.00409"}
    assert found(index, "year:2020 -attention") == ["1905.00409"]
    assert set(found(index, "year:2019 -attention")) == {"1905.00401"}
    assert set(found(index, "cat:cs -attention -networks")) == {"1905.00409"}
    assert found(index, "tag:other -graphs") == []


# --- 7. snippets ---------------------------------------------------------------------------


def snip(n: Note, query: str) -> tuple[str, list[tuple[int, int]]]:
    index = build([n])
    return snippet(n, highlighter(index, parse_query(query)))


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


def test_a_snippet_marks_decomposed_accents() -> None:
    n = note(tldr=unicodedata.normalize("NFD", "Method of Dirk Wübben."))
    index = build([n])
    assert found(index, "wubben") == [n.id]
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
TAGS = ["pruning", "graphs", "nlp", "theory", "Résumé", "обзор"]
AUTHORS = ["Dirk Wübben", "Anna Ivanova", "Jonathan Frankle", "Ελένη Παππά", "Mei Li"]
_TOKENS = re.compile(r"\w+")


def random_text(rng: random.Random, low: int, high: int) -> str:
    filler = ["the", "of", "and", "a", "in"]
    return " ".join(rng.choice(VOCABULARY + filler) for _ in range(rng.randint(low, high)))


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


def searchable(n: Note) -> dict[str, list[str]]:
    """Tokens (as written) of each field, the way a reader would list them."""
    texts = {
        "title": [n.title],
        "authors": [a.name for a in n.authors],
        "other": [
            n.tldr,
            *n.tags,
            *n.findings,
            n.commentary,
            n.abstract,
            n.id,
            n.doi or "",
            n.journal_ref or "",
            n.comment or "",
            *n.categories,
        ],
    }
    return {
        name: [t for text in parts for t in _TOKENS.findall(text)] for name, parts in texts.items()
    }


def same_word(token: str, word: str) -> bool:
    folded = fold(token)
    return folded not in STOPWORDS and stem(folded) == stem(fold(word))


def brute_force(notes: list[Note], clauses: list[tuple[str, str, bool]]) -> set[str]:
    """Ids of notes satisfying every (kind, value, negated) clause, by scanning tokens."""
    result = set()
    for n in notes:
        fields = searchable(n)
        everywhere = [t for tokens in fields.values() for t in tokens]
        ok = True
        for kind, value, negated in clauses:
            if kind == "word":
                hit = any(same_word(t, value) for t in everywhere)
            elif kind == "title":
                hit = any(same_word(t, value) for t in fields["title"])
            elif kind == "author":
                hit = any(fold(t) == fold(value) for t in fields["authors"])
            elif kind == "prefix":
                hit = any(
                    fold(t).startswith(fold(value)) and fold(t) not in STOPWORDS for t in everywhere
                )
            elif kind == "tag":
                hit = any(fold(t) == fold(value) for t in n.tags)
            else:  # year
                hit = n.published is not None and n.published.startswith(value)
            ok = ok and hit != negated
        if ok:
            result.add(n.id)
    return result


def random_query(rng: random.Random) -> tuple[str, list[tuple[str, str, bool]]]:
    words = [*VOCABULARY, "tickets", "generalize", "ELKA", "моделями", "unknownword"]
    clauses = [("word", rng.choice(words), False) for _ in range(rng.randint(1, 2))]
    if rng.random() < 0.3:
        clauses.append(("word", rng.choice(words), True))
    extra = rng.random()
    if extra < 0.15:
        clauses.append(("tag", rng.choice(TAGS), rng.random() < 0.3))
    elif extra < 0.25:
        clauses.append(("year", str(rng.randint(2015, 2023)), rng.random() < 0.3))
    elif extra < 0.35:
        clauses.append(("title", rng.choice(words), False))
    elif extra < 0.45:
        clauses.append(("author", rng.choice(" ".join(AUTHORS).split()), rng.random() < 0.3))
    elif extra < 0.55:
        clauses[0] = ("prefix", rng.choice(words)[:3], False)
    spelled = {
        "word": "{}",
        "title": "title:{}",
        "author": "author:{}",
        "prefix": "{}*",
        "tag": 'tag:"{}"',
        "year": "year:{}",
    }
    text = " ".join(
        ("-" if negated else "") + spelled[kind].format(value) for kind, value, negated in clauses
    )
    return text, clauses


def test_rank_finds_exactly_what_a_brute_force_scan_finds() -> None:
    rng = random.Random(20240501)
    notes = random_collection(rng, 150)
    index = build(notes)
    assert all_ids(index) == sorted(n.id for n in notes)
    nonempty = 0
    for _ in range(100):
        text, clauses = random_query(rng)
        hits, _ = rank(index, parse_query(text))
        got = [id_at(index, h.position) for h in hits]
        assert len(got) == len(set(got)), text
        assert set(got) == brute_force(notes, clauses), text
        scores = [h.score for h in hits]
        assert all(a >= b - 1e-9 for a, b in pairwise(scores)), text
        nonempty += bool(got)
    assert nonempty > 30  # the queries are not all trivially empty


# --- 9. the index on disk ------------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> NoteStore:
    return make_store(
        tmp_path / "notes",
        [
            note(id="1905.00601", title="Alpha particles", tags=["physics"]),
            note(id="1905.00602", title="Beta decay", abstract="Weak force."),
            note(id="1905.00603", title="Gamma rays", commentary="Bright."),
        ],
    )


def index_file(store: NoteStore) -> Path:
    return store.root / SEARCH_INDEX_NAME


def note_files(store: NoteStore) -> dict[str, tuple[int, bytes]]:
    return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in store.root.glob("*.yaml")}


def test_the_index_follows_edits_deletions_and_additions(store: NoteStore) -> None:
    index = store.search_index()
    assert found(index, "beta") == ["1905.00602"]
    path = store.path_for(parse_id("1905.00601"))
    path.write_text(path.read_text().replace("Alpha particles", "Omega particles"))
    touch_later(path)
    store.remove(parse_id("1905.00602"))
    store.create(note(id="1905.00604", title="Delta functions"))

    index = store.search_index()
    assert all_ids(index) == ["1905.00601", "1905.00603", "1905.00604"]
    assert found(index, "alpha") == []
    assert found(index, "omega") == ["1905.00601"]
    assert found(index, "tag:physics") == ["1905.00601"]
    assert found(index, "beta") == []
    assert found(index, "delta") == ["1905.00604"]
    assert found(index, "gamma") == ["1905.00603"]
    # the same answers when read back from the file
    reread = SearchIndex(index_file(store).read_bytes())
    assert found(reread, "omega") == ["1905.00601"]
    assert found(reread, "delta") == ["1905.00604"]


def test_a_few_changed_files_are_read_without_the_tinydb_index(
    store: NoteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.search_index()
    path = store.path_for(parse_id("1905.00603"))
    path.write_text(path.read_text().replace("Gamma rays", "Cosmic rays"))
    touch_later(path)
    store.create(note(id="1905.00605", title="Epsilon"))

    def no_tinydb(*args: object, **kwargs: object) -> None:
        raise AssertionError("the TinyDB index was loaded for a small change")

    monkeypatch.setattr(store, "_refreshed", no_tinydb)
    index = store.search_index()
    assert found(index, "cosmic") == ["1905.00603"]
    assert found(index, "gamma") == []
    assert found(index, "epsilon") == ["1905.00605"]


def test_many_changed_files_go_through_the_tinydb_index(store: NoteStore) -> None:
    store.search_index()
    for n in range(6, 400):
        store.create(note(id=f"1905.{n:05d}", title=f"Bulk note {n}"))
    calls = []
    refreshed = store._refreshed

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return refreshed()

    store._refreshed = counting  # type: ignore[method-assign]
    index = store.search_index()
    assert calls == [1]
    assert index.notes == 397
    assert found(index, "bulk") and found(index, "gamma") == ["1905.00603"]


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: data[:-1], id="last-byte-missing"),
        pytest.param(lambda data: bytes(range(256)) * 8, id="garbage"),
        pytest.param(lambda data: data[:40] + b"\0" * 50 + data[90:], id="scribbled-header"),
        pytest.param(lambda data: b"", id="empty"),
    ],
)
def test_a_damaged_index_is_rebuilt(store: NoteStore, damage: Callable[[bytes], bytes]) -> None:
    store.search_index()
    path = index_file(store)
    path.write_bytes(damage(path.read_bytes()))
    index = store.search_index()
    assert found(index, "gamma") == ["1905.00603"]
    assert all_ids(index) == ["1905.00601", "1905.00602", "1905.00603"]
    assert found(SearchIndex.open(path), "beta") == ["1905.00602"]


def test_a_broken_note_is_reported_and_skipped(store: NoteStore) -> None:
    broken = store.root / "1905.00699.yaml"
    broken.write_text("id: 1905.00699\ntitle: [unclosed\n")
    index = store.search_index()
    assert len(index.problems) == 1
    assert "1905.00699.yaml" in index.problems[0]
    assert found(index, "gamma") == ["1905.00603"]
    assert found(index, "unclosed") == []
    assert len(found(index, "year:2019")) == 3
    # still reported when the index is read as it is
    assert store.search_index().problems == index.problems
    broken.write_text("id: 1905.00699\ntitle: Fixed now\n")
    touch_later(broken)
    index = store.search_index()
    assert index.problems == []
    assert found(index, "fixed") == ["1905.00699"]


def test_an_unchanged_folder_is_not_rewritten(store: NoteStore) -> None:
    notes_before = note_files(store)
    store.search_index()
    assert note_files(store) == notes_before
    path = index_file(store)
    written = path.stat()
    index = store.search_index()
    again = path.stat()
    assert (again.st_ino, again.st_mtime_ns) == (written.st_ino, written.st_mtime_ns)
    assert found(index, "alpha") == ["1905.00601"]
    assert note_files(store) == notes_before
    assert not [p for p in store.root.iterdir() if p.name.endswith(".tmp")]


def test_an_empty_folder_has_an_empty_index(tmp_path: Path) -> None:
    store = NoteStore(tmp_path / "nothing")
    index = store.search_index()
    assert all_ids(index) == []
    assert rank(index, parse_query("anything")) == ([], 0)
    assert not (tmp_path / "nothing").exists()


@pytest.mark.parametrize(
    "text",
    [
        "Attention Is All You Need",
        "x_1 + y^2 = z; f(x)=O(n log n), 3.14, __init__, ___, a_b _ the_",
        "Tabs\tand\nnew lines\r\n, dashes - and -- em: self-attention/BERT [12]",
        "Wübben and Ёлка: not ASCII, so the regular expression path",
    ],
)
def test_index_words_ascii_shortcut_finds_what_the_regex_finds(text: str) -> None:
    expected = [w for w in re.findall(r"\w+", fold(text)) if w not in STOPWORDS and w.strip("_")]
    assert index_words(text) == expected
