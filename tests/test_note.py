"""The Note model's YAML round trip: types kept, fixed key order, block style, clear errors."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

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


@pytest.mark.parametrize("arxiv_id", ["1501.00010", "0704.0001", "1911.12240"])
def test_unquoted_hand_written_id_keeps_its_digits(arxiv_id: str) -> None:
    assert load_note(f"id: {arxiv_id}\ntitle: T\n", SOURCE).id == arxiv_id


def test_from_dict_keeps_extra_keys_and_takes_version_from_id() -> None:
    note = Note.from_dict({"id": "hep-th/9901001v2", "rating": 4, "seen": [1, 2]}, "index")
    assert (note.id, note.version) == ("hep-th/9901001", 2)
    assert note.extra == {"rating": 4, "seen": [1, 2]}
    assert note.arxiv_id == ArxivId("hep-th/9901001")
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


TRICKY_YAML = [
    "a: &x [1, *x]\n",  # a list that contains itself
    "a: &x {b: *x}\n",  # a mapping that contains itself: PyYAML refuses it
    "<<: {a: 1}\nb: 2\n",  # a merge key
    "? [1, 2]\n: x\n",  # a list as a key: refused
    "a: 1\na: 2\n",
    "x: !!set {a, b}\n",
    "- &a [1, 2]\n- *a\n",
    "",
    "---\n",
    "a: 2019-01-01\nb: 1.5\nc: null\nd: yes\ne: ~\nf: 0x1F\n",
    "!!python/object/apply:os.system ['echo hi']\n",
    "a: !!binary aGVsbG8=\n",
    "{1: a, 2.5: b, null: c}\n",
    "a:\n  b:\n    c: [x, {d: e}]\n",
    "a: !custom x\n",
    "a: 1\n---\nb: 2\n",
    # scalars built without PyYAML's constructor must come out as it builds them
    "a: [0, 7, 012, 1_000, +5, -3, 0b11, 0o17, 190:20:30, !!int '42', 99999999999999999999]\n",
    "b: [Yes, NO, on, Off, TRUE, y, !!bool false, !!str true]\n",
    "c: [~, null, Null, NULL, '', !!null x, 'null']\n",
]


@pytest.mark.parametrize("text", TRICKY_YAML)
def test_fast_yaml_reading_matches_pyyaml(text: str) -> None:
    import yaml

    from papernotes.note import _loader, _parse_yaml

    def outcome(load: Any) -> object:
        try:
            return repr(load(text))  # repr: a value containing itself cannot be compared
        except yaml.YAMLError as err:
            return type(err), str(err)

    assert outcome(_parse_yaml) == outcome(lambda t: yaml.load(t, Loader=_loader()))


def test_fast_yaml_reading_builds_an_alias_once() -> None:
    from papernotes.note import _parse_yaml

    data = _parse_yaml("a: &x [1, 2]\nb: *x\n")
    assert data == {"a": [1, 2], "b": [1, 2]} and data["a"] is data["b"]


@pytest.mark.parametrize(
    "value",
    ["", "x", "1", "012", "1.5", "0x1F", "1_000", "190:20:30", "true", "Off", "null", "~",
     "2019-01-01", "2019-01-01T10:00:00Z", "=", "<<", "-", "+1", ".inf", ".nan", "é"],
)  # fmt: skip
def test_our_tag_resolution_is_pyyaml_s(value: str) -> None:
    import yaml
    from yaml.resolver import BaseResolver

    from papernotes.note import _loader

    loader = _loader()("")
    for kind in (yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode):
        for implicit in ((True, False), (False, True), (False, False)):
            ours = loader.resolve(kind, value, implicit)
            assert ours == BaseResolver.resolve(loader, kind, value, implicit)
