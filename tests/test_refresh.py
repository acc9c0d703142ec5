"""`refresh`: arXiv's fields brought up to date, the reader's left exactly as they were."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
import yaml
from fake_arxiv import FakeArxiv, Reply, batch_feed, fixture

from papernotes.arxiv_source import FetchReport
from papernotes.ids import ArxivId
from papernotes.note import Author, Note
from papernotes.refreshing import Change, arxiv_changes, merged, refresh_notes
from papernotes.store import NoteStore

ATTENTION = "Attention Is All You Need"
EMPTY_FEED = "api2026_empty_feed_0000.0000.xml"
# What a reader wrote into a note, hand-added keys included: refresh never touches these.
READER = {
    "tags": ["attention", "nlp"],
    "tldr": "Self-attention alone is enough for translation.",
    "findings": ["28.4 BLEU on WMT 2014 En-De", "trains in 3.5 days on 8 GPUs"],
    "commentary": "Read twice.\nThe positional encoding section is the tricky one.",
    "rating": 5,
    "my_list": ["a", "b"],
}


def note_file(notes_dir: Path, stem: str) -> Path:
    return notes_dir / f"{stem}.yaml"


def load(notes_dir: Path, stem: str) -> dict:
    return yaml.safe_load(note_file(notes_dir, stem).read_text(encoding="utf-8"))


def edit(path: Path, **changes: object) -> dict:
    """Change keys of a note file by hand, as a reader would in an editor."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return data


def stamps(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Bytes and modification time of every note file."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.glob("*.yaml"))}


def make_attention_old(notes_dir: Path) -> dict:
    """Turn the recorded v7 note into what v5 looked like, with the reader's work in it."""
    path = note_file(notes_dir, "1706.03762")
    authors = yaml.safe_load(path.read_text(encoding="utf-8"))["authors"][:3]
    return edit(
        path,
        version=5,
        title="Attention Is All You Need (draft)",
        authors=authors,
        doi=None,
        url="https://arxiv.org/abs/1706.03762v5",
        pdf_url="https://arxiv.org/pdf/1706.03762v5",
        **READER,
    )


def lines(text: str) -> list[list[str]]:
    """Report lines as [status, id, description] (statuses here are one word)."""
    return [line.split(None, 2) for line in text.splitlines()]


# --- through the CLI ---------------------------------------------------------------------------


def test_a_new_version_updates_arxiv_fields_and_keeps_the_reader_fields(
    cli, arxiv: FakeArxiv, notes_dir: Path
) -> None:
    cli("add", "1706.03762")
    recorded = load(notes_dir, "1706.03762")
    old = make_attention_old(notes_dir)
    result = cli("refresh", "1706.03762")
    assert lines(result.stdout) == [["updated", "1706.03762", "v5 → v7; title, authors changed"]]
    assert result.stderr.strip() == "1 of 1 note updated."
    data = load(notes_dir, "1706.03762")
    assert data["version"] == 7 and data["title"] == ATTENTION
    assert data["authors"][:2] == ["Ashish Vaswani", "Noam Shazeer"]
    assert len(data["authors"]) == 8
    # arXiv's record as recorded, the reader's fields and keys exactly as written
    assert data == {**recorded, **READER}
    assert data["added"] == old["added"]
    assert "pending" not in data
    assert arxiv.requests[-1].id_list == "1706.03762"


def test_a_doi_and_a_journal_reference_appearing_are_reported(cli, arxiv, notes_dir) -> None:
    cli("add", "1710.08557", "--tag", "robotics")
    recorded = load(notes_dir, "1710.08557")
    assert recorded["doi"] == "10.1186/s12984-017-0305-3" and recorded["journal_ref"]
    edit(note_file(notes_dir, "1710.08557"), doi=None, journal_ref=None, tldr="mine")
    result = cli("refresh", "https://arxiv.org/abs/1710.08557")
    assert lines(result.stdout) == [["updated", "1710.08557", "DOI, journal reference changed"]]
    assert load(notes_dir, "1710.08557") == {**recorded, "tldr": "mine"}


def test_dry_run_reports_the_same_and_writes_nothing(cli, arxiv, notes_dir) -> None:
    cli("add", "1706.03762", "1710.08557")
    make_attention_old(notes_dir)
    edit(note_file(notes_dir, "1710.08557"), doi=None, journal_ref=None)
    before = stamps(notes_dir)
    dry = cli("refresh", "1706.03762", "1710.08557", "--dry-run")
    assert stamps(notes_dir) == before
    assert "2 of 2 notes would change (dry run: nothing written)." in dry.stderr
    assert lines(dry.stdout) == [
        ["updated", "1706.03762", "v5 → v7; title, authors changed"],
        ["updated", "1710.08557", "DOI, journal reference changed"],
    ]
    real = cli("refresh", "1706.03762", "1710.08557")
    assert real.stdout == dry.stdout
    assert stamps(notes_dir) != before


def test_all_asks_arxiv_once_for_every_note(cli, arxiv: FakeArxiv, notes_dir) -> None:
    papers = ["1706.03762", "1710.08557", "math/0211159", "astro-ph/0601001", "1605.08386"]
    cli("add", *papers)
    make_attention_old(notes_dir)
    others = {k: v for k, v in stamps(notes_dir).items() if k != "1706.03762.yaml"}
    asked_before = len(arxiv.requests)
    result = cli("refresh", "--all")
    asked = arxiv.requests[asked_before:]
    assert len(asked) == 1
    assert sorted(asked[0].id_list.split(",")) == sorted(papers)
    report = {line[1]: (line[0], line[2]) for line in lines(result.stdout)}
    assert report.pop("1706.03762") == ("updated", "v5 → v7; title, authors changed")
    assert report == {paper: ("unchanged", "up to date") for paper in papers[1:]}
    assert result.stderr.strip() == "1 of 5 notes updated."
    assert {k: v for k, v in stamps(notes_dir).items() if k != "1706.03762.yaml"} == others


def test_pending_completes_placeholders_and_keeps_what_was_written_in_them(
    cli, notes_dir, request: pytest.FixtureRequest
) -> None:
    # arXiv unreachable (the default in tests): placeholders are written
    cli("add", "1706.03762", "1605.08386", "--tag", "later", "-t", "#offline", code=1)
    placeholder = edit(note_file(notes_dir, "1706.03762"), tldr="written offline", rating=4)
    assert placeholder["pending"] is True and placeholder["title"] == ""

    arxiv: FakeArxiv = request.getfixturevalue("arxiv")  # arXiv is back
    cli("add", "1710.08557")  # a complete note, which --pending leaves alone
    complete = stamps(notes_dir)["1710.08557.yaml"]
    asked_before = len(arxiv.requests)
    result = cli("refresh", "--pending")
    assert [r.id_list for r in arxiv.requests[asked_before:]] == ["1605.08386,1706.03762"]
    report = lines(result.stdout)
    assert [(line[0], line[1]) for line in report] == [
        ("completed", "1605.08386"),
        ("completed", "1706.03762"),
    ]
    assert report[0][2].startswith("pending → v1; title, authors")
    assert report[1][2].startswith("pending → v7; title, authors")
    assert result.stderr.strip() == "2 of 2 notes updated."

    data = load(notes_dir, "1706.03762")
    assert data["title"] == ATTENTION and data["version"] == 7 and "pending" not in data
    assert data["tags"] == ["later", "offline"]
    assert data["tldr"] == "written offline" and data["rating"] == 4
    assert data["added"] == placeholder["added"]
    assert load(notes_dir, "1605.08386")["tags"] == ["later", "offline"]
    assert stamps(notes_dir)["1710.08557.yaml"] == complete

    again = cli("refresh", "--pending")
    assert again.stdout == "" and "No placeholder notes to complete." in again.stderr
    assert len(arxiv.requests) == asked_before + 1


def test_a_paper_arxiv_no_longer_has_is_reported_and_left_alone(cli, arxiv, notes_dir) -> None:
    cli("add", "1706.03762")
    make_attention_old(notes_dir)
    before = stamps(notes_dir)
    arxiv.script("1706.03762", Reply(body=fixture(EMPTY_FEED)))
    result = cli("refresh", "1706.03762", code=1)
    assert result.stdout == ""
    first = result.stderr.splitlines()[0]
    assert first.startswith("not found") and first.endswith("not found on arXiv; note unchanged")
    assert "1706.03762" in first
    assert "0 of 1 note updated." in result.stderr
    assert stamps(notes_dir) == before


def test_arxiv_failing_is_reported_and_changes_nothing(cli, arxiv, notes_dir) -> None:
    cli("add", "1706.03762", "1710.08557")
    make_attention_old(notes_dir)
    before = stamps(notes_dir)
    arxiv.script("1706.03762,1710.08557", Reply(status=503))
    result = cli("refresh", "--all", code=1)
    assert result.stdout == ""
    failed = [line for line in result.stderr.splitlines() if line.startswith("failed")]
    assert len(failed) == 2
    assert all("HTTP 503" in line and "note unchanged" in line for line in failed)
    assert "not found" not in result.stderr
    assert stamps(notes_dir) == before


def test_one_missing_paper_does_not_stop_the_others(cli, arxiv: FakeArxiv, notes_dir) -> None:
    cli("add", "1706.03762", "1710.08557")
    make_attention_old(notes_dir)
    arxiv.script("1706.03762,1710.08557", Reply(body=batch_feed(["1710.08557"])))
    arxiv.script("1706.03762", Reply(body=fixture(EMPTY_FEED)))
    edit(note_file(notes_dir, "1710.08557"), doi=None)
    result = cli("refresh", "--all", code=1)
    assert lines(result.stdout) == [["updated", "1710.08557", "DOI changed"]]
    assert "1706.03762" in result.stderr and "not found on arXiv" in result.stderr
    assert load(notes_dir, "1710.08557")["doi"] == "10.1186/s12984-017-0305-3"
    assert load(notes_dir, "1706.03762")["version"] == 5


ANOMALY = "arXiv's latest version is older than the note's; note unchanged"


def test_a_version_going_down_is_an_anomaly_and_not_applied(cli, arxiv, notes_dir) -> None:
    cli("add", "1706.03762", "1710.08557")
    # The note claims v9; arXiv's recorded answer is v7 (a hand edit, or a stale mirror).
    edit(note_file(notes_dir, "1706.03762"), version=9, title="Attention (my copy)")
    edit(note_file(notes_dir, "1710.08557"), doi=None)
    before = stamps(notes_dir)["1706.03762.yaml"]
    result = cli("refresh", "--all", code=1)
    assert lines(result.stdout) == [["updated", "1710.08557", "DOI changed"]]
    assert result.stderr.splitlines() == [
        f"anomaly    1706.03762        v9 → v7: {ANOMALY}",
        "1 of 2 notes updated.",
    ]
    assert stamps(notes_dir)["1706.03762.yaml"] == before  # the note as it was
    assert load(notes_dir, "1706.03762")["title"] == "Attention (my copy)"
    assert load(notes_dir, "1710.08557")["doi"] == "10.1186/s12984-017-0305-3"

    dry = cli("refresh", "1706.03762", "--dry-run", code=1)
    assert dry.stdout == "" and dry.stderr.splitlines()[0] == result.stderr.splitlines()[0]

    edit(note_file(notes_dir, "1706.03762"), version=7)  # put right: refresh applies again
    fixed = cli("refresh", "1706.03762")
    assert lines(fixed.stdout) == [["updated", "1706.03762", "title changed"]]


def test_a_placeholder_for_a_version_arxiv_lacks_is_still_completed(cli, notes_dir, request):
    cli("add", "1706.03762v9", code=1)  # arXiv unreachable: a placeholder asking for v9
    assert load(notes_dir, "1706.03762")["version"] == 9
    request.getfixturevalue("arxiv")
    result = cli("refresh", "--pending")
    assert lines(result.stdout)[0][:2] == ["completed", "1706.03762"]
    assert lines(result.stdout)[0][2].startswith("pending → v7; ")
    assert load(notes_dir, "1706.03762")["version"] == 7


def test_saying_nothing_is_a_usage_error(cli, arxiv: FakeArxiv) -> None:
    result = cli("refresh", code=2)
    assert "ids, --all or --pending" in result.stderr
    assert arxiv.requests == []


@pytest.mark.parametrize(
    ("given", "words"),
    [("1605.08386", "no note for 1605.08386"), ("nonsense", "'nonsense'")],
)
def test_a_paper_without_a_note_fails_before_asking(cli, arxiv, notes_dir, given, words) -> None:
    cli("add", "1706.03762")
    asked = len(arxiv.requests)
    result = cli("refresh", "1706.03762", given, code=1)
    assert words in result.stderr and "Traceback" not in result.stderr
    assert len(arxiv.requests) == asked


def test_all_in_an_empty_folder_has_nothing_to_do(cli, arxiv: FakeArxiv) -> None:
    result = cli("refresh", "--all")
    assert "No notes to refresh." in result.stderr
    assert arxiv.requests == []


def test_the_same_paper_given_twice_is_refreshed_once(cli, arxiv, notes_dir) -> None:
    cli("add", "1706.03762")
    make_attention_old(notes_dir)
    result = cli("refresh", "1706.03762", "arXiv:1706.03762")
    assert lines(result.stdout) == [["updated", "1706.03762", "v5 → v7; title, authors changed"]]
    assert result.stderr.strip() == "1 of 1 note updated."


def test_a_hand_added_date_survives_refresh(cli, arxiv, notes_dir) -> None:
    cli("add", "1710.08557")
    path = note_file(notes_dir, "1710.08557")
    edit(path, doi=None, read_on=dt.date(2024, 5, 1))
    result = cli("refresh", "1710.08557")
    assert lines(result.stdout) == [["updated", "1710.08557", "DOI changed"]]
    data = load(notes_dir, "1710.08557")
    assert data["read_on"] == dt.date(2024, 5, 1) and data["doi"]


# --- refresh_notes, with a stand-in for arXiv ---------------------------------------------------

ID = ArxivId("1706.03762")
OTHER = ArxivId("1710.08557")


def arxiv_note(arxiv_id: ArxivId = ID, **changes: object) -> Note:
    """A note as arXiv describes the paper today (version 7), no reader fields."""
    note = Note(
        id=arxiv_id.base,
        version=7,
        title=ATTENTION,
        authors=[Author("Ashish Vaswani"), Author("Noam Shazeer"), Author("Niki Parmar")],
        abstract="The dominant sequence transduction models are based on recurrence.",
        published="2017-06-12T17:57:34Z",
        updated="2023-08-02T00:41:18Z",
        primary_category="cs.CL",
        categories=["cs.CL", "cs.LG"],
        comment="15 pages, 5 figures",
        url=f"https://arxiv.org/abs/{arxiv_id.base}v7",
        pdf_url=f"https://arxiv.org/pdf/{arxiv_id.base}v7",
    )
    for key, value in changes.items():
        setattr(note, key, value)
    return note


def reader_note(arxiv_id: ArxivId = ID, **changes: object) -> Note:
    """The same paper as a reader's note from version 5, with the reader's work in it."""
    note = arxiv_note(
        arxiv_id,
        version=5,
        title="Attention Is All You Need (draft)",
        url=f"https://arxiv.org/abs/{arxiv_id.base}v5",
        tldr="Self-attention alone is enough.",
        findings=["28.4 BLEU"],
        commentary="Read twice.",
        tags=["attention"],
        added="2017-07-01T09:00:00Z",
        extra={"rating": 5, "my_list": ["a", "b"]},
    )
    for key, value in changes.items():
        setattr(note, key, value)
    return note


class FakeSource:
    """Stands in for ArxivSource: `answer(ids)` says what arXiv found."""

    def __init__(self, answer: Callable[[list[ArxivId]], FetchReport]) -> None:
        self.answer = answer
        self.asked: list[list[ArxivId]] = []

    def fetch(
        self, ids: Sequence[ArxivId], on_progress: Callable[[int], None] | None = None
    ) -> FetchReport:
        self.asked.append(list(ids))
        return self.answer(list(ids))

    # It stands for every source refresh_notes is given: arXiv alone, in these tests.
    @property
    def arxiv(self) -> FakeSource:
        return self

    def crossref(self) -> None:
        raise AssertionError("no Crossref in these tests")

    web = crossref


class WatchedStore(NoteStore):
    """Records, for every note read, whether the folder's lock was held."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.reads_locked: list[bool] = []

    def get(self, arxiv_id: ArxivId) -> Note:
        self.reads_locked.append(self._lock_depth > 0)
        return super().get(arxiv_id)


@pytest.fixture
def store(notes_dir: Path) -> WatchedStore:
    return WatchedStore(notes_dir)


def found(*notes: Note) -> FetchReport:
    return FetchReport(found={n.ref: copy.deepcopy(n) for n in notes})


def test_a_hand_edit_made_while_arxiv_answers_is_not_lost(store: WatchedStore) -> None:
    store.create(reader_note())
    path = store.path_for(ID)
    chosen = [store.get(ID)]
    store.reads_locked.clear()

    def answer(ids: list[ArxivId]) -> FetchReport:
        # the reader saves an edit in their editor while arXiv is still answering
        edit(path, tldr="typed while arXiv answered", tags=["attention", "new"], later=True)
        return found(arxiv_note())

    changes = refresh_notes(store, FakeSource(answer), chosen)
    assert [(c.status, c.changed) for c in changes] == [("updated", ["title"])]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["tldr"] == "typed while arXiv answered"
    assert data["tags"] == ["attention", "new"] and data["later"] is True
    assert data["version"] == 7 and data["title"] == ATTENTION
    assert store.reads_locked == [True]  # read again, under the lock, right before the write


def test_a_version_raised_by_hand_while_arxiv_answers_is_an_anomaly(store: WatchedStore) -> None:
    store.create(reader_note())
    path = store.path_for(ID)
    chosen = [store.get(ID)]

    edited: list[bytes] = []

    def answer(ids: list[ArxivId]) -> FetchReport:
        edit(path, version=8)  # arXiv's v7 is now older than the note
        edited.append(path.read_bytes())
        return found(arxiv_note())

    [change] = refresh_notes(store, FakeSource(answer), chosen)
    assert (change.status, change.ok) == ("anomaly", False)
    assert change.describe() == f"v8 → v7: {ANOMALY}"
    assert [path.read_bytes()] == edited  # the hand edit, as it was typed


def test_only_a_version_going_down_is_an_anomaly(store: WatchedStore) -> None:
    for version, status in ((None, "updated"), (5, "updated"), (7, "updated"), (8, "anomaly")):
        if store.path_for(ID).exists():
            store.path_for(ID).unlink()
        store.create(reader_note(version=version))
        [change] = refresh_notes(
            store, FakeSource(lambda ids: found(arxiv_note())), [store.get(ID)]
        )
        assert change.status == status, version
        assert store.get(ID).version == (8 if status == "anomaly" else 7)
    store.save(reader_note(version=8))
    unversioned = FakeSource(lambda ids: found(arxiv_note(version=None)))
    [change] = refresh_notes(store, unversioned, [store.get(ID)])
    assert change.status == "updated"  # no version to compare: not an anomaly


def test_a_note_removed_while_arxiv_answers_is_not_written_back(store: WatchedStore) -> None:
    store.create(reader_note())
    chosen = [store.get(ID)]

    def answer(ids: list[ArxivId]) -> FetchReport:
        store.path_for(ID).unlink()
        return found(arxiv_note())

    [change] = refresh_notes(store, FakeSource(answer), chosen)
    assert (change.status, change.ok) == ("failed", False)
    assert "removed meanwhile" in change.message
    assert not store.path_for(ID).exists()


def test_a_note_broken_while_arxiv_answers_fails_alone(store: WatchedStore) -> None:
    store.create(reader_note())
    store.create(reader_note(OTHER))
    chosen = [store.get(ID), store.get(OTHER)]

    def answer(ids: list[ArxivId]) -> FetchReport:
        store.path_for(ID).write_text("tldr: [half typed\n", encoding="utf-8")
        return found(arxiv_note(), arxiv_note(OTHER))

    changes = refresh_notes(store, FakeSource(answer), chosen)
    assert [c.status for c in changes] == ["failed", "updated"]
    assert store.path_for(ID).read_text(encoding="utf-8") == "tldr: [half typed\n"
    assert store.get(OTHER).version == 7


def test_dry_run_asks_and_reports_but_writes_nothing(store: WatchedStore) -> None:
    store.create(reader_note())
    before = stamps(store.root)
    source = FakeSource(lambda ids: found(arxiv_note()))
    totals: list[int] = []
    [change] = refresh_notes(store, source, [store.get(ID)], dry_run=True, on_total=totals.append)
    assert (change.status, change.describe()) == ("updated", "v5 → v7; title changed")
    assert source.asked == [[ID]] and totals == [1]
    assert stamps(store.root) == before


def test_an_up_to_date_note_is_not_rewritten(store: WatchedStore) -> None:
    store.create(reader_note(version=7, title=ATTENTION, url=arxiv_note().url))
    before = stamps(store.root)
    [change] = refresh_notes(store, FakeSource(lambda ids: found(arxiv_note())), [store.get(ID)])
    assert (change.status, change.describe()) == ("unchanged", "up to date")
    assert stamps(store.root) == before


def test_every_paper_is_asked_in_one_fetch_and_answered_in_order(store: WatchedStore) -> None:
    store.create(reader_note())
    store.create(reader_note(OTHER))
    missing, failing = ArxivId("1605.08386"), ArxivId("math/0211159")
    for arxiv_id in (missing, failing):
        store.create(reader_note(arxiv_id))
    report = found(arxiv_note(OTHER))
    report.missing.append(missing)
    report.failed[failing] = "arXiv answered HTTP 503"
    chosen = [store.get(i) for i in (ID, OTHER, missing, failing)]
    source = FakeSource(lambda ids: report)
    changes = refresh_notes(store, source, chosen)
    assert source.asked == [[ID, OTHER, missing, failing]]
    assert [(str(c.arxiv_id), c.status) for c in changes] == [
        ("1706.03762", "failed"),  # arXiv's answer left it out, and no reason was given
        ("1710.08557", "updated"),
        ("1605.08386", "not found"),
        ("math/0211159", "failed"),
    ]
    assert changes[0].message == "no answer; note unchanged"
    assert changes[3].message == "arXiv answered HTTP 503; note unchanged"
    assert store.get(ID).version == 5 and store.get(OTHER).version == 7


# --- arxiv_changes, merged, Change.describe ---------------------------------------------------


def test_no_changes_between_equal_records() -> None:
    assert arxiv_changes(arxiv_note(), arxiv_note()) == []


def test_reader_fields_are_not_arxiv_changes() -> None:
    current = reader_note(version=7, title=ATTENTION, url=arxiv_note().url)
    assert arxiv_changes(current, arxiv_note()) == []


def test_changes_are_named_in_report_order() -> None:
    current = arxiv_note(
        version=2,
        title="Old",
        authors=[Author("Ashish Vaswani")],
        abstract="Old abstract.",
        comment=None,
        primary_category="cs.LG",
        categories=["cs.LG"],
    )
    fetched = arxiv_note(doi="10.1000/x", journal_ref="NeurIPS 2017")
    assert arxiv_changes(current, fetched) == [
        "title",
        "authors",
        "abstract",
        "categories",  # primary category and categories: named once
        "DOI",
        "journal reference",
        "comment",
    ]


def test_bookkeeping_fields_change_without_a_name() -> None:
    current = arxiv_note(
        version=5, updated="2017-12-06T03:30:32Z", url="https://arxiv.org/abs/1706.03762v5"
    )
    assert arxiv_changes(current, arxiv_note()) == []


def test_an_author_affiliation_is_an_authors_change() -> None:
    fetched = arxiv_note(authors=[Author("Ashish Vaswani", ["Google Brain"])])
    current = arxiv_note(authors=[Author("Ashish Vaswani")])
    assert arxiv_changes(current, fetched) == ["authors"]


def test_merged_takes_arxiv_fields_and_keeps_everything_else() -> None:
    current = reader_note(pending=True)
    reader = {
        k: copy.deepcopy(getattr(current, k))
        for k in ("tldr", "findings", "commentary", "tags", "added", "extra")
    }
    fetched = arxiv_note(doi="10.1000/x", journal_ref="NeurIPS 2017")
    result = merged(current, copy.deepcopy(fetched))
    for key in ("version", "title", "authors", "abstract", "published", "updated", "doi"):
        assert getattr(result, key) == getattr(fetched, key)
    for key in ("primary_category", "categories", "journal_ref", "comment", "url", "pdf_url"):
        assert getattr(result, key) == getattr(fetched, key)
    assert {k: getattr(result, k) for k in reader} == reader
    assert result.extra == {"rating": 5, "my_list": ["a", "b"]}
    assert result.pending is False
    assert result.id == "1706.03762"


def test_merged_clears_a_field_arxiv_dropped() -> None:
    current = reader_note(comment="withdrawn soon", doi="10.1000/old")
    result = merged(current, arxiv_note(comment=None, doi=None))
    assert result.comment is None and result.doi is None


@pytest.mark.parametrize(
    ("change", "text"),
    [
        (Change(ID, "updated", ["title", "DOI"], 1, 3), "v1 → v3; title, DOI changed"),
        (Change(ID, "updated", [], 5, 7), "v5 → v7"),
        (Change(ID, "updated", ["DOI"], 7, 7), "DOI changed"),
        (Change(ID, "completed", ["title"], None, 7), "pending → v7; title changed"),
        (Change(ID, "completed", ["title"], 7, 7), "pending → v7; title changed"),
        (Change(ID, "completed", ["title"], 9, 2), "pending → v2; title changed"),
        (Change(ID, "updated", ["title"], None, 7), "no version → v7; title changed"),
        (
            Change(ID, "anomaly", [], 9, 7, "arXiv's is older; note unchanged"),
            "v9 → v7: arXiv's is older; note unchanged",
        ),
        (Change(ID, "unchanged", [], 7, 7, "up to date"), "up to date"),
        (Change(ID, "not found", old_version=7, message="gone"), "gone"),
    ],
)
def test_describe(change: Change, text: str) -> None:
    assert change.describe() == text
