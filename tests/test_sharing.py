"""A collection shared through git: `git init`, `sync`, autocommits and `log`.

Real git, a bare repository and two clones (Alice's and Bob's) in a temporary folder, with
the user's own git configuration kept out (GIT_CONFIG_GLOBAL, GIT_CONFIG_NOSYSTEM).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from papernotes.note import load_note

pytestmark = pytest.mark.skipif(
    subprocess.run(["git", "--version"], capture_output=True).returncode != 0,
    reason="no git: install git to run the sharing tests",
)


def git(where: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=where, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture(autouse=True)
def own_git_config(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = isolated / "gitconfig"
    config.write_text("[init]\n\tdefaultBranch = main\n[user]\n\tname = Nobody\n"
                      "\temail = nobody@example.org\n", "utf-8")  # fmt: skip
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"):
        monkeypatch.delenv(name, raising=False)


class Member:
    """One person's clone of the team's repository; its notes folder is `notes/`."""

    def __init__(self, cli, top: Path) -> None:
        self.cli, self.top, self.notes = cli, top, top / "notes"

    def __call__(self, *args: str, code: int | None = 0):
        return self.cli("--dir", str(self.notes), *args, code=code)

    def git(self, *args: str) -> str:
        return git(self.top, *args)

    def note(self, name: str):
        path = self.notes / name
        return load_note(path.read_text("utf-8"), str(path))


@pytest.fixture
def team(cli, isolated: Path) -> tuple[Member, Member]:
    """Alice, who made the repository and set it up, and Bob, who cloned it."""
    origin = isolated / "origin.git"
    git(isolated, "init", "-q", "--bare", str(origin))
    people = []
    for name in ("alice", "bob"):
        git(isolated, "clone", "-q", str(origin), name)
        member = Member(cli, isolated / name)
        member.git("config", "user.name", name.title())
        member.git("config", "user.email", f"{name}@example.org")
        people.append(member)
    alice, bob = people
    alice.notes.mkdir()
    alice("git", "init")
    alice("sync")
    bob("sync")
    bob("git", "init")
    return alice, bob


def shipped(member: Member, *names: str) -> None:
    """Copy shipped note files in, as a person would write them."""
    member.notes.mkdir(exist_ok=True)
    for name in names:
        source = Path(__file__).parent.parent / "notes" / name
        (member.notes / name).write_text(source.read_text("utf-8"), "utf-8")


def test_outside_a_repository_the_git_commands_say_so_and_change_nothing(cli, notes_dir):
    notes_dir.mkdir()
    for command in (["git", "init"], ["sync"]):
        result = cli(*command, code=1)
        assert "is not in a git repository" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in notes_dir.iterdir()) == []


def test_git_init_registers_the_driver_and_ignores_derived_files_once(cli, isolated, notes_dir):
    git(isolated, "init", "-q")
    first = cli("git", "init")  # the notes folder is made: a fresh clone may not have it
    assert "ready to share" in first.stderr
    assert (notes_dir / ".gitattributes").read_text("utf-8") == "*.yaml merge=papernotes\n"
    ignored = (notes_dir / ".gitignore").read_text("utf-8")
    assert ".index.sqlite" in ignored and ".*.draft.yaml" in ignored and ".lock" in ignored
    driver = git(isolated, "config", "merge.papernotes.driver").strip()
    assert driver.startswith(sys.executable) and driver.endswith("merge-note %O %A %B %P")
    before = {p.name: p.read_bytes() for p in notes_dir.iterdir()}
    again = cli("git", "init")
    assert "nothing changed" in again.stderr
    assert {p.name: p.read_bytes() for p in notes_dir.iterdir()} == before
    git(isolated, "config", "merge.papernotes.driver", "/old/place/python -m papernotes")
    assert "merge.papernotes.driver" in cli("git", "init").stderr  # repaired
    cli("list")  # the index is made ...
    status = git(isolated, "status", "--porcelain", "--untracked-files=all")
    assert ".index" not in status and ".lock" not in status  # ... and ignored


def test_two_people_add_different_papers(team, arxiv) -> None:
    alice, bob = team
    alice("add", "1706.03762")
    bob("add", "1605.08386")
    first = alice("sync")
    assert "Committed 1 change" in first.stderr and "Pushed main" in first.stderr
    subject = alice.git("log", "-1", "--format=%s").strip()
    assert subject == "add 1706.03762: Attention Is All You Need"
    bob("sync")
    alice("sync")
    for member in team:
        assert sorted(p.name for p in member.notes.glob("*.yaml")) == [
            "1605.08386.yaml", "1706.03762.yaml",
        ]  # fmt: skip
        assert "Attention Is All You Need" in member("list").stdout  # the index saw the pull
    assert alice.git("rev-parse", "HEAD") == bob.git("rev-parse", "HEAD")
    # Alice's first push gave her branch the remote's branch of the same name.
    assert alice.git("rev-parse", "--abbrev-ref", "main@{upstream}").strip() == "origin/main"


def test_a_refused_push_says_what_to_do_and_keeps_the_commit(team, isolated) -> None:
    alice, _ = team
    hook = isolated / "origin.git" / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'the lab's server says no' >&2\nexit 1\n", "utf-8")
    hook.chmod(0o755)
    shipped(alice, "1707.08567.yaml")
    result = alice("sync", code=1)
    assert "refused" in result.stderr and "papernotes sync again" in result.stderr
    assert alice.git("log", "-1", "--format=%s").startswith("add 1707.08567")
    hook.unlink()
    assert "Pushed main" in alice("sync").stderr


def test_sync_commits_only_the_notes_folder(team) -> None:
    alice, _ = team
    shipped(alice, "1707.08567.yaml")
    (alice.top / "thesis.tex").write_text("mine", "utf-8")
    (alice.top / "staged.txt").write_text("staged", "utf-8")
    alice.git("add", "staged.txt")
    alice("sync")
    committed = alice.git("show", "--name-only", "--format=", "HEAD").split()
    assert committed == ["notes/1707.08567.yaml"]
    status = alice.git("status", "--porcelain")
    assert "A  staged.txt" in status and "?? thesis.tex" in status


def test_a_pull_that_diverged_merges_unless_git_is_told_to_rebase(team) -> None:
    alice, bob = team
    shipped(alice, "1707.08567.yaml")
    alice("sync")
    shipped(bob, "1605.08386.yaml")
    result = bob("sync")  # diverged, and no pull.rebase: merged
    assert "Pulled" in result.stderr
    assert len(bob.git("log", "-1", "--format=%P").split()) == 2
    shipped(alice, "1706.03762.yaml")
    alice.git("config", "pull.rebase", "true")
    alice("sync")  # rebased on Bob's merge: no merge commit of Alice's
    assert len(alice.git("log", "-1", "--format=%P").split()) == 1
    assert (alice.notes / "1605.08386.yaml").exists()


def test_one_removes_a_note_the_other_edited_and_the_edit_is_kept(team) -> None:
    alice, bob = team
    shipped(alice, "1707.08567.yaml")
    alice("sync")
    bob("sync")
    alice("remove", "1707.08567", "--yes")
    alice("sync")
    bob("note", "1707.08567", "--tldr", "Worth keeping after all")
    result = bob("sync")
    assert "Kept 1707.08567" in result.stderr
    alice("sync")
    for member in team:
        assert member.note("1707.08567.yaml").tldr == "Worth keeping after all"


def test_without_a_remote_sync_says_what_to_do(cli, isolated, notes_dir) -> None:
    git(isolated, "init", "-q")
    notes_dir.mkdir()
    cli("git", "init")
    result = cli("sync", code=1)
    assert "no remote" in result.stderr and "git remote add origin" in result.stderr
    assert "Committed" in result.stderr  # the local commit is made all the same


def test_autocommit_commits_just_the_files_a_command_touched(team) -> None:
    alice, _ = team
    shipped(alice, "1706.03762.yaml", "1707.08567.yaml")
    alice("sync")
    (alice.notes / "papernotes.toml").write_text("[git]\nautocommit = true\n", "utf-8")
    hand = alice.notes / "1707.08567.yaml"
    hand.write_text(hand.read_text("utf-8").replace("tags:", "# edited by hand\ntags:"), "utf-8")
    result = alice("tag", "1706.03762", "+reviewed")
    assert "Committed" in result.stderr
    assert alice.git("log", "-1", "--format=%s").strip() == (
        "edit 1706.03762: Attention Is All You Need"
    )
    assert alice.git("show", "--name-only", "--format=", "HEAD").split() == [
        "notes/1706.03762.yaml"
    ]
    assert "notes/1707.08567.yaml" in alice.git("status", "--porcelain")  # left alone
    assert "Committed" not in alice("list").stderr  # a command that writes nothing commits nothing


def test_log_shows_who_changed_which_fields(team) -> None:
    alice, bob = team
    shipped(alice, "1706.03762.yaml")
    alice("sync")
    bob("sync")
    bob("tag", "1706.03762", "+classic")
    bob("sync")
    alice("sync")
    alice("note", "1706.03762", "--tldr", "Attention is enough")
    alice("sync")
    lines = alice("log", "1706.03762").stdout.splitlines()
    assert len(lines) == 3
    assert "Alice" in lines[0] and "tldr" in lines[0] and "tags" not in lines[0]
    assert "Bob" in lines[1] and "tags" in lines[1]
    assert "added" in lines[2]
    entries = json.loads(alice("log", "1706.03762", "--json").stdout)
    assert [e["author"] for e in entries] == ["Alice", "Bob", "Alice"]


def test_they_tag_the_same_paper_differently_and_both_tags_stay(team, monkeypatch) -> None:
    alice, bob = team
    # git runs the merge driver by its full path: papernotes need not be on PATH.
    git_folder = str(Path(shutil.which("git") or "/usr/bin/git").parent)
    monkeypatch.setenv("PATH", git_folder)
    assert shutil.which("papernotes") is None
    shipped(alice, "1706.03762.yaml")
    alice("sync")
    bob("sync")
    alice("tag", "1706.03762", "+reviewed", "-nlp")
    bob("tag", "1706.03762", "+journal-club")
    alice("sync")
    bob("sync")
    alice("sync")
    for member in team:
        tags = member.note("1706.03762.yaml").tags
        assert "reviewed" in tags and "journal-club" in tags and "nlp" not in tags
    assert alice.git("status", "--porcelain") == ""


def test_they_write_the_tldr_of_different_papers(team) -> None:
    alice, bob = team
    shipped(alice, "1706.03762.yaml", "1707.08567.yaml")
    alice("sync")
    bob("sync")
    alice("note", "1706.03762", "--tldr", "Alice's summary")
    bob("note", "1707.08567", "--tldr", "Bob's summary")
    alice("sync")
    bob("sync")
    alice("sync")
    for member in team:
        assert member.note("1706.03762.yaml").tldr == "Alice's summary"
        assert member.note("1707.08567.yaml").tldr == "Bob's summary"


def test_the_same_tldr_written_twice_is_a_reported_conflict_inside_valid_yaml(team) -> None:
    alice, bob = team
    shipped(alice, "1706.03762.yaml")
    alice("sync")
    bob("sync")
    alice("note", "1706.03762", "--tldr", "Attention replaces recurrence")
    bob("note", "1706.03762", "--tldr", "Self-attention is all it takes", "--finding", "Bob's")
    alice("sync")
    result = bob("sync", code=1)
    assert "1706.03762" in result.stderr and "conflict" in result.stderr.lower()
    note = bob.note("1706.03762.yaml")  # valid YAML, a valid note
    assert "<<<<<<<" in note.tldr and "Attention replaces recurrence" in note.tldr
    assert "Bob's" in note.findings  # what did not conflict is merged
    checked = bob("check", code=1)
    assert "1706.03762" in checked.stdout + checked.stderr
    assert "tldr" in checked.stdout + checked.stderr
    again = bob("sync", code=1)  # not fixed yet: nothing is committed or pushed
    assert "conflict markers" in again.stderr
    bob("note", "1706.03762", "--tldr", "Attention replaces recurrence entirely")
    done = bob("sync")
    assert "Committed the merge" in done.stderr and "Pushed" in done.stderr
    alice("sync")
    for member in team:
        merged = member.note("1706.03762.yaml")
        assert merged.tldr == "Attention replaces recurrence entirely"
        assert "Bob's" in merged.findings
    assert alice.git("rev-parse", "HEAD") == bob.git("rev-parse", "HEAD")


SCENARIO_NOTES = ("1706.03762.yaml", "1707.08567.yaml", "1605.08386.yaml", "1710.08557.yaml")
TLDRS = ("Short", "Longer summary", "Another view")


def test_a_hundred_random_concurrent_edits_lose_no_note_and_leave_every_file_valid(team):
    import random

    alice, bob = team
    shipped(alice, *SCENARIO_NOTES[:2])
    alice("sync")
    bob("sync")
    seen = {"conflict": 0, "kept": 0, "merged": 0}
    for round_number in range(100):
        chance = random.Random(round_number)
        present = sorted(p.name for p in alice.notes.glob("*.yaml"))
        done: dict[str, list[tuple[str, str]]] = {"alice": [], "bob": []}
        edited_by: dict[str, set[str]] = {}  # note file -> who changed it (and kept it)
        for member, name in ((alice, "alice"), (bob, "bob")):
            start = {p.name: p.read_bytes() for p in member.notes.glob("*.yaml")}
            for _ in range(chance.randint(1, 3)):
                file = chance.choice(SCENARIO_NOTES)
                paper = file.removesuffix(".yaml")
                action = chance.choice(["tag", "untag", "tldr", "finding", "remove", "add"])
                if not (member.notes / file).exists():
                    action = "add"
                if action == "add" and not (member.notes / file).exists():
                    shipped(member, file)
                elif action == "tag":
                    member("tag", paper, f"+t{chance.randint(1, 4)}")
                elif action == "untag":
                    member("tag", paper, f"-t{chance.randint(1, 4)}")
                elif action == "tldr":
                    member("note", paper, "--tldr", chance.choice(TLDRS))
                elif action == "finding":
                    member("note", paper, "--finding", f"{name} {round_number}")
                elif action == "remove":
                    member("remove", paper, "--yes")
                done[name].append((action, file))
            for path in member.notes.glob("*.yaml"):
                if path.name in start and start[path.name] != path.read_bytes():
                    edited_by.setdefault(path.name, set()).add(name)
        alice("sync")
        for _attempt in range(3):  # Bob resolves what conflicts, then syncs again
            result = bob("sync", code=None)
            seen["kept"] += "Kept " in result.stderr
            seen["merged"] += "Pulled" in result.stderr and "up to date" not in result.stderr
            if result.exit_code == 0:
                break
            seen["conflict"] += 1
            for path in bob.notes.glob("*.yaml"):
                if "<<<<<<<" in path.read_text("utf-8"):
                    bob("note", path.stem, "--tldr", "Agreed")
        else:
            pytest.fail(f"round {round_number}: Bob could not sync: {done}")
        alice("sync")
        story = f"round {round_number}: {done}, before {present}"
        for member in team:
            assert member.git("status", "--porcelain") == "", story
            for path in member.notes.glob("*.yaml"):
                note = member.note(path.name)  # valid YAML, a valid note
                assert "<<<<<<<" not in path.read_text("utf-8"), story
                assert note.id
        assert alice.git("rev-parse", "HEAD") == bob.git("rev-parse", "HEAD"), story
        names = {n: sorted(p.name for p in m.notes.glob("*.yaml")) for n, m in
                 (("alice", alice), ("bob", bob))}  # fmt: skip
        assert names["alice"] == names["bob"], story
        for file in present:  # a note is gone only when someone removed it and nobody edited it
            removers = {n for n, ops in done.items() if ("remove", file) in ops}
            if file not in names["alice"]:
                assert removers, story  # nobody removed it, yet it is gone
                assert not edited_by.get(file, set()) - removers, story  # an edit was lost
    assert all(seen.values()), seen  # the rounds met conflicts, kept edits and merges


def test_autocommit_outside_a_repository_warns_and_keeps_the_edit(cli, notes_dir) -> None:
    notes_dir.mkdir()
    shipped(Member(cli, notes_dir.parent), "1706.03762.yaml")
    (notes_dir / "papernotes.toml").write_text("[git]\nautocommit = true\n", "utf-8")
    result = cli("tag", "1706.03762", "+reviewed")
    assert "Warning: git.autocommit" in result.stderr and "not in a git repository" in result.stderr
    assert "reviewed" in cli("tag", "1706.03762").stdout


def test_log_of_a_note_that_never_was_says_so(team) -> None:
    alice, _ = team
    assert "no note for 1911.04594" in alice("log", "1911.04594", code=1).stderr
    shipped(alice, "1707.08567.yaml")
    assert "no history in git yet" in alice("log", "1707.08567", code=1).stderr
    alice("sync")
    alice("remove", "1707.08567", "--yes")
    alice("sync")
    assert "removed" in alice("log", "1707.08567").stdout.splitlines()[0]


def test_a_pull_git_refuses_names_git_s_reason(team) -> None:
    alice, bob = team
    (alice.top / "README").write_text("one", "utf-8")
    alice.git("add", "README")
    alice.git("commit", "-qm", "readme")
    alice.git("push", "-q")
    (bob.top / "README").write_text("mine, not committed", "utf-8")
    result = bob("sync", code=1)
    assert "git pull from origin failed" in result.stderr
    assert "untracked working tree files would be overwritten" in result.stderr
    assert (bob.top / "README").read_text("utf-8") == "mine, not committed"
