"""The Note model's YAML round trip: types kept, fixed key order, block style, clear errors."""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from pathlib import Path
from typing import Any

import orjson
import pytest

from papernotes.errors import NoteFileError
from papernotes.ids import ArxivId
from papernotes.note import Author, Note, dump_note, load_note, normalise_space

SOURCE = "notes/1911.12246.yaml"

ABSTRACT = (
    "Spectral efficiency of massive MIMO systems is studied under realistic hardware "
    "impairments; we show that the achievable rate saturates and give closed-form bounds."
)


def full_note() -> Note:
    return Note(
        id="1911.12246",
        version=2,
        title="Massive MIMO: Ten Myths and One Critical Question",
        authors=[
            Author("Dirk Wübben", ["Universität Bremen", "ÉTS Montréal"]),
            Author("Ольга Иванова"),
            Author("李雷", ["清华大学"]),
        ],
        abstract=ABSTRACT,
        published="2019-11-27T18:59:59Z",
        updated="2020-01-05T10:00:00Z",
        primary_category="cs.IT",
        categories=["cs.IT", "eess.SP", "math.IT"],
        doi="10.1109/MCOM.2016.7402263",
        journal_ref="IEEE Commun. Mag. 54 (2016) 114-123",
        comment="8 pages, 4 figures",
        url="https://arxiv.org/abs/1911.12246v2",
        pdf_url="https://arxiv.org/pdf/1911.12246v2",
        tldr="Hardware impairments cap the rate; more antennas do not help past a point.",
        findings=["Rate saturates at high SNR", "Bounds are tight: within 0.5 dB", "0"],
        commentary=(
            'Очень хорошая статья.\n\nSecond paragraph: it\'s a "must read".\n\n\n'
            "  indented line\nlast line"
        ),
        tags=["mimo", "hardware", "to-read"],
        added="2026-01-02",
        extra={"rating": 5, "read_on": ["2026-01-03"], "my note": {"nested": "yes"}},
    )


def top_level_keys(text: str) -> list[str]:
    return re.findall(r"^([^\s#:'\"-][^:]*):", text, flags=re.MULTILINE)


def test_full_note_round_trip() -> None:
    note = full_note()
    text = dump_note(note)
    loaded = load_note(text, SOURCE)
    assert loaded.to_dict() == note.to_dict()
    assert loaded == note
    assert dump_note(loaded) == text


def test_unicode_is_written_as_is() -> None:
    text = dump_note(full_note())
    assert "Wübben" in text
    assert "Очень хорошая статья." in text
    assert "\\u" not in text


@pytest.mark.parametrize(
    "value",
    [
        "0",
        "yes",
        "no",
        "on",
        "null",
        "1.5",
        "1e3",
        "0x1F",
        "1_000",
        ".inf",
        "2019-01-01",
        "2019-01-01T10:00:00Z",
        "~",
        "'quoted'",
        '"double"',
        "# not a comment",
        "key: value",
        "- item",
        "[1, 2]",
        "{a: 1}",
        "&anchor",
        "*alias",
        "!tag",
        "---",
        "  leading and trailing  ",
        "tab\there",
        "",
    ],
)
def test_strings_stay_strings(value: str) -> None:
    note = Note(
        id="1911.12246",
        title=value,
        tldr=value,
        findings=[value],
        tags=[value],
        authors=[Author(value, [value])],
        extra={"mine": value},
    )
    loaded = load_note(dump_note(note), SOURCE)
    assert loaded.title == value
    assert isinstance(loaded.title, str)
    assert loaded.findings == [value]
    assert loaded.tags == [value]
    assert loaded.authors == [Author(value, [value])]
    assert loaded.extra == {"mine": value}


def test_key_order_is_fixed() -> None:
    note = full_note()
    note.extra = {"zzz": 1, "aaa": 2}
    assert top_level_keys(dump_note(note)) == [
        "id",
        "version",
        "title",
        "authors",
        "tags",
        "tldr",
        "findings",
        "commentary",
        "abstract",
        "published",
        "updated",
        "primary_category",
        "categories",
        "doi",
        "journal_ref",
        "comment",
        "url",
        "pdf_url",
        "added",
        "zzz",
        "aaa",
    ]


def test_key_order_of_a_sparse_note_starts_with_id() -> None:
    keys = top_level_keys(dump_note(Note(id="hep-th/9901001", title="T", tags=["a"])))
    assert keys[:5] == ["id", "version", "title", "authors", "tags"]
    assert keys[-1] == "added"


def test_long_text_is_written_in_block_style() -> None:
    words = "impairments saturate the spectral efficiency of massive antenna arrays "
    abstract = (words * 40)[:2000].strip()
    assert len(abstract) > 1900
    text = dump_note(Note(id="1911.12246", abstract=abstract))
    assert max(len(line) for line in text.splitlines()) <= 100
    assert re.search(r"^abstract: >", text, flags=re.MULTILINE)
    assert text.count("\n") > 20
    assert load_note(text, SOURCE).abstract == abstract


def test_multi_line_text_is_written_as_a_literal_block() -> None:
    commentary = "First paragraph.\n\nSecond paragraph,\nwrapped by hand.\n"
    text = dump_note(Note(id="1911.12246", commentary=commentary))
    assert re.search(r"^commentary: \|", text, flags=re.MULTILINE)
    assert "  Second paragraph,\n  wrapped by hand.\n" in text
    assert load_note(text, SOURCE).commentary == commentary


@pytest.mark.parametrize("field", ["title", "abstract", "commentary"])
def test_long_text_with_leading_space_round_trips(field: str) -> None:
    value = " " + "word " * 30 + "end"
    note = Note(id="1911.12246")
    setattr(note, field, value)
    assert getattr(load_note(dump_note(note), SOURCE), field) == value


def test_pending_only_written_for_placeholders() -> None:
    placeholder = Note.placeholder(ArxivId("1911.12246", 2), ["ml", "later"], "2026-01-02")
    assert placeholder.pending
    text = dump_note(placeholder)
    assert "pending" in top_level_keys(text)
    assert re.search(r"^pending: true$", text, flags=re.MULTILINE)
    loaded = load_note(text, SOURCE)
    assert loaded.pending
    assert (loaded.id, loaded.version, loaded.tags, loaded.added) == (
        "1911.12246",
        2,
        ["ml", "later"],
        "2026-01-02",
    )
    assert loaded == placeholder

    fetched = dump_note(full_note())
    assert "pending" not in top_level_keys(fetched)
    assert not load_note(fetched, SOURCE).pending


def test_authors_without_affiliations_are_written_as_names() -> None:
    note = Note(
        id="1911.12246",
        authors=[Author("Ada Lovelace"), Author("Alan Turing", ["NPL"]), Author("null")],
    )
    text = dump_note(note)
    assert "- Ada Lovelace\n- name: Alan Turing\n  affiliations:\n  - NPL\n- 'null'\n" in text
    assert text.count("affiliations") == 1
    loaded = load_note(text, SOURCE)
    assert loaded.authors[0].affiliations == []
    assert loaded.authors == note.authors
    # as earlier versions wrote them
    older = text.replace("- Ada Lovelace", "- name: Ada Lovelace")
    assert load_note(older, SOURCE).authors == note.authors


def test_doi_journal_and_comment_are_written_only_when_arxiv_has_them() -> None:
    bare = dump_note(Note(id="1911.12246", doi=None, journal_ref=None, comment=None))
    assert not {"doi", "journal_ref", "comment"} & set(top_level_keys(bare))
    assert load_note(bare, SOURCE).doi is None
    full = dump_note(Note(id="1911.12246", doi="10.1/x", journal_ref="J 1", comment="4 pages"))
    assert {"doi", "journal_ref", "comment"} <= set(top_level_keys(full))
    assert load_note(bare + "doi: null\n", SOURCE) == load_note(bare, SOURCE)


def test_dumping_does_not_change_the_note() -> None:
    note = full_note()
    before = note.to_dict()
    dump_note(note)
    assert note.to_dict() == before


def test_broken_yaml_names_source_and_line() -> None:
    text = "id: '1911.12246'\ntitle: ok\ntags: [unclosed\nabstract: x\n"
    with pytest.raises(NoteFileError) as caught:
        load_note(text, SOURCE)
    message = str(caught.value)
    assert SOURCE in message
    assert re.search(r"\bline [345]\b", message)


def test_bad_indentation_names_line() -> None:
    text = "id: '1911.12246'\ntitle: ok\n  tldr: bad indent\n"
    with pytest.raises(NoteFileError, match=r"line 3\b") as caught:
        load_note(text, SOURCE)
    assert str(caught.value).startswith(SOURCE)


def test_python_tags_are_refused_and_never_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls: list[str] = []

    def fake_system(command: str) -> int:
        calls.append(command)
        return 0

    monkeypatch.setattr(os, "system", fake_system)
    marker = tmp_path / "ran.txt"
    for text in (
        "id: '1911.12246'\ntitle: !!python/object/apply:os.system [\"echo hi\"]\n",
        f'!!python/object/apply:os.system ["echo hi > {marker}"]\n',
    ):
        with pytest.raises(NoteFileError, match=re.escape(SOURCE)):
            load_note(text, SOURCE)
    assert calls == []
    assert not marker.exists()


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("id: '1911.12246'\nversion: abc\n", "'version'"),
        ("id: '1911.12246'\nversion: 0\n", "'version'"),
        ("id: '1911.12246'\nversion: true\n", "'version'"),
        ("id: '1911.12246'\ntags: {a: 1}\n", "'tags'"),
        ("id: '1911.12246'\nfindings: 3\n", "'findings'"),
        ("id: '1911.12246'\nauthors: 5\n", "'authors'"),
        ("id: '1911.12246'\nauthors: [[a, b]]\n", "'authors'"),
        ("id: '1911.12246'\ntitle: [a, b]\n", "'title'"),
        ("id: '1911.12246'\nabstract: {a: 1}\n", "'abstract'"),
        ("id: '1911.12246'\npending: maybe\n", "'pending'"),
        ("title: no id here\n", "'id'"),
        ("id: not-an-id\n", "'id'"),
        ("id: '1911.1234'\n", "'id'"),
        ("- id: '1911.12246'\n", "mapping"),
        ("just a string\n", "mapping"),
        ("", "mapping"),
    ],
)
def test_wrong_types_name_the_key(text: str, named: str) -> None:
    with pytest.raises(NoteFileError) as caught:
        load_note(text, SOURCE)
    message = str(caught.value)
    assert message.startswith(f"{SOURCE}: ")
    assert named in message


def test_hand_written_values_are_read_as_text() -> None:
    text = (
        "id: 1911.12246v3\n"
        "title: 0\n"
        "tags: ml\n"
        "added: 2026-01-02\n"
        "published: 2019-11-27T18:59:59Z\n"
        "findings: [1.5, yes]\n"
        "authors: [Plain Name]\n"
    )
    note = load_note(text, SOURCE)
    assert note.id == "1911.12246"
    assert note.version == 3
    assert note.title == "0"
    assert note.tags == ["ml"]
    assert note.added == "2026-01-02"
    assert note.published == "2019-11-27T18:59:59Z"
    assert note.findings == ["1.5", "true"]
    assert note.authors == [Author("Plain Name")]
    assert note.year == 2019


def test_lone_blank_string_for_a_list_is_empty() -> None:
    assert load_note("id: '1911.12246'\ntags: '  '\n", SOURCE).tags == []


def test_unquoted_id_read_as_a_number_without_loss_is_accepted() -> None:
    assert load_note("id: 1911.12246\ntitle: T\n", SOURCE).id == "1911.12246"


@pytest.mark.parametrize("arxiv_id", ["1501.00010", "0704.0001", "1911.12240"])
def test_unquoted_id_whose_zeros_yaml_drops_is_refused_with_a_hint(arxiv_id: str) -> None:
    with pytest.raises(NoteFileError) as caught:
        load_note(f"id: {arxiv_id}\ntitle: T\n", SOURCE)
    message = str(caught.value)
    assert message.startswith(f"{SOURCE}: 'id' ")
    assert "read as a number" in message and "quotes" in message
    assert load_note(f"id: '{arxiv_id}'\ntitle: T\n", SOURCE).id == arxiv_id


def test_from_dict_keeps_extra_keys_and_takes_version_from_id() -> None:
    note = Note.from_dict({"id": "hep-th/9901001v2", "rating": 4, "seen": [1, 2]}, "index")
    assert (note.id, note.version) == ("hep-th/9901001", 2)
    assert note.extra == {"rating": 4, "seen": [1, 2]}
    assert note.ref == ArxivId("hep-th/9901001")
    assert list(note.to_dict())[-2:] == ["rating", "seen"]


def test_from_dict_error_names_the_source() -> None:
    with pytest.raises(NoteFileError, match=r"^index entry 7: .*'tags'"):
        Note.from_dict({"id": "1911.12246", "tags": 3}, "index entry 7")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Attention\n  Is All   You\tNeed \n", "Attention Is All You Need"),
        ("one", "one"),
        ("", ""),
        (" \n\t ", ""),
        ("Wübben\u00a0and  Li", "Wübben and Li"),
    ],
)
def test_normalise_space(text: str, expected: str) -> None:
    assert normalise_space(text) == expected


HEAD = "id: '1911.12246'\n"


def refused(text: str) -> str:
    """The one-line message `load_note` refuses `text` with."""
    with pytest.raises(NoteFileError) as caught:
        load_note(text, SOURCE)
    message = str(caught.value)
    assert message.startswith(f"{SOURCE}: ")
    assert "\n" not in message
    return message


@pytest.mark.parametrize(
    ("written", "read"),
    [
        # YAML 1.1 reads these as numbers or true/false: a text field keeps what PyYAML read
        ("012", "10"),
        ("0b11", "3"),
        ("0x1F", "31"),
        ("1_000", "1000"),
        ("190:20:30", "685230"),
        ("Yes", "true"),
        ("On", "true"),
        ("off", "false"),
        ("1.5", "1.5"),
        ("99999999999999999999", None),  # beyond 64 bits: refused, like everywhere else
        # ... and these as text
        ("0o17", "0o17"),
        ("y", "y"),
        ("!!str 012", "012"),
        ("'null'", "null"),
        ("'yes'", "yes"),
        ("2019-01-01", "2019-01-01"),
        ("2019-01-01T10:00:00+01:00", "2019-01-01T09:00:00Z"),
    ],
)
def test_tricky_scalars_in_text_fields(written: str, read: str | None) -> None:
    text = f"{HEAD}title: {written}\ntags: [{written}]\nauthors: [{written}]\n"
    if read is None:
        assert "'title'" in refused(text)
        return
    note = load_note(text, SOURCE)
    assert (note.title, note.tags, note.authors) == (read, [read], [Author(read)])


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("tags: 5", "'tags' must be a list, not an integer"),
        ("tags: 1.5", "'tags' must be a list, not a decimal number"),
        ("findings: true", "'findings' must be a list, not true/false"),
        ("categories: {cs: LG}", "'categories' must be a list, not a mapping"),
        ("tags: 2017-06-12", "'tags' must be a list, not a date"),
        ("tags: 2017-06-12 17:57:34", "'tags' must be a list, not a date and time"),
        ("authors: 8", "'authors' must be a list, not an integer"),
        ("title: {a: 1}", "'title' must be text, not a mapping"),
        ("abstract: [a]", "'abstract' must be text, not a list"),
        ("id: [1706.03762]", "'id' must be text like '1911.12246', not a list"),
        ("id: true", "'id' true is not an arXiv identifier"),
        ("x: !!binary aGVsbG8=", "'x' holds binary data (!!binary), which a note cannot keep"),
    ],
)
def test_wrong_types_are_named_in_plain_words(line: str, words: str) -> None:
    text = f"{line}\n" if line.startswith("id:") else f"{HEAD}{line}\n"
    message = refused(text)
    assert message.startswith(f"{SOURCE}: {words}")
    assert not re.search(r"\b(int|str|dict|bool|float|NoneType|datetime|True|False)\b", message)


@pytest.mark.parametrize("written", ["~", "null", "NULL", "!!null x", ""])
def test_nulls_in_text_fields_are_no_value(written: str) -> None:
    note = load_note(f"{HEAD}title: {written}\ndoi: {written}\ntags: [a, {written}]\n", SOURCE)
    assert (note.title, note.doi, note.tags) == ("", None, ["a"])


# --- values JSON (the index, `--json`) cannot hold -------------------------------------

BIG = "99999999999999999999"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (f"{HEAD}rating: {BIG}\n", "'rating'"),
        (f"{HEAD}rating: -{BIG}\n", "'rating'"),
        (f"{HEAD}rating: 9223372036854775808\n", "'rating'"),  # 2**63
        (f"{HEAD}rating: -9223372036854775809\n", "'rating'"),
        (f"{HEAD}scores: [1, 2, {BIG}]\n", "'scores'"),
        (f"{HEAD}mine:\n  a: [1, {{b: [{BIG}]}}]\n", "'mine'"),
        (f"{HEAD}tags: [ml, {BIG}]\n", "'tags'"),
        (f"{HEAD}findings: [{BIG}]\n", "'findings'"),
    ],
)
def test_whole_numbers_beyond_64_bits_are_refused(text: str, key: str) -> None:
    message = refused(text)
    assert key in message
    assert "beyond 64 bits" in message and "quotes" in message


def test_whole_numbers_within_64_bits_are_kept_and_fit_json() -> None:
    text = f"{HEAD}bounds: [9223372036854775807, -9223372036854775808, 0]\n"
    note = load_note(text, SOURCE)
    assert note.extra == {"bounds": [2**63 - 1, -(2**63), 0]}
    assert orjson.loads(orjson.dumps(note.to_dict())) == note.to_dict()


@pytest.mark.parametrize(
    ("value", "spelled"),
    [
        (".nan", ".nan"),
        (".NaN", ".nan"),
        (".inf", ".inf"),
        ("-.Inf", "-.inf"),
        ("+.inf", ".inf"),
        ("1.0e+999", ".inf"),  # too big for a float: Python makes it infinite
    ],
)
@pytest.mark.parametrize(
    ("template", "key"),
    [
        ("x: {}\n", "'x'"),
        ("x: [1.5, {}]\n", "'x'"),
        ("x: {{a: {{b: {}}}}}\n", "'x'"),
        ("title: {}\n", "'title'"),
        ("findings: [{}]\n", "'findings'"),
    ],
)
def test_nan_and_infinity_are_refused(value: str, spelled: str, template: str, key: str) -> None:
    message = refused(HEAD + template.format(value))
    assert f"{key} holds {spelled}, which JSON cannot hold" in message


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_nan_and_infinity_from_plain_data_are_refused(value: float) -> None:
    with pytest.raises(NoteFileError, match=r"^index: 'mine' holds"):
        Note.from_dict({"id": "1911.12246", "mine": {"a": [value]}}, "index")


@pytest.mark.parametrize(
    ("text", "kind"),
    [(f"{HEAD}x: !!binary aGVsbG8=\n", "binary"), (f"{HEAD}x: [!!set {{a, b}}]\n", "set")],
)
def test_values_json_has_no_form_for_are_refused(text: str, kind: str) -> None:
    message = refused(text)
    assert "'x'" in message and kind in message


def test_pairs_become_lists() -> None:
    note = load_note(f"{HEAD}x: !!omap [{{a: 1}}, {{b: 2}}]\n", SOURCE)
    assert note.extra == {"x": [["a", 1], ["b", 2]]}


def test_keys_that_are_not_text_become_text() -> None:
    text = f"{HEAD}mine: {{1: a, 2.5: b, null: c, false: d, 2019-01-01: e}}\n7: seven\n"
    note = load_note(text, SOURCE)
    assert note.extra == {
        "mine": {"1": "a", "2.5": "b", "null": "c", "false": "d", "2019-01-01": "e"},
        "7": "seven",
    }
    assert load_note(dump_note(note), SOURCE) == note
    assert orjson.loads(orjson.dumps(note.to_dict())) == note.to_dict()


@pytest.mark.parametrize(
    ("text", "named"),
    [
        (f"{HEAD}mine: {{1: a, '1': b}}\n", "'mine' has the key '1' twice"),
        (f"{HEAD}mine: [{{true: a, 'true': b}}]\n", "'mine' has the key 'true' twice"),
        (f"{HEAD}7: a\n'7': b\n", "the key '7' twice"),
    ],
)
def test_keys_equal_once_made_text_are_refused(text: str, named: str) -> None:
    assert named in refused(text)


# --- dates ------------------------------------------------------------------------------


def test_unquoted_dates_are_accepted_and_hand_added_ones_kept_as_dates() -> None:
    text = (
        f"{HEAD}"
        "published: 2017-06-12T17:57:34Z\n"
        "updated: 2017-06-12 19:57:34.5+02:00\n"
        "added: 2026-11-28\n"
        "read_on: [2026-01-03, 2026-01-04T08:00:00]\n"
        "seen: {at: 2017-06-12T17:57:34Z}\n"
    )
    note = load_note(text, SOURCE)
    assert note.published == "2017-06-12T17:57:34Z"
    assert note.updated == "2017-06-12T17:57:34.500000Z"
    assert note.added == "2026-11-28"
    utc = dt.timezone.utc
    assert note.extra == {  # written back as the dates they are
        "read_on": [dt.date(2026, 1, 3), dt.datetime(2026, 1, 4, 8, 0)],
        "seen": {"at": dt.datetime(2017, 6, 12, 17, 57, 34, tzinfo=utc)},
    }
    assert note.year == 2017
    assert orjson.loads(orjson.dumps(note.to_dict()))["read_on"] == [  # the index's JSON
        "2026-01-03",
        "2026-01-04T08:00:00",
    ]
    assert load_note(dump_note(note), SOURCE) == note


@pytest.mark.parametrize(
    "value",
    [
        "2017-06-12",
        "2017-06-12T17:57:34Z",
        "2017-06-12T17:57:34",
        "2017-06-12T17:57",
        "2017-06-12T17:57:34.123+02:00",
        "2016-02-29T00:00:00-05:30",
    ],
)
@pytest.mark.parametrize("key", ["published", "updated", "added"])
def test_quoted_iso_dates_are_kept_as_written(value: str, key: str) -> None:
    assert getattr(load_note(f"{HEAD}{key}: '{value}'\n", SOURCE), key) == value


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("yesterday", "'yesterday'"),
        ("'2017-13-45'", "'2017-13-45'"),
        ("'2017-02-30'", "'2017-02-30'"),
        ("'2017-6-12'", "'2017-6-12'"),
        ("'17-06-12'", "'17-06-12'"),
        ("'2017-06-12T24:00:00Z'", "'2017-06-12T24:00:00Z'"),
        ("'2017-06-12T17:60'", "'2017-06-12T17:60'"),
        ("'2017-06-12T17:57:34+25:00'", "'2017-06-12T17:57:34+25:00'"),
        ("'2017-06-12T17:57:34Z junk'", "'2017-06-12T17:57:34Z junk'"),
        ("'２０１７-06-12'", "'２０１７-06-12'"),  # fullwidth digits: int() would take them
        ("true", "true"),
        ("[2017-06-12]", "a list"),
    ],
)
@pytest.mark.parametrize("key", ["published", "updated", "added"])
def test_dates_that_are_not_dates_are_refused(written: str, shown: str, key: str) -> None:
    message = refused(f"{HEAD}{key}: {written}\n")
    assert f"'{key}' must be an ISO 8601 date or date-time" in message
    assert message.endswith(f"not {shown}")


@pytest.mark.parametrize("key", ["published", "added", "mine"])
def test_unquoted_impossible_dates_name_the_line_and_key(key: str) -> None:
    message = refused(f"{HEAD}title: T\n{key}: 2017-13-45\n")
    assert message.startswith(f"{SOURCE}: line 3, column {len(key) + 3}: '{key}': ")
    assert "month must be in 1..12" in message


def test_a_number_too_long_for_python_names_the_line_and_key() -> None:
    message = refused(f"{HEAD}rating: {'1' * 5000}\n")
    assert message.startswith(f"{SOURCE}: line 2, column 9: 'rating': ")
    assert len(message) < 300


# --- version ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        (BIG, "a whole number beyond 64 bits"),
        ("10000", "10000"),
        ("0", "0"),
        ("-1", "-1"),
        ("2.0", "2.0"),
        ("'2'", "'2'"),
        ("true", "true"),
        ("false", "false"),
        (".nan", ".nan"),
        ("-.inf", "-.inf"),
        ("[2]", "a list"),
    ],
)
def test_version_must_be_a_whole_number_up_to_9999(written: str, shown: str) -> None:
    message = refused(f"{HEAD}version: {written}\n")
    assert message == f"{SOURCE}: 'version' must be a whole number from 1 to 9999, not {shown}"


def test_version_9999_is_accepted() -> None:
    assert load_note(f"{HEAD}version: 9999\n", SOURCE).version == 9999


@pytest.mark.parametrize("version", [2**64, 2**70, 10_000])
def test_version_from_plain_data_is_bounded(version: int) -> None:
    with pytest.raises(NoteFileError, match=r"^index: 'version' must be a whole number"):
        Note.from_dict({"id": "1911.12246", "version": version}, "index")


@pytest.mark.parametrize("arxiv_id", [f"1911.12246v{BIG}", "1911.12246v10000"])
def test_absurd_version_in_the_id_is_refused(arxiv_id: str) -> None:
    assert "'id'" in refused(f"id: '{arxiv_id}'\n")


# --- hand-added values too deep or too large ---------------------------------------------

TOO_BIG = "is nested over 64 levels deep or holds over 100,000 values"


def test_nesting_up_to_64_levels_is_kept_and_deeper_refused() -> None:
    deepest = load_note(f"{HEAD}mine: {'[' * 64}{']' * 64}\n", SOURCE).extra["mine"]
    for _ in range(63):
        (deepest,) = deepest
    assert deepest == []
    message = refused(f"{HEAD}mine: {'[' * 65}{']' * 65}\n")
    assert f"'mine' {TOO_BIG}" in message


def test_up_to_100_000_values_are_kept_and_more_refused() -> None:
    kept = Note.from_dict({"id": "1911.12246", "mine": [0] * 99_999}, "index")
    assert len(kept.extra["mine"]) == 99_999  # and the list itself: 100,000 values
    with pytest.raises(NoteFileError, match=rf"^index: 'mine' {TOO_BIG}"):
        Note.from_dict({"id": "1911.12246", "mine": [0] * 100_000}, "index")


def billion_laughs(levels: int) -> str:
    """Levels l0 to l{levels - 1}, each a list of two of the one before, by aliases.

    Written out, level i holds 2**(i + 2) - 1 values: l14 65,535, l15 131,071.
    """
    lines = ["l0: &l0 [lol, lol]"]
    lines += [f"l{i}: &l{i} [*l{i - 1}, *l{i - 1}]" for i in range(1, levels)]
    return HEAD + "\n".join(lines) + "\n"


def test_billion_laughs_is_refused() -> None:
    # 2**42 values written out: this hangs unless counting stops once past 100,000
    assert f"'l15' {TOO_BIG}" in refused(billion_laughs(40))


@pytest.mark.parametrize("key", ["tags", "authors", "findings", "mine"])
def test_billion_laughs_under_any_key_is_refused(key: str) -> None:
    text = billion_laughs(15) + f"{key}: [*l14, *l14]\n"
    assert f"'{key}' {TOO_BIG}" in refused(text)


def test_aliases_within_bounds_are_kept() -> None:
    note = load_note(billion_laughs(15), SOURCE)  # l14: 65,535 values written out
    deepest = note.extra["l14"]
    for _ in range(14):
        deepest = deepest[1]
    assert deepest == ["lol", "lol"]


def test_billion_laughs_from_plain_data_is_refused() -> None:
    laughs: list[Any] = ["lol"]
    for _ in range(60):
        laughs = [laughs, laughs]
    with pytest.raises(NoteFileError, match=rf"^index: 'mine' {TOO_BIG}"):
        Note.from_dict({"id": "1911.12246", "mine": laughs}, "index")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (f"{HEAD}mine: &loop [1, *loop]\n", "'mine'"),
        (f"{HEAD}mine: &loop {{a: *loop}}\n", "'mine'"),
        (f"{HEAD}mine: &loop [1, {{a: [*loop]}}]\n", "'mine'"),
        ("&doc {id: '1911.12246', me: *doc}\n", "'me'"),
        (f"{HEAD}tags: &loop [a, *loop]\n", "'tags'"),
        (f"{HEAD}authors: &loop [{{name: A, affiliations: *loop}}]\n", "'authors'"),
    ],
)
def test_values_that_contain_themselves_are_refused(text: str, key: str) -> None:
    assert f"{key} {TOO_BIG}" in refused(text)


def test_an_alias_repeated_within_bounds_is_written_out_in_full() -> None:
    note = load_note(f"{HEAD}a: &x [1, 2]\nb: *x\n", SOURCE)
    assert note.extra == {"a": [1, 2], "b": [1, 2]}
    assert note.extra["a"] is not note.extra["b"]  # copies: editing one leaves the other


def test_a_year_alone_is_a_date_as_precise_as_its_source_knows() -> None:
    for written in ("2003", "'2003'", "'2003-05'"):
        note = load_note(f"id: '1706.03762'\npublished: {written}\n", "n.yaml")
        assert note.published == written.strip("'") and note.year == 2003
