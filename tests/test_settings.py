"""Settings files, and the order flag > environment > file > default, through the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import UNREACHABLE
from fake_arxiv import FakeArxiv

from papernotes.errors import UsageError
from papernotes.settings import (
    ARXIV_DELAY,
    CROSSREF_MAILTO,
    SETTINGS,
    Settings,
    load,
    read_file,
    user_file,
)

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib


@pytest.fixture
def user_toml(isolated: Path) -> Path:
    """The user's settings file, `$XDG_CONFIG_HOME/papernotes/config.toml` (not written yet)."""
    path = isolated / "config" / "papernotes" / "config.toml"
    path.parent.mkdir(parents=True)
    return path


@pytest.fixture
def folder_toml(notes_dir: Path) -> Path:
    """The notes folder's own settings file (not written yet)."""
    notes_dir.mkdir()
    return notes_dir / "papernotes.toml"


def effective(cli, *args: str) -> dict:
    """`papernotes [args] config --json`: each setting's value and source."""
    return json.loads(cli(*args, "config", "--json").stdout)["settings"]


# --- the table ---------------------------------------------------------------------------


def test_variables_and_options_are_named_after_the_keys() -> None:
    names = {s.key: (s.env, s.flag, s.kind) for s in SETTINGS}
    assert names == {
        "dir": ("PAPERNOTES_DIR", "--dir", Path),
        "arxiv.api_url": ("PAPERNOTES_ARXIV_API_URL", "--api-url", str),
        "arxiv.delay": ("PAPERNOTES_ARXIV_DELAY", "--delay", float),
        "arxiv.timeout": ("PAPERNOTES_ARXIV_TIMEOUT", "--timeout", float),
        "crossref.api_url": ("PAPERNOTES_CROSSREF_API_URL", "--api-url", str),
        "crossref.mailto": ("PAPERNOTES_CROSSREF_MAILTO", "--mailto", str),
        "web.timeout": ("PAPERNOTES_WEB_TIMEOUT", "--timeout", float),
        "github.api_url": ("PAPERNOTES_GITHUB_API_URL", "--api-url", str),
        "telegram.chat": ("PAPERNOTES_TELEGRAM_CHAT", "--chat", str),
        "telegram.api_url": ("PAPERNOTES_TELEGRAM_API_URL", "--api-url", str),
        "site.title": ("PAPERNOTES_SITE_TITLE", "--title", str),
        "site.base_url": ("PAPERNOTES_SITE_BASE_URL", "--base-url", str),
        "git.autocommit": ("PAPERNOTES_GIT_AUTOCOMMIT", "--autocommit", bool),
    }


def test_the_user_file_follows_xdg(tmp_path: Path) -> None:
    home = {"HOME": str(tmp_path)}
    assert user_file({**home, "XDG_CONFIG_HOME": "/etc/xdg-me"}) == Path(
        "/etc/xdg-me/papernotes/config.toml"
    )
    default = tmp_path / ".config" / "papernotes" / "config.toml"
    assert user_file(home) == default
    assert user_file({**home, "XDG_CONFIG_HOME": ""}) == default
    assert user_file({**home, "XDG_CONFIG_HOME": "relative/dir"}) == default  # the XDG rule


def test_without_files_every_setting_is_its_default(tmp_path: Path) -> None:
    settings = load({"XDG_CONFIG_HOME": str(tmp_path)})
    assert settings.files == ()
    assert [(r.value, r.source.kind) for r in settings.everything()] == [
        (s.default, "default") for s in SETTINGS
    ]
    assert read_file(tmp_path / "missing.toml") is None


def test_toml_is_parsed_only_when_a_file_exists(tmp_path: Path) -> None:
    """Start-up stays fast: without a settings file tomllib is never imported."""
    code = (
        "import sys; from papernotes.settings import load; "
        f"load({{'XDG_CONFIG_HOME': {str(tmp_path)!r}}}); print('tomllib' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_an_empty_variable_counts_as_unset() -> None:
    settings = Settings({"PAPERNOTES_ARXIV_DELAY": ""}, {}, ())
    assert settings.get(ARXIV_DELAY).source.kind == "default"


# --- precedence ----------------------------------------------------------------------------


def test_each_level_wins_over_the_ones_below(cli, monkeypatch, isolated, user_toml) -> None:
    monkeypatch.delenv("PAPERNOTES_DIR")
    assert effective(cli)["dir"] == {"value": "notes", "source": "default", "from": None}

    user_toml.write_text('dir = "from-file"\n', encoding="utf-8")
    assert effective(cli)["dir"] == {"value": "from-file", "source": "file", "from": str(user_toml)}

    monkeypatch.setenv("PAPERNOTES_DIR", "from-env")
    env = {"value": "from-env", "source": "environment", "from": "PAPERNOTES_DIR"}
    assert effective(cli)["dir"] == env

    flag = {"value": "from-flag", "source": "flag", "from": "--dir"}
    assert effective(cli, "--dir", "from-flag")["dir"] == flag


def test_add_uses_the_files_api_address(cli, arxiv: FakeArxiv, monkeypatch, user_toml) -> None:
    monkeypatch.delenv("PAPERNOTES_ARXIV_API_URL")
    user_toml.write_text(f'[arxiv]\napi_url = "{arxiv.url}"\ndelay = 0\n', encoding="utf-8")
    result = cli("add", "1706.03762")
    assert result.stdout.startswith("added") and len(arxiv.requests) == 1


def test_the_environment_and_a_flag_beat_the_files_address(
    cli, arxiv: FakeArxiv, monkeypatch, user_toml, notes_dir
) -> None:
    user_toml.write_text(f'[arxiv]\napi_url = "{UNREACHABLE}"\n', encoding="utf-8")
    cli("add", "1706.03762")  # PAPERNOTES_ARXIV_API_URL is the fake arXiv's
    monkeypatch.setenv("PAPERNOTES_ARXIV_API_URL", UNREACHABLE)
    cli("add", "--api-url", arxiv.url, "1605.08386")
    assert len(arxiv.requests) == 2
    assert {p.name for p in notes_dir.glob("*.yaml")} == {"1706.03762.yaml", "1605.08386.yaml"}


def test_refresh_uses_the_files_settings(cli, arxiv: FakeArxiv, monkeypatch, folder_toml) -> None:
    cli("add", "1706.03762")
    monkeypatch.delenv("PAPERNOTES_ARXIV_API_URL")
    folder_toml.write_text(f'arxiv.api_url = "{arxiv.url}"\n', encoding="utf-8")
    result = cli("refresh", "--all")
    assert "1 note" in result.stderr and len(arxiv.requests) == 2


def test_the_notes_folders_file_beats_the_users(cli, monkeypatch, user_toml, folder_toml) -> None:
    user_toml.write_text("[arxiv]\ntimeout = 8\ndelay = 2\n", encoding="utf-8")
    folder_toml.write_text("[arxiv]\ntimeout = 7\n", encoding="utf-8")
    monkeypatch.delenv("PAPERNOTES_ARXIV_TIMEOUT")
    monkeypatch.delenv("PAPERNOTES_ARXIV_DELAY")
    settings = effective(cli)
    assert settings["arxiv.timeout"] == {"value": 7.0, "source": "file", "from": str(folder_toml)}
    assert settings["arxiv.delay"] == {"value": 2.0, "source": "file", "from": str(user_toml)}


def test_the_users_file_can_move_the_notes_folder(
    cli, monkeypatch, isolated, user_toml, tmp_path
) -> None:
    """A relative dir is relative to the current folder, as --dir is; ~ is the home folder.
    The folder it names has its own file, read too."""
    monkeypatch.delenv("PAPERNOTES_DIR")
    monkeypatch.delenv("PAPERNOTES_ARXIV_TIMEOUT")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home" / "papers").mkdir(parents=True)
    (tmp_path / "home" / "papers" / "papernotes.toml").write_text("arxiv.timeout = 9\n")
    user_toml.write_text('dir = "~/papers"\n', encoding="utf-8")
    settings = effective(cli)
    assert settings["dir"]["value"] == str(tmp_path / "home" / "papers")
    assert settings["arxiv.timeout"]["value"] == 9.0

    user_toml.write_text('dir = "papers"\n', encoding="utf-8")
    (isolated / "work").mkdir()
    monkeypatch.chdir(isolated / "work")
    assert effective(cli)["dir"]["value"] == "papers"
    assert "No notes in papers/ yet" in cli("list").stderr


# --- papernotes config -------------------------------------------------------------------


def test_config_names_each_source(cli, monkeypatch, user_toml) -> None:
    monkeypatch.delenv("PAPERNOTES_ARXIV_TIMEOUT")
    monkeypatch.delenv("PAPERNOTES_ARXIV_API_URL")
    user_toml.write_text("# mine\n[arxiv]\ntimeout = 12.5\n", encoding="utf-8")
    lines = cli("--dir", "elsewhere", "config").stdout.splitlines()
    assert lines[0] == "# elsewhere/papernotes.toml: not found"
    assert lines[1] == f"# {user_toml}: read"
    assert lines[2].startswith('dir = "elsewhere" ') and lines[2].endswith("# flag --dir")
    assert lines[3].endswith("# default")
    assert lines[4].startswith("arxiv.delay = 0.0 ")
    assert lines[4].endswith("# environment variable PAPERNOTES_ARXIV_DELAY")
    assert lines[5].startswith("arxiv.timeout = 12.5 ")
    assert lines[5].endswith(f"# file {user_toml}, line 3")


def test_configs_text_is_a_settings_file(cli, monkeypatch, user_toml) -> None:
    monkeypatch.setenv("PAPERNOTES_ARXIV_API_URL", 'http://127.0.0.1:9/q?a="b"\\c')
    printed = cli("config").stdout
    user_toml.write_text(printed, encoding="utf-8")
    for setting in SETTINGS:
        monkeypatch.delenv(setting.env, raising=False)
    again = effective(cli)
    assert again["arxiv.api_url"]["value"] == 'http://127.0.0.1:9/q?a="b"\\c'
    assert all(s["source"] == "file" for s in again.values())
    assert tomllib.loads(printed)["arxiv"]["delay"] == 0.0


def test_config_json_lists_the_files_looked_for(cli, notes_dir, user_toml, folder_toml) -> None:
    folder_toml.write_text("", encoding="utf-8")
    files = json.loads(cli("config", "--json").stdout)["files"]
    assert files == [
        {"path": str(folder_toml), "read": True},
        {"path": str(user_toml), "read": False},
    ]


# --- bad files -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ("[arxiv]\ndelay = = 3\n", "line 2, column 9", "not valid TOML"),
        ('dir = "unterminated\n', "line 1, column 20", "not valid TOML"),
        ("# my settings\n[arxiv]\ndealy = 3\n", "line 3", "unknown setting arxiv.dealy"),
        ("[crossref]\nmail_to = 'me@example.org'\n", "line 2", "unknown setting crossref.mail_to"),
        (
            "[crossref]\nmailto = 'me at example.org'\n",
            "line 2",
            "crossref.mailto = 'me at example.org': not an email address (like you@example.org)",
        ),
        (
            "[crossref]\napi_url = 'api.crossref.org'\n",
            "line 2",
            "not an http(s) URL; the default is https://api.crossref.org",
        ),
        ('[arxiv]\ntimeout = "30"\n', "line 2", "arxiv.timeout must be a number, not the string"),
        ("arxiv = {delay = true}\n", "line 1", "arxiv.delay must be a number, not true"),
        ("dir = 3\n", "line 1", "dir must be a folder path in quotes, not the number 3"),
        ("arxiv = 3\n", "line 1", "arxiv must be a table ([arxiv])"),
        ("[arxiv]\n\napi_url = 'ftp://example.org'\n", "line 3", "not an http(s) URL"),
        ("arxiv.delay = -1\n", "line 1", "arxiv.delay = -1.0: must be 0 or more seconds"),
    ],
)
def test_a_bad_file_stops_every_command(
    cli, notes_dir, user_toml, text: str, where: str, words: str
) -> None:
    user_toml.write_text(text, encoding="utf-8")
    for command in (["list"], ["config"], ["add", "1706.03762"], ["show", "1706.03762"]):
        result = cli(*command, code=2)
        assert result.stderr.startswith(f"Error: {user_toml}: {where}: ")
        assert words in result.stderr and result.stderr.count("\n") == 1
    assert not notes_dir.exists()  # nothing was written, not even an index


def test_a_file_that_is_not_utf8_is_named(cli, user_toml) -> None:
    user_toml.write_bytes(b"dir = '\xff'\n")
    result = cli("list", code=2)
    assert result.stderr == f"Error: {user_toml}: not UTF-8 text; save it as UTF-8\n"


def test_the_notes_folders_file_cannot_move_the_folder(cli, folder_toml, user_toml) -> None:
    folder_toml.write_text('dir = "other"\n', encoding="utf-8")
    result = cli("list", code=2)
    assert result.stderr.startswith(f"Error: {folder_toml}: line 1: dir cannot be set")
    assert str(user_toml) in result.stderr and not Path("other").exists()


def test_bad_values_name_their_source(cli, monkeypatch) -> None:
    monkeypatch.setenv("PAPERNOTES_ARXIV_DELAY", "soon")
    result = cli("config", code=2)
    assert (
        result.stderr
        == "Error: 'soon' is not a number (environment variable PAPERNOTES_ARXIV_DELAY)\n"
    )
    monkeypatch.setenv("PAPERNOTES_ARXIV_DELAY", "0")
    result = cli("add", "--timeout", "0", "1706.03762", code=2)
    assert "arxiv.timeout = 0.0: must be more than 0 seconds (flag --timeout)" in result.stderr


def test_crossref_settings_come_from_the_environment_and_files(cli, monkeypatch, user_toml) -> None:
    monkeypatch.delenv("PAPERNOTES_CROSSREF_API_URL")  # the tests' own closed port
    assert effective(cli)["crossref.api_url"] == {
        "value": "https://api.crossref.org",
        "source": "default",
        "from": None,
    }
    assert effective(cli)["crossref.mailto"]["value"] == ""  # empty: none is sent
    user_toml.write_text("[crossref]\nmailto = 'me@example.org'\n", encoding="utf-8")
    assert effective(cli)["crossref.mailto"]["value"] == "me@example.org"
    monkeypatch.setenv("PAPERNOTES_CROSSREF_MAILTO", "lab@uni.example.edu")
    monkeypatch.setenv("PAPERNOTES_CROSSREF_API_URL", "http://127.0.0.1:9")
    settings = effective(cli)
    assert settings["crossref.mailto"]["value"] == "lab@uni.example.edu"
    assert settings["crossref.api_url"]["from"] == "PAPERNOTES_CROSSREF_API_URL"


def test_a_bad_mailto_in_the_environment_is_named(cli, monkeypatch) -> None:
    monkeypatch.setenv("PAPERNOTES_CROSSREF_MAILTO", "me@localhost")
    result = cli("config", code=2)
    assert result.stderr == (
        "Error: crossref.mailto = 'me@localhost': not an email address (like you@example.org); "
        "leave it empty to send none (environment variable PAPERNOTES_CROSSREF_MAILTO)\n"
    )


@pytest.mark.parametrize("address", ["", "me@example.org", "first.last+tag@lab.uni.example"])
def test_mailto_accepts_an_address_or_nothing(address: str) -> None:
    assert CROSSREF_MAILTO.validate(address) == address


@pytest.mark.parametrize(
    "address", ["me", "me@", "@example.org", "me@example", "a@b@example.org", "me @example.org"]
)
def test_mailto_refuses_what_is_not_an_address(address: str) -> None:
    with pytest.raises(UsageError, match="not an email address"):
        CROSSREF_MAILTO.validate(address)


def test_help_names_the_file_keys(cli) -> None:
    out = " ".join(cli("add", "--help").stdout.split())  # unwrapped
    assert "file key arxiv.api_url" in out and "file key arxiv.delay" in out
    assert "file key dir" in " ".join(cli("--help").stdout.split())
    assert "papernotes config" in cli("config", "--help").stdout


def test_library_settings_keep_their_checks() -> None:
    from papernotes.arxiv_source import ApiSettings

    with pytest.raises(UsageError, match=r"arxiv\.delay"):
        ApiSettings(delay=-1)


def test_a_switch_reads_true_and_false_from_files_and_the_environment(
    cli, folder_toml: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder_toml.write_text("[git]\nautocommit = true\n", "utf-8")
    assert effective(cli)["git.autocommit"]["value"] is True
    monkeypatch.setenv("PAPERNOTES_GIT_AUTOCOMMIT", "no")
    assert effective(cli)["git.autocommit"]["value"] is False
    monkeypatch.setenv("PAPERNOTES_GIT_AUTOCOMMIT", "maybe")
    assert "is not true or false" in cli("config", code=2).stderr
    monkeypatch.delenv("PAPERNOTES_GIT_AUTOCOMMIT")
    folder_toml.write_text('[git]\nautocommit = "yes"\n', "utf-8")
    assert "must be true or false" in cli("config", code=2).stderr
