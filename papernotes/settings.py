"""Settings: one table of them all, and where each effective value comes from.

A value comes from the first of: a command-line flag, an environment variable, a settings
file, the default. Two files can hold settings: `papernotes.toml` in the notes folder, and
`$XDG_CONFIG_HOME/papernotes/config.toml` (`~/.config` when unset) for every folder; a key
in the folder's file beats the same key in the other. A file is parsed only when it exists:
when neither does, all this costs is two `open` calls that fail.

In a file a dotted key is a table: `arxiv.delay` is `delay = 3` under `[arxiv]`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, Generic, NamedTuple, TypeVar

from papernotes.errors import UsageError

V = TypeVar("V", str, float, Path)

FOLDER_FILE = "papernotes.toml"
ARXIV_DEFAULT_URL = "https://export.arxiv.org/api/query"
CROSSREF_DEFAULT_URL = "https://api.crossref.org"
GITHUB_DEFAULT_URL = "https://api.github.com"
TELEGRAM_DEFAULT_URL = "https://api.telegram.org"


def _http_url(default: str) -> Callable[[str], str | None]:
    """The check of an API address whose default is `default`."""

    def check(url: str) -> str | None:
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc:
            return None
        return f"not an http(s) URL; the default is {default}"

    return check


def _site_address(url: str) -> str | None:
    if not url:
        return None
    problem = _http_url("none")(url)
    return problem and "not an http(s) URL, like https://lab.example.org/papers/"


def _not_blank(text: str) -> str | None:
    return None if text.strip() else "must not be empty"


def _email_or_empty(address: str) -> str | None:
    """Empty is unset; anything else must look like an address (one @, a dot after it)."""
    import re

    if not address or re.fullmatch(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+", address):
        return None
    return "not an email address (like you@example.org); leave it empty to send none"


def _chat_or_empty(chat: str) -> str | None:
    """Empty is unset; else a chat's number (-1001234567890) or a public @username."""
    import re

    if not chat or re.fullmatch(r"-?[0-9]+|@[A-Za-z][A-Za-z0-9_]{3,}", chat):
        return None
    return "not a chat: give its number (like -1001234567890) or its @username"


def _not_negative(seconds: float) -> str | None:
    return None if seconds >= 0 else "must be 0 or more seconds"


def _positive(seconds: float) -> str | None:
    return None if seconds > 0 else "must be more than 0 seconds"


class Setting(Generic[V]):
    """One setting: its key in a file, default (whose type is the setting's) and help.

    Its environment variable and option are named after the key: `arxiv.api_url` is
    PAPERNOTES_ARXIV_API_URL and `--api-url`. (Plain classes here, not dataclasses: every
    command imports this module, and a dataclass takes several times longer to define.)"""

    __slots__ = ("check", "default", "help", "key")

    def __init__(
        self, key: str, default: V, help: str, check: Callable[[V], str | None] | None = None
    ) -> None:
        self.key = key
        self.default: V = default
        self.help = help
        self.check: Callable[[V], str | None] | None = check  # the problem with a value

    def __repr__(self) -> str:
        return f"Setting({self.key!r})"

    @property
    def env(self) -> str:
        """The environment variable: `PAPERNOTES_ARXIV_DELAY` for `arxiv.delay`."""
        return "PAPERNOTES_" + self.key.upper().replace(".", "_")

    @property
    def flag(self) -> str:
        """The option of the commands that take one: `--api-url` for `arxiv.api_url`."""
        return "--" + self.key.rpartition(".")[2].replace("_", "-")

    @property
    def kind(self) -> type[V]:
        """The type of the values: str, float, bool or Path."""
        return Path if isinstance(self.default, Path) else type(self.default)

    def validate(self, value: V, source: Source | None = None) -> V:
        """`value`, or a UsageError saying what is wrong with it and where it came from."""
        problem = self.check(value) if self.check else None
        if problem:
            message = f"{self.key} = {value!r}: {problem}"
            raise UsageError(source.blame(message) if source else message)
        return value


# One line a setting; the default gives its type, `check` what is wrong with a value.
DIR = Setting("dir", Path("notes"), "Folder of the notes (one YAML file per paper)")
ARXIV_API_URL = Setting(
    "arxiv.api_url", ARXIV_DEFAULT_URL, "arXiv API address", _http_url(ARXIV_DEFAULT_URL)
)
ARXIV_DELAY = Setting("arxiv.delay", 3.0, "Seconds between requests (arXiv asks 3)", _not_negative)
ARXIV_TIMEOUT = Setting("arxiv.timeout", 30.0, "Seconds to wait for an answer", _positive)
CROSSREF_API_URL = Setting(
    "crossref.api_url",
    CROSSREF_DEFAULT_URL,
    "Crossref API address",
    _http_url(CROSSREF_DEFAULT_URL),
)
CROSSREF_MAILTO = Setting(
    "crossref.mailto", "", "Your email address for Crossref's polite pool", _email_or_empty
)
WEB_TIMEOUT = Setting("web.timeout", 20.0, "Seconds a web page may take to answer", _positive)
GITHUB_API_URL = Setting(
    "github.api_url", GITHUB_DEFAULT_URL, "GitHub API address", _http_url(GITHUB_DEFAULT_URL)
)
# Where `export --send` posts. The bot's token is no setting: it is read from the
# environment only (telegram_send.TOKEN_ENV), never from a flag or a file, and never printed.
TELEGRAM_CHAT = Setting(
    "telegram.chat", "", "Telegram chat export --send posts to: -100… or @name", _chat_or_empty
)
TELEGRAM_API_URL = Setting(
    "telegram.api_url",
    TELEGRAM_DEFAULT_URL,
    "Telegram Bot API address",
    _http_url(TELEGRAM_DEFAULT_URL),
)
SITE_TITLE = Setting("site.title", "Reading notes", "Title of the site `site` builds", _not_blank)
SITE_BASE_URL = Setting(
    "site.base_url", "", "Address the site is published at (the feed's links)", _site_address
)
GIT_AUTOCOMMIT = Setting(
    "git.autocommit", False, "Commit each change to the notes in git, as it is made"
)

# Every setting, in the order `papernotes config` prints them. A new one joins here.
SETTINGS: tuple[Setting[Any], ...] = (
    DIR, ARXIV_API_URL, ARXIV_DELAY, ARXIV_TIMEOUT, CROSSREF_API_URL, CROSSREF_MAILTO,
    WEB_TIMEOUT, GITHUB_API_URL, TELEGRAM_CHAT, TELEGRAM_API_URL, SITE_TITLE, SITE_BASE_URL,
    GIT_AUTOCOMMIT,
)  # fmt: skip

_EXPECTED = {
    str: "a string in quotes",
    float: "a number",
    Path: "a folder path in quotes",
    bool: "true or false",
}
_BOOLEANS = {"1": True, "true": True, "yes": True, "on": True,
             "0": False, "false": False, "no": False, "off": False}  # fmt: skip


class Source(NamedTuple):
    """Where a value came from: `kind` is flag, environment, file or default."""

    kind: str
    name: str = ""  # the flag, the variable or the file's path
    line: int | None = None  # in a file, where tomllib's answer lets us find it

    def describe(self) -> str:
        """`flag --dir`, `environment variable PAPERNOTES_DIR`, `file PATH`, `default`."""
        if self.kind == "environment":
            return f"environment variable {self.name}"
        if self.kind == "file" and self.line:
            return f"file {self.name}, line {self.line}"
        return f"{self.kind} {self.name}".strip()

    def blame(self, problem: str) -> str:
        """`problem` with this source named: a file's path and line first, as in the
        errors of note files; anything else after it."""
        if self.kind != "file":
            return f"{problem} ({self.describe()})"
        return f"{self.name}: {f'line {self.line}: ' if self.line else ''}{problem}"


class Resolved(Generic[V]):
    """A setting's effective value and its source."""

    __slots__ = ("setting", "source", "value")

    def __init__(self, setting: Setting[V], value: V, source: Source) -> None:
        self.setting: Setting[V] = setting
        self.value: V = value
        self.source = source

    def as_toml(self) -> str:
        """`key = value` as a settings file would hold it."""
        value = self.value
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, float):
            text = repr(value)
        else:  # JSON's string escapes are all valid in a TOML basic string
            import json

            text = json.dumps(str(value), ensure_ascii=False)
        return f"{self.setting.key} = {text}"


class SettingsFile(NamedTuple):
    """A settings file's values, each checked, with the line it is on."""

    path: Path
    values: Mapping[str, object]
    lines: Mapping[str, int | None]

    def source(self, key: str) -> Source:
        """Where the file sets `key`."""
        return Source("file", str(self.path), self.lines.get(key))


class Settings:
    """The settings files found and the environment, to resolve each setting from."""

    def __init__(
        self,
        environ: Mapping[str, str],
        flags: Mapping[str, object],
        files: tuple[SettingsFile, ...],
        looked_at: tuple[Path, ...] = (),
    ) -> None:
        self.environ = environ
        self.flags = flags  # settings given on the command line, by key
        self.files = files  # first wins
        self.looked_at = looked_at  # every file looked for, read or not

    def get(self, setting: Setting[V], flag: V | None = None) -> Resolved[V]:
        """`setting` from `flag` (given on the command line), else the root's flags, else
        the environment, a file, the default; checked, or a UsageError naming the source."""
        if flag is None:
            flag = self.flags.get(setting.key)  # type: ignore[assignment]
        if flag is not None:
            source = Source("flag", setting.flag)
            return Resolved(setting, setting.validate(flag, source), source)
        raw = self.environ.get(setting.env, "")
        if raw:  # an empty variable counts as unset, as Typer has it
            source = Source("environment", setting.env)
            return Resolved(
                setting, setting.validate(_parsed(setting, raw, source), source), source
            )
        for file in self.files:
            if setting.key in file.values:
                value: V = file.values[setting.key]  # type: ignore[assignment]
                return Resolved(setting, value, file.source(setting.key))
        return Resolved(setting, setting.default, Source("default"))

    def everything(self) -> list[Resolved[Any]]:
        """Every setting, in the table's order."""
        return [self.get(setting) for setting in SETTINGS]

    def was_read(self, path: Path) -> bool:
        """Whether `path`, one of the files looked for, exists and was read."""
        return any(file.path == path for file in self.files)

    def as_toml(self) -> list[str]:
        """Every setting as a line of a settings file, its source in a comment; first, the
        files looked for."""
        lines = [f"# {p}: {'read' if self.was_read(p) else 'not found'}" for p in self.looked_at]
        resolved = self.everything()
        keys = [r.as_toml() for r in resolved]
        width = max(map(len, keys))
        lines += [
            f"{k:<{width}}  # {r.source.describe()}" for k, r in zip(keys, resolved, strict=True)
        ]
        return lines

    def to_dict(self) -> dict[str, Any]:
        """Every setting's value and source (`from` names the flag, variable or file), and
        the files looked for."""
        return {
            "settings": {
                r.setting.key: {
                    "value": str(r.value) if isinstance(r.value, Path) else r.value,
                    "source": r.source.kind,
                    "from": r.source.name or None,
                }
                for r in self.everything()
            },
            "files": [{"path": str(p), "read": self.was_read(p)} for p in self.looked_at],
        }


def load(environ: Mapping[str, str], *, notes_dir: Path | None = None) -> Settings:
    """The settings of a command: `notes_dir` is the folder given on the command line.

    The user's file is read first, as it may say where the notes folder is; then the
    folder's own file, which cannot (it was found through the folder)."""
    flags: dict[str, object] = {} if notes_dir is None else {DIR.key: notes_dir}
    user_path = user_file(environ)
    user = read_file(user_path)
    folder = Settings(environ, flags, (user,) if user else ()).get(DIR).value
    own_path = folder / FOLDER_FILE
    own = read_file(own_path, dir_belongs_in=user_path)
    files = tuple(f for f in (own, user) if f is not None)
    return Settings(environ, flags, files, (own_path, user_path))


def user_file(environ: Mapping[str, str]) -> Path:
    """`$XDG_CONFIG_HOME/papernotes/config.toml`; `~/.config` when the variable is unset
    or not an absolute path (the XDG rule)."""
    base = environ.get("XDG_CONFIG_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(environ.get("HOME") or str(Path.home()), ".config")
    return Path(base, "papernotes", "config.toml")


def read_file(path: Path, *, dir_belongs_in: Path | None = None) -> SettingsFile | None:
    """The settings in `path`, None when there is no such file; a UsageError naming the
    file, line and key when it is not TOML or holds anything but known settings.

    `dir_belongs_in` is given for the notes folder's own file: the user's file, where a
    `dir` key would have to go instead."""
    try:
        raw = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as err:
        raise UsageError(f"{path}: cannot be read ({err.strerror or err})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not UTF-8 text; save it as UTF-8") from None
    data = _parse_toml(path, text)
    values: dict[str, object] = {}
    lines: dict[str, int | None] = {}
    for key, value in _flatten(data):
        lines[key] = _line_of(text, key)
        source = Source("file", str(path), lines[key])
        setting = next((s for s in SETTINGS if s.key == key), None)
        if key in _tables():
            raise UsageError(source.blame(f"{key} must be a table ([{key}]), not {_named(value)}"))
        if setting is None:
            known = ", ".join(s.key for s in SETTINGS)
            raise UsageError(source.blame(f"unknown setting {key} (papernotes knows {known})"))
        if dir_belongs_in and setting is DIR:
            raise UsageError(
                source.blame(
                    f"dir cannot be set in the notes folder's own {FOLDER_FILE} (the file is "
                    f"found through the folder): use --dir, {DIR.env} or {dir_belongs_in}"
                )
            )
        parsed = _from_toml(setting, value)
        if parsed is None:
            expected = _EXPECTED[setting.kind]
            raise UsageError(source.blame(f"{key} must be {expected}, not {_named(value)}"))
        values[key] = setting.validate(parsed, source)
    return SettingsFile(path, values, lines)


def _parse_toml(path: Path, text: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - the same parser, before it joined the standard library
        import tomli as tomllib
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        import re

        message = str(err)
        found = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
        if found:
            message = message[: found.start()]
            where = f"line {found[1]}, column {found[2]}: "
        else:  # "(at end of document)" and the like stay in the message
            where = ""
        raise UsageError(f"{path}: {where}not valid TOML: {message}") from None


def _tables() -> set[str]:
    """The tables the settings' dotted keys make: `arxiv` for `arxiv.delay`."""
    return {s.key.rpartition(".")[0] for s in SETTINGS if "." in s.key}


def _flatten(data: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Every dotted key and its value, a table's keys taken one by one (a setting's table
    value stays whole: its type is wrong)."""
    for name, value in data.items():
        key = prefix + name
        table = value or key in _tables()  # an empty table of no setting is an unknown key
        if isinstance(value, dict) and table and not any(s.key == key for s in SETTINGS):
            yield from _flatten(value, key + ".")
        else:
            yield key, value


def _from_toml(setting: Setting[V], value: object) -> V | None:
    """A file's value as the setting's type, None when it is of another type."""
    kind: type[Any] = setting.kind
    if kind is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)  # type: ignore[return-value]
    if kind is bool and isinstance(value, bool):
        return value  # type: ignore[return-value]
    if kind is str and isinstance(value, str):
        return value  # type: ignore[return-value]
    if kind is Path and isinstance(value, str) and value:
        return Path(value).expanduser()  # type: ignore[return-value]
    return None


def _parsed(setting: Setting[V], raw: str, source: Source) -> V:
    """An environment variable's text as the setting's type."""
    if setting.kind is bool:
        if raw.strip().lower() in _BOOLEANS:
            return _BOOLEANS[raw.strip().lower()]
        raise UsageError(f"{raw!r} is not true or false, 1 or 0 ({source.describe()})")
    try:
        return setting.kind(raw)
    except ValueError:
        expected = _EXPECTED[setting.kind].removesuffix(" in quotes")
        raise UsageError(f"{raw!r} is not {expected} ({source.describe()})") from None


def _named(value: object) -> str:
    """A TOML value named by its type: `the string '3'`, `an array`."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return f"the date {value}"


def _line_of(text: str, key: str) -> int | None:
    """The line that sets a dotted key, or its table's line; tomllib does not say."""
    import re

    table = ""
    header = re.compile(r"\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
    assignment = re.compile(r"\s*([^=#\[]+?)\s*=")
    parents = [key.rsplit(".", n)[0] for n in range(key.count(".") + 1)]
    for wanted in parents:
        for number, line in enumerate(text.splitlines(), 1):
            found = header.match(line)
            if found:
                table = _dotted(found[1])
                if table == wanted:
                    return number
                continue
            found = assignment.match(line)
            if found and ".".join(filter(None, (table, _dotted(found[1])))) == wanted:
                return number
        table = ""
    return None


def _dotted(name: str) -> str:
    """`"arxiv" . delay` as `arxiv.delay`."""
    return ".".join(part.strip().strip("\"'") for part in name.split("."))
