"""End to end through the real CLI (Typer's runner), against the local fake arXiv."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from fake_arxiv import FakeArxiv, Reply, fixture

ATTENTION = "Attention Is All You Need"


def note_file(notes_dir: Path, stem: str) -> Path:
    return notes_dir / f"{stem}.yaml"


def load(notes_dir: Path, stem: str) -> dict:
    return yaml.safe_load(note_file(notes_dir, stem).read_text(encoding="utf-8"))


# --- add ---------------------------------------------------------------------------------


def test_add_fetches_a_batch_in_one_request(cli, arxiv: FakeArxiv, notes_dir: Path) -> None:
    result = cli("add", "1706.03762", "hep-th/9901001", "astro-ph/0601001", "1605.08386", code=1)
    assert [r.id_list for r in arxiv.requests[:1]] == [
        "1706.03762,hep-th/9901001,astro-ph/0601001,1605.08386"
    ]
    assert ATTENTION in result.stdout
    assert "Heat-bath random walks" in result.stdout
    # hep-th/9901001 is not among the recordings: asked once more, then reported
    assert [r.id_list for r in arxiv.requests[1:]] == ["hep-th/9901001"]
    assert "hep-th/9901001" in result.stderr and "not found on arXiv" in result.stderr
    assert sorted(p.name for p in notes_dir.glob("*.yaml")) == [
        "1605.08386.yaml",
        "1706.03762.yaml",
        "astro-ph_0601001.yaml",
    ]


def test_note_holds_arxiv_fields_and_empty_reader_fields(cli, arxiv, notes_dir) -> None:
    cli("add", "astro-ph/0601001", "--tag", "exoplanets", "-t", "#survey")
    data = load(notes_dir, "astro-ph_0601001")
    assert data["id"] == "astro-ph/0601001" and data["version"] == 1
    assert data["authors"][0] == {"name": "Andrew Gould", "affiliations": ["Ohio State"]}
    assert data["journal_ref"] == "ActaAstron.56:1-50,2006"
    assert "Gould & Morgan" in data["abstract"] and "V_max<17.5" in data["abstract"]
    assert data["tags"] == ["exoplanets", "survey"]
    assert data["tldr"] == "" and data["findings"] == [] and data["commentary"] == ""
    assert data["published"] == "2006-01-02T14:57:58Z"
    assert data["url"] == "https://arxiv.org/abs/astro-ph/0601001v1"
    assert data["added"].endswith("Z")
    assert "pending" not in data


@pytest.mark.parametrize(
    "given",
    [
        "1706.03762",
        "arXiv:1706.03762",
        "  https://arxiv.org/abs/1706.03762v7 ",
        "http://export.arxiv.org/pdf/1706.03762v7.pdf",
        "www.arxiv.org/html/1706.03762v7",
    ],
)
def test_every_pasted_form_makes_the_same_note(cli, arxiv, notes_dir, given: str) -> None:
    cli("add", given)
    assert load(notes_dir, "1706.03762")["title"] == ATTENTION


def test_a_version_fetches_that_version(cli, arxiv, notes_dir) -> None:
    cli("add", "1706.03762v7")
    assert arxiv.requests[0].id_list == "1706.03762v7"
    assert load(notes_dir, "1706.03762")["version"] == 7


def test_adding_again_changes_nothing_and_succeeds(cli, arxiv, notes_dir) -> None:
    cli("add", "1706.03762", "--tag", "old")
    path = note_file(notes_dir, "1706.03762")
    path.write_text(path.read_text().replace("tldr: ''", "tldr: mine"))
    before = path.read_bytes(), path.stat().st_mtime_ns
    result = cli("add", "1706.03762", "--tag", "#old")
    assert result.stdout.startswith("exists")
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert len(arxiv.requests) == 1  # nothing asked the second time


def test_adding_again_with_a_new_tag_tags_the_note(cli, arxiv, notes_dir) -> None:
    cli("add", "1706.03762", "--tag", "old")
    path = note_file(notes_dir, "1706.03762")
    path.write_text(path.read_text().replace("tldr: ''", "tldr: mine"))
    result = cli("add", "1706.03762", "--tag", "new", "-t", "OLD")
    assert result.stdout.startswith("tagged    1706.03762")
    note = load(notes_dir, "1706.03762")
    assert note["tags"] == ["old", "new"]
    assert note["tldr"] == "mine"  # the hand edit made a moment before is kept
    assert len(arxiv.requests) == 1
    assert cli("list", "--tag", "new").stdout.startswith("1706.03762")


def test_bad_ids_are_reported_and_never_sent(cli, arxiv, notes_dir) -> None:
    result = cli("add", "1706.03762", "1913.00001", "hep-th/990100", "nonsense", code=1)
    assert [r.id_list for r in arxiv.requests] == ["1706.03762"]
    assert note_file(notes_dir, "1706.03762").is_file()
    for bad in ("1913.00001", "hep-th/990100", "nonsense"):
        assert bad in result.stderr
    assert "month 13" in result.stderr
    assert len(list(notes_dir.glob("*.yaml"))) == 1


def test_only_bad_ids_makes_no_request(cli, arxiv, notes_dir) -> None:
    result = cli("add", "0703.1234", code=1)
    assert "April 2007" in result.stderr
    assert arxiv.requests == []
    assert not notes_dir.exists()


def test_not_found_writes_nothing(cli, arxiv, notes_dir) -> None:
    result = cli("add", "1911.99999", code=1)
    assert "1911.99999" in result.stderr and "not found on arXiv" in result.stderr
    assert len(arxiv.requests) == 2  # asked again before concluding
    assert not list(notes_dir.glob("*.yaml"))


def test_unreachable_arxiv_leaves_placeholders_then_completes_them(
    cli, notes_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = cli("add", "1706.03762", "1605.08386", "--tag", "later", code=1)
    assert "not found" not in result.stderr
    assert "4 attempts" in result.stderr and "placeholder" in result.stderr
    data = load(notes_dir, "1706.03762")
    assert data["pending"] is True and data["tags"] == ["later"] and data["title"] == ""
    shown = cli("show", "1706.03762")
    assert "Metadata pending" in shown.stdout
    listed = cli("list")
    assert "(metadata pending)" in listed.stdout

    # The reader writes into the placeholder; arXiv comes back; asking again completes it.
    path = note_file(notes_dir, "1706.03762")
    path.write_text(path.read_text().replace("tldr: ''", "tldr: written offline"))
    server = FakeArxiv().start()
    try:
        monkeypatch.setenv("PAPERNOTES_ARXIV_API_URL", server.url)
        again = cli("add", "1706.03762", "--tag", "attention")
    finally:
        server.stop()
    assert again.stdout.startswith("completed")
    data = load(notes_dir, "1706.03762")
    assert data["title"] == ATTENTION and "pending" not in data
    assert data["tldr"] == "written offline"
    assert data["tags"] == ["later", "attention"]


@pytest.mark.parametrize(
    ("reply", "words"),
    [
        (Reply(body=b"<!DOCTYPE html><html><body>Rate exceeded</body></html>"), "HTML page"),
        (Reply(body=fixture("api2026_single_1605.08386.xml")[:900]), "not valid XML"),
        (Reply(status=503), "HTTP 503"),
    ],
)
def test_garbage_answers_are_not_mistaken_for_not_found(
    cli, arxiv: FakeArxiv, notes_dir, reply: Reply, words: str
) -> None:
    arxiv.script("1605.08386", reply)
    result = cli("add", "1605.08386", code=1)
    assert words in result.stderr and "not found" not in result.stderr
    assert len(arxiv.requests) == 4
    assert load(notes_dir, "1605.08386")["pending"] is True


def test_a_hanging_server_cannot_hang_the_tool(cli, arxiv, notes_dir, monkeypatch) -> None:
    monkeypatch.setenv("PAPERNOTES_ARXIV_TIMEOUT", "0.2")
    arxiv.script("1605.08386", Reply(wait=2, body=fixture("api2026_single_1605.08386.xml")))
    result = cli("add", "1605.08386", code=1)
    assert "no answer within 0.2 s" in result.stderr
    assert load(notes_dir, "1605.08386")["pending"] is True


def test_add_json_prints_the_notes(cli, arxiv) -> None:
    result = cli("add", "1706.03762", "1710.08557", "--json")
    notes = json.loads(result.stdout)
    assert [n["id"] for n in notes] == ["1706.03762", "1710.08557"]
    assert notes[1]["doi"] == "10.1186/s12984-017-0305-3"
    assert notes[1]["title"].startswith("On Neuromechanical Approaches")
    assert "\n" not in notes[1]["title"] and "  " not in notes[1]["abstract"]
    assert notes[0]["authors"][0] == {"name": "Ashish Vaswani", "affiliations": []}
    assert "added" in result.stderr  # the per-paper lines move to stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PAPERNOTES_ARXIV_DELAY", "soon"),
        ("PAPERNOTES_ARXIV_TIMEOUT", "0"),
        ("PAPERNOTES_ARXIV_API_URL", "ftp://example.org/api"),
    ],
)
def test_bad_settings_are_usage_errors(cli, monkeypatch, notes_dir, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    result = cli("add", "1706.03762", code=2)
    assert "Traceback" not in result.stderr
    assert not notes_dir.exists()


# --- show / list ---------------------------------------------------------------------------


@pytest.fixture
def collection(cli, arxiv) -> None:
    cli("add", "1706.03762", "--tag", "attention", "--tag", "nlp")
    cli("add", "1710.08557", "--tag", "robotics")
    cli("add", "math/0211159", "astro-ph/0601001")


def test_show_prints_the_whole_note(cli, collection) -> None:
    out = cli("show", "https://arxiv.org/abs/1706.03762").stdout
    assert out.startswith(ATTENTION)
    for expected in ("1706.03762v7", "Ashish Vaswani; Noam Shazeer", "cs.CL, cs.LG", "#attention"):
        assert expected in out
    assert "Abstract" in out and "papernotes edit 1706.03762" in out
    assert "\x1b[" not in out  # plain text in a pipe


def test_show_json_has_note_keys_and_iso_dates(cli, collection) -> None:
    data = json.loads(cli("show", "math/0211159", "--json").stdout)
    assert data["title"].startswith("The entropy formula for the Ricci flow")
    assert data["categories"] == ["math.DG", "53C"]
    assert data["published"] == "2002-11-11T16:11:49Z"
    assert set(data) >= {"id", "version", "tldr", "findings", "commentary", "tags", "added"}


def test_show_unknown_and_invalid(cli, collection) -> None:
    missing = cli("show", "1911.12246", code=1)
    assert "no note for 1911.12246" in missing.stderr and "papernotes add" in missing.stderr
    invalid = cli("show", "12345", code=1)
    assert "'12345'" in invalid.stderr


def test_list_filters_and_sorts(cli, collection) -> None:
    def ids(*args: str) -> list[str]:
        return [line.split("\t")[0] for line in cli("list", *args).stdout.splitlines()]

    assert ids("--sort", "published") == [
        "1710.08557",
        "1706.03762",
        "astro-ph/0601001",
        "math/0211159",
    ]
    assert ids("--sort", "published", "--oldest")[0] == "math/0211159"
    assert ids("--tag", "attention") == ["1706.03762"]
    assert ids("--tag", "ATTENTION", "--tag", "nlp") == ["1706.03762"]
    assert set(ids("--category", "cs")) == {"1706.03762", "1710.08557"}
    assert ids("--category", "math.DG") == ["math/0211159"]
    assert ids("--year", "2017", "--sort", "published") == ["1710.08557", "1706.03762"]
    assert ids("--year", "2000..2006", "--sort", "published") == [
        "astro-ph/0601001",
        "math/0211159",
    ]


def test_list_json_and_empty_results(cli, collection) -> None:
    notes = json.loads(cli("list", "--json").stdout)
    assert len(notes) == 4 and all("authors" in n for n in notes)
    nothing = cli("list", "--tag", "nope", "--json")
    assert json.loads(nothing.stdout) == []
    empty = cli("list", "--tag", "nope")
    assert empty.stdout == "" and "No notes match" in empty.stderr


def test_list_bad_year_is_a_usage_error(cli, collection) -> None:
    result = cli("list", "--year", "2019..2017", code=2)
    assert "2017..2019" in result.stderr


def test_list_on_an_empty_folder_says_how_to_start(cli, notes_dir) -> None:
    result = cli("list")
    assert "papernotes add" in result.stderr
    assert not notes_dir.exists()


def test_text_from_notes_is_printed_literally(cli, collection, notes_dir) -> None:
    path = note_file(notes_dir, "1710.08557")
    data = load(notes_dir, "1710.08557")
    data["title"] = "[bold red]Loud[/bold red] \x1b[31mred\x1b[0m"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    out = cli("show", "1710.08557").stdout
    assert "[bold red]Loud[/bold red]" in out
    assert "\x1b" not in out and "\\x1b[31mred" in out
    listed = cli("list").stdout
    assert "[bold red]Loud[/bold red]" in listed and "\x1b" not in listed


def test_terminal_output_is_a_panel_without_colour_under_no_color(cli, collection, monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.setenv("NO_COLOR", "1")
    out = cli("show", "1706.03762").stdout
    assert "╭" in out and ATTENTION in out
    assert "\x1b[3" not in out  # no colour codes
    table = cli("list").stdout
    assert "title" in table and "\t" not in table


# --- hand edits and the index --------------------------------------------------------------


def test_tag_filters_ignore_case_and_accents(cli, collection, notes_dir) -> None:
    path = note_file(notes_dir, "1706.03762")
    path.write_text(path.read_text().replace("- nlp", "- nlp\n- Café"))
    for wanted in ("cafe", "CAFÉ", "café"):
        assert cli("list", "--tag", wanted).stdout.startswith("1706.03762\t2017")
    assert "#Café" in cli("list", "--tag", "cafe").stdout  # shown as written
    assert "#Café" in cli("export", "--tag", "cafe", "-f", "markdown").stdout


def test_hand_edits_show_up_in_list(cli, collection, notes_dir) -> None:
    cli("list")
    path = note_file(notes_dir, "1706.03762")
    path.write_text(path.read_text().replace("- nlp", "- nlp\n- favourite"))
    assert cli("list", "--tag", "favourite").stdout.startswith("1706.03762")
    path.unlink()
    assert "1706.03762" not in cli("list").stdout


def test_hand_edits_show_up_in_show(cli, collection, notes_dir) -> None:
    cli("show", "1706.03762")
    path = note_file(notes_dir, "1706.03762")
    path.write_text(path.read_text().replace("tldr: ''", "tldr: Edited by hand"))
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert "Edited by hand" in cli("show", "1706.03762").stdout


def test_broken_note_is_skipped_with_a_warning(cli, collection, notes_dir) -> None:
    note_file(notes_dir, "1706.03762").write_text("id: 1706.03762\ntitle: 'unclosed\n")
    result = cli("list")
    assert "1706.03762.yaml" in result.stderr and "line" in result.stderr
    assert len(result.stdout.splitlines()) == 3


def test_damaged_index_is_rebuilt_with_a_notice(cli, collection, notes_dir) -> None:
    cli("list")
    (notes_dir / ".index.sqlite").write_bytes(b"not a database, just bytes" * 100)
    result = cli("list", "--json")
    assert "built anew" in result.stderr and len(json.loads(result.stdout)) == 4
    assert len(result.stderr.splitlines()) == 1
    (notes_dir / ".index.sqlite").unlink()
    result = cli("list", "--json")  # a missing index is built without a word: it is derived
    assert result.stderr == "" and len(json.loads(result.stdout)) == 4


def test_a_damaged_or_deleted_tinydb_index_is_written_again(cli, collection, notes_dir) -> None:
    cli("list")
    tinydb = notes_dir / ".index.json"
    tinydb.write_text('{"notes": {"1": ')
    result = cli("list")
    assert "written again" in result.stderr and len(result.stdout.splitlines()) == 4
    assert len(json.loads(tinydb.read_text())["notes"]) == 4
    tinydb.unlink()
    assert cli("list").stderr == ""  # missing: derived data, made without a word
    assert len(json.loads(tinydb.read_text())["notes"]) == 4


def test_reindex(cli, collection) -> None:
    assert "Indexed 4 notes" in cli("reindex").stdout


# --- remove ------------------------------------------------------------------------------------


def test_remove_needs_confirmation(cli, collection, notes_dir) -> None:
    refused = cli("remove", "1706.03762", code=2)
    assert "--yes" in refused.stderr
    assert note_file(notes_dir, "1706.03762").is_file()
    cli("remove", "1706.03762", "math/0211159", "--yes")
    assert not note_file(notes_dir, "1706.03762").exists()
    assert not note_file(notes_dir, "math_0211159").exists()
    assert len(cli("list").stdout.splitlines()) == 2
    cli("remove", "1706.03762", "--yes", code=1)


def test_remove_a_broken_note(cli, collection, notes_dir) -> None:
    note_file(notes_dir, "1710.08557").write_text("id: [broken\n")
    cli("remove", "1710.08557", "--yes")
    assert not note_file(notes_dir, "1710.08557").exists()


# --- edit ----------------------------------------------------------------------------------------

EDITOR = """
import sys
from pathlib import Path
path = Path(sys.argv[-1])
text = path.read_text(encoding="utf-8")
path.write_text({replace}, encoding="utf-8")
"""


def use_editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, replacement: str) -> None:
    """An $EDITOR that rewrites the file: `replacement` is a Python expression over `text`."""
    script = tmp_path / f"editor_{abs(hash(replacement))}.py"
    script.write_text(EDITOR.format(replace=replacement))
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")


def test_edit_saves_a_valid_change(cli, collection, notes_dir, tmp_path, monkeypatch) -> None:
    use_editor(tmp_path, monkeypatch, "text.replace(\"tldr: ''\", 'tldr: Такой вывод')")
    result = cli("edit", "1706.03762")
    assert "Saved" in result.stderr
    assert load(notes_dir, "1706.03762")["tldr"] == "Такой вывод"
    assert not list(notes_dir.glob(".*draft*"))


def test_edit_keeps_invalid_yaml_in_a_draft(cli, collection, notes_dir, tmp_path, monkeypatch):
    path = note_file(notes_dir, "1706.03762")
    before = path.read_bytes()
    use_editor(tmp_path, monkeypatch, "text + 'tldr: [my precious words\\n'")
    result = cli("edit", "1706.03762", code=1)
    assert "line" in result.stderr and "papernotes edit 1706.03762" in result.stderr
    assert path.read_bytes() == before
    draft = notes_dir / ".1706.03762.draft.yaml"
    assert "my precious words" in draft.read_text()
    # the next edit resumes the draft; fixing it saves
    use_editor(tmp_path, monkeypatch, "text.replace('[my precious words', 'my precious words')")
    resumed = cli("edit", "1706.03762")
    assert "resuming" in resumed.stderr
    assert "my precious words" in path.read_text()
    assert not draft.exists()


def test_edit_refuses_a_changed_id(cli, collection, notes_dir, tmp_path, monkeypatch) -> None:
    use_editor(tmp_path, monkeypatch, "text.replace(\"id: '1706.03762'\", 'id: 1605.08386')")
    result = cli("edit", "1706.03762", code=1)
    assert "line 1: the id was changed from 1706.03762 to 1605.08386" in result.stderr
    assert load(notes_dir, "1706.03762")["id"] == "1706.03762"


def test_edit_without_changes_and_with_a_missing_editor(cli, collection, monkeypatch) -> None:
    monkeypatch.setenv("EDITOR", "true")
    assert "No changes" in cli("edit", "1706.03762").stderr
    monkeypatch.setenv("EDITOR", "no-such-editor-here --wait")
    result = cli("edit", "1706.03762", code=1)
    assert "no-such-editor-here" in result.stderr


# --- the command line itself -----------------------------------------------------------------


def test_every_command_has_help_with_an_example(cli) -> None:
    assert "papernotes add" in cli("--help").stdout
    commands = ("add", "show", "list", "search", "export", "edit", "remove", "refresh", "check")
    for command in (*commands, "reindex"):
        out = cli(command, "--help").stdout
        assert "Usage" in out
        if command != "reindex":
            assert f"papernotes {command}" in out or "EDITOR=" in out


def test_add_help_documents_the_settings(cli) -> None:
    out = cli("add", "--help").stdout
    for name in ("PAPERNOTES_ARXIV_API_URL", "PAPERNOTES_ARXIV_DELAY", "PAPERNOTES_ARXIV_TIMEOUT"):
        assert name in out
    assert "PAPERNOTES_DIR" in cli("--help").stdout


def test_usage_errors_exit_2(cli) -> None:
    cli("add", code=2)
    cli("frobnicate", code=2)
    cli("list", "--sort", "sideways", code=2)


def test_version(cli) -> None:
    from papernotes import __version__

    assert cli("--version").stdout.strip() == f"papernotes {__version__}"


def test_dir_option_wins_over_the_environment(cli, arxiv, tmp_path) -> None:
    cli("--dir", str(tmp_path / "elsewhere"), "add", "1605.08386")
    assert (tmp_path / "elsewhere" / "1605.08386.yaml").is_file()


# --- the installed command, as a user runs it -------------------------------------------------


def installed() -> str:
    found = Path(sys.executable).parent / "papernotes"
    return str(found) if found.exists() else shutil.which("papernotes") or "papernotes"


def run(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run(
        [installed(), *args], capture_output=True, text=True, env=env, timeout=60, check=False
    )


def test_installed_command_adds_and_shows(arxiv, notes_dir) -> None:
    added = run("add", "1605.08386", "astro-ph/0601001")
    assert added.returncode == 0, added.stderr
    assert "\x1b" not in added.stdout and added.stderr == ""  # a pipe: results only
    shown = run("show", "astro-ph/0601001")
    assert shown.returncode == 0 and "Andrew Gould (Ohio State)" in shown.stdout
    listed = run("list", "--json")
    assert {n["id"] for n in json.loads(listed.stdout)} == {"1605.08386", "astro-ph/0601001"}


def test_installed_command_errors_are_one_line_without_traceback(notes_dir) -> None:
    result = run("show", "1706.03762")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    result = run("add", "1706.03762", env_extra={"PAPERNOTES_ARXIV_TIMEOUT": "nope"})
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_python_dash_m(notes_dir) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "papernotes", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and result.stdout.startswith("papernotes ")


# --- search ---------------------------------------------------------------------------------


def test_search_ranks_and_prints_one_line_per_note(cli, collection, notes_dir) -> None:
    out = cli("search", "attention").stdout.splitlines()
    assert out[0].startswith("1706.03762\t2017\t")
    fields = out[0].split("\t")
    assert fields[3] == ATTENTION and fields[4] == "Ashish Vaswani et al."
    assert "attention" in fields[5].lower()


def test_search_json_adds_score_and_snippet(cli, collection) -> None:
    results = json.loads(cli("search", "ricci", "flow", "--json").stdout)
    assert [r["id"] for r in results] == ["math/0211159"]
    assert results[0]["score"] > 0 and "Ricci" in results[0]["snippet"]
    assert results[0]["authors"] == [{"name": "Grisha Perelman", "affiliations": []}]


def test_search_words_starting_with_a_dash_are_query_syntax(cli, collection) -> None:
    both = cli("search", "cat:cs").stdout
    assert "1706.03762" in both and "1710.08557" in both
    without = cli("search", "cat:cs", "-attention").stdout
    assert "1706.03762" not in without and "1710.08557" in without


def test_search_limit_and_no_match(cli, collection) -> None:
    limited = cli("search", "year:2000..2020", "--limit", "2")
    assert len(limited.stdout.splitlines()) == 2 and "Showing 2 of 4" in limited.stderr
    none = cli("search", "zebrafish")
    assert none.stdout == "" and "No notes match" in none.stderr
    assert json.loads(cli("search", "zebrafish", "--json").stdout) == []


@pytest.mark.parametrize(
    ("query", "words"),
    [('"unclosed', "unclosed quote"), ("foo:bar", "unknown field"), ("year:20x", "year:")],
)
def test_search_query_errors_exit_2(cli, collection, query: str, words: str) -> None:
    result = cli("search", query, code=2)
    assert words in result.stderr and "Traceback" not in result.stderr


def test_search_sees_hand_edits_and_never_rewrites_notes(cli, collection, notes_dir) -> None:
    cli("search", "attention")
    before = {p: p.stat().st_mtime_ns for p in notes_dir.glob("*.yaml")}
    path = note_file(notes_dir, "1710.08557")
    path.write_text(path.read_text().replace("tldr: ''", "tldr: grasping like a зебра"))
    assert cli("search", "зебры").stdout.startswith("1710.08557")
    del before[path]
    assert {p: p.stat().st_mtime_ns for p in before} == before


def test_search_skips_a_broken_note_with_a_warning(cli, collection, notes_dir) -> None:
    note_file(notes_dir, "1706.03762").write_text("id: [broken\n")
    result = cli("search", "year:1990..2030")
    assert "1706.03762.yaml" in result.stderr
    assert len(result.stdout.splitlines()) == 3


def test_search_on_terminal_highlights(cli, collection, monkeypatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    out = cli("search", "transformer").stdout
    assert "\x1b[1;33mTransformer" in out  # bold yellow on the matched word
    assert ATTENTION in out


# --- export ---------------------------------------------------------------------------------


def test_export_one_note_as_markdown_to_stdout(cli, collection) -> None:
    out = cli("export", "1706.03762").stdout
    assert out.startswith(f"# {ATTENTION}")
    assert "https://arxiv.org/abs/1706.03762" in out
    assert "#attention #nlp" in out


def test_export_a_digest_by_tag_to_a_file(cli, collection, isolated) -> None:
    result = cli("export", "--tag", "attention", "--title", "Weekly", "-o", "digest.md")
    text = (isolated / "digest.md").read_text(encoding="utf-8")
    assert text.startswith("# Weekly") or "Weekly" in text.splitlines()[0]
    assert ATTENTION in text and "Exported 1 note to digest.md" in result.stderr


def test_export_all_into_a_folder_one_file_per_note(cli, collection, isolated) -> None:
    cli("export", "--all", "-o", "posts/")
    names = sorted(p.name for p in (isolated / "posts").iterdir())
    assert names == ["1706.03762.md", "1710.08557.md", "astro-ph_0601001.md", "math_0211159.md"]


def test_export_never_replaces_a_file_without_force(cli, collection, isolated) -> None:
    target = isolated / "refs.bib"
    target.write_text("my own bibliography\n")
    result = cli("export", "--all", "-f", "bibtex", "-o", "refs.bib", code=1)
    assert "--force" in result.stderr
    assert target.read_text() == "my own bibliography\n"
    cli("export", "--all", "-f", "bibtex", "-o", "refs.bib", "--force")
    assert target.read_text().count("@misc{") == 4


def test_export_query_as_bibtex(cli, collection) -> None:
    out = cli("export", "--query", "author:vaswani", "-f", "bibtex").stdout
    assert out.count("@misc{") == 1 and "vaswani2017" in out and "1706.03762" in out


def test_export_json_matches_list_json(cli, collection) -> None:
    exported = json.loads(cli("export", "--all", "-f", "json").stdout)
    listed = json.loads(cli("list", "--json").stdout)
    assert sorted(n["id"] for n in exported) == sorted(n["id"] for n in listed)
    assert {n["id"]: n for n in exported} == {n["id"]: n for n in listed}


def test_export_with_nothing_selected(cli, collection) -> None:
    assert "no notes match" in cli("export", "--tag", "nope", code=1).stderr
    assert "--all" in cli("export", code=2).stderr
    assert "no note for 1911.12246" in cli("export", "1911.12246", code=1).stderr


# --- add --from -------------------------------------------------------------------------------

CHAT = """\
[12.03.2024 09:15] Аня: смотрите, классика https://arxiv.org/abs/1706.03762v7 и ещё
arXiv:1605.08386 — про случайные блуждания. Репо: https://github.com/karpathy/nanoGPT
[12.03.2024 09:17] Ben: tweet https://twitter.com/someone/status/1706037621234567890
also https://drive.google.com/file/d/1AbCdEf/view and call me at +7 (912) 345-67-89
[12.03.2024 09:20] Аня: old one: astro-ph/0601001, and again 1706.03762
"""


def test_add_from_a_chat_export(cli, arxiv, notes_dir, isolated) -> None:
    (isolated / "chat.txt").write_text(CHAT, encoding="utf-8")
    result = cli("add", "--from", "chat.txt", "--tag", "imported")
    assert "Found 3 papers in chat.txt" in result.stderr
    assert [r.id_list for r in arxiv.requests] == ["1706.03762v7,1605.08386,astro-ph/0601001"]
    assert len(result.stdout.splitlines()) == 3
    assert load(notes_dir, "1605.08386")["tags"] == ["imported"]


def test_add_from_stdin_only_tags_existing_notes(cli, arxiv, notes_dir) -> None:
    cli("add", "1706.03762")
    before = load(notes_dir, "1706.03762")
    result = cli("add", "--from", "-", "-t", "new", input="see arXiv:1706.03762 and 1605.08386\n")
    assert "Found 2 papers in standard input" in result.stderr
    assert load(notes_dir, "1706.03762") == {**before, "tags": ["new"]}
    assert load(notes_dir, "1605.08386")["tags"] == ["new"]
    assert [r.id_list for r in arxiv.requests] == ["1706.03762", "1605.08386"]


def test_add_from_a_file_without_ids_or_missing(cli, arxiv, isolated) -> None:
    (isolated / "empty.txt").write_text("nothing here, version 1.2.3, 2019.05.01\n")
    assert "no arXiv ids" in cli("add", "--from", "empty.txt", code=1).stderr
    assert "nope.txt" in cli("add", "--from", "nope.txt", code=1).stderr
    assert arxiv.requests == []


@pytest.mark.parametrize(
    "filters",
    [[], ["--oldest"], ["--sort", "published"], ["--category", "cs"], ["--year", "2000..2017"]],
)
def test_list_lines_and_list_json_agree(cli, collection, filters) -> None:
    """Lines and --json: the same notes in the same order."""
    lines = [line.split("\t")[0] for line in cli("list", *filters).stdout.splitlines()]
    assert lines == [note["id"] for note in json.loads(cli("list", "--json", *filters).stdout)]
    assert lines


@pytest.mark.parametrize("fmt", ["markdown", "bibtex", "json"])
def test_export_all_streams_what_rendering_the_notes_gives(cli, collection, isolated, fmt) -> None:
    """--all reads notes one at a time from the index; the text is the renderer's own."""
    from papernotes.export import render
    from papernotes.note import load_note

    out = cli("export", "--all", "-f", fmt).stdout
    cli("export", "--all", "-f", fmt, "-o", "all.out")
    files = (isolated / "notes").glob("*.yaml")
    notes = [load_note(f.read_text(encoding="utf-8"), str(f)) for f in files]
    notes.sort(key=lambda n: (n.added or "", n.id), reverse=True)  # newest first
    assert out == (isolated / "all.out").read_text(encoding="utf-8") == render(fmt, notes)
    assert len(notes) == 4
