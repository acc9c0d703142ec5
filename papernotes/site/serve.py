"""Preview a built site on this machine only (127.0.0.1), as a static host would serve it."""

from __future__ import annotations

import contextlib
import functools
import http.server
from collections.abc import Callable
from pathlib import Path

from papernotes.errors import PapernotesError

HOST = "127.0.0.1"  # never another interface: a preview is for the person building it


class _Quiet(http.server.SimpleHTTPRequestHandler):
    """Files of the folder, without a log line for every request."""

    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(folder: Path, port: int, on_ready: Callable[[str], None]) -> None:
    """Serve `folder` on http://127.0.0.1:PORT/ (a free port for 0) until interrupted."""
    handler = functools.partial(_Quiet, directory=str(folder))
    try:
        server = http.server.ThreadingHTTPServer((HOST, port), handler)
    except OSError as error:
        raise PapernotesError(
            f"cannot serve on {HOST}:{port}: {error.strerror or error}; "
            "choose another with --port (0 picks a free one)"
        ) from None
    with server:
        on_ready(f"http://{HOST}:{server.server_address[1]}/")
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: the preview is over
            server.serve_forever()
