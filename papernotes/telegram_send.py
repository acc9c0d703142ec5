"""Posting messages to a Telegram chat through the Bot API's `sendMessage`.

The bot's token is part of every request's path (`/bot<TOKEN>/sendMessage`), so it is a
secret this module keeps: no message it makes holds the URL, and none holds the token (a
problem's words are searched for it and it is blotted out, to be sure).

A message is not retried: Telegram may have posted one whose answer was lost, and a post
sent twice is worse than one reported as failed. Messages are paced `delay` apart (Telegram
takes about one a second to a chat). The parts of one post go in order; once a part fails
the rest of that post is reported as not sent (it would read wrong without it), and the
next post is tried.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from papernotes.errors import UsageError
from papernotes.http_fetch import Pacer, UnusableAnswerError, read_capped, request_problem

if TYPE_CHECKING:
    import requests

TOKEN_ENV = "PAPERNOTES_TELEGRAM_TOKEN"
MAX_ANSWER_BYTES = 1 << 20  # Telegram's answers are a few hundred bytes
MAX_DESCRIPTION = 300  # characters of Telegram's description shown in an error
# What @BotFather gives: the bot's number, a colon, then letters, digits, `_` and `-`.
_TOKEN = re.compile(r"[0-9]+:[A-Za-z0-9_-]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class TelegramSettings:
    """Where to post: the API's address, the chat, the bot's token (never shown)."""

    api_url: str
    chat: str
    token: str
    timeout: float = 30.0
    delay: float = 1.0

    def __repr__(self) -> str:  # the token stays out of any traceback or log
        return f"TelegramSettings(api_url={self.api_url!r}, chat={self.chat!r}, token=***)"


class Post(NamedTuple):
    """One note's messages, and the name it is reported by (its id)."""

    name: str
    messages: list[str]


class Delivery(NamedTuple):
    """What became of one message: `problem` is None when it was posted."""

    label: str  # `1911.04594`, or `1911.04594 (part 2 of 3)`
    problem: str | None = None


def token_from(environ: Mapping[str, str]) -> str:
    """The bot's token from the environment, or a UsageError saying how to give it."""
    token = environ.get(TOKEN_ENV, "").strip()
    if not token:
        raise UsageError(
            f"{TOKEN_ENV} is not set: put your bot's token (from @BotFather) in it to --send"
        )
    if not _TOKEN.fullmatch(token):
        raise UsageError(
            f"{TOKEN_ENV} does not look like a bot token (digits, a colon, then letters "
            "and digits): copy it again from @BotFather"
        )
    return token


def send(
    posts: Iterable[Post],
    settings: TelegramSettings,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[Delivery]:
    """Post every message, in order; what became of each as it is known."""
    import requests

    pacer = Pacer(settings.delay, sleep)
    url = f"{settings.api_url.rstrip('/')}/bot{settings.token}/sendMessage"
    with requests.Session() as session:
        for post in posts:
            count = len(post.messages)
            failed: str | None = None
            for number, text in enumerate(post.messages, 1):
                label = post.name if count == 1 else f"{post.name} (part {number} of {count})"
                if failed is not None:
                    yield Delivery(label, f"held back after {failed} failed")
                    continue
                with pacer.request():
                    problem = _post(session, url, settings, text)
                if problem is not None:
                    problem = problem.replace(settings.token, "***")
                    failed = f"part {number}"
                yield Delivery(label, problem)


def _post(session: requests.Session, url: str, settings: TelegramSettings, text: str) -> str | None:
    """Send one message; None when Telegram took it, else the problem in words (never
    the URL: requests' own messages name it, so they are not used)."""
    import requests

    payload = {"chat_id": settings.chat, "text": text, "parse_mode": "HTML"}
    try:
        deadline = time.monotonic() + settings.timeout
        response = session.post(url, json=payload, timeout=settings.timeout, stream=True)
        with response:
            body = read_capped(
                response, deadline=deadline, timeout=settings.timeout, limit=MAX_ANSWER_BYTES
            )
    except UnusableAnswerError as err:
        return str(err)
    except requests.exceptions.RequestException as err:
        return f"Telegram could not be reached: {request_problem(err, settings.timeout)}"
    return _problem(response.status_code, body)


def _problem(status: int, body: bytes) -> str | None:
    """Telegram's answer read: None for `{"ok": true}`, else what it said went wrong."""
    try:
        answer = json.loads(body)
    except ValueError:
        answer = None
    if not isinstance(answer, dict) or "ok" not in answer:
        return f"HTTP {status}: the answer is not the Bot API's (check telegram.api_url)"
    if answer["ok"] is True:
        return None
    description = answer.get("description")
    if not isinstance(description, str) or not description.strip():
        return f"Telegram refused it (HTTP {status})"
    shown = _CONTROL.sub(" ", description).strip()
    if len(shown) > MAX_DESCRIPTION:
        shown = shown[:MAX_DESCRIPTION] + "…"
    return f"Telegram refused it: {shown}"
