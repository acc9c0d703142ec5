"""Which answers are web pages, and how their bytes become text.

The encoding is looked for as a browser does: a byte-order mark first (the bytes themselves
say, and browsers let it override the header), then the Content-Type header's `charset`,
then a `<meta charset>` or `<meta http-equiv>` near the top, then detection: UTF-8 if the
bytes decode as UTF-8, else charset-normalizer's guess (imported only then).
"""

from __future__ import annotations

import codecs
import re

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16's: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_CHARSET_PARAM = re.compile(r"""charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta\s[^>]*?charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
PRESCAN_BYTES = 8192  # more than the HTML standard's 1024: heads grow long before their meta
# Labels read as browsers read them (the WHATWG Encoding standard): Latin-1 and ASCII pages
# are windows-1252 in practice, and the older Chinese, Japanese and Korean names mean their
# larger Microsoft supersets.
_AS_BROWSERS_READ = {
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
}
_ALIASES = {"windows-31j": "cp932", "x-sjis": "cp932"}  # labels browsers know, Python not
# Codecs that are not a page's encoding even where Python has them: escapes and UTF-7 (which
# browsers refuse, as it can smuggle markup past filters).
_REFUSED = frozenset(
    {"utf-7", "unicode-escape", "raw-unicode-escape", "idna", "punycode", "undefined"}
)
_HTML_START = (b"<!doctype html", b"<html", b"<head", b"<title", b"<meta", b"<body")
_XML_DECLARATION = re.compile(rb"^<\?xml[^>]*>\s*")


def media_type(content_type: str) -> str:
    """The media type of a Content-Type value, lower-cased, without its parameters."""
    return content_type.split(";", 1)[0].strip().lower()


def is_html(content_type: str | None, body: bytes | None = None) -> bool:
    """Whether an answer is a web page: its Content-Type is text/html or application/xhtml+xml;
    with no Content-Type at all, whether the body begins as a page does."""
    if content_type is not None and content_type.strip():
        return media_type(content_type) in HTML_TYPES
    if body is None:
        return False
    start = body[:1024].removeprefix(codecs.BOM_UTF8)
    start = _XML_DECLARATION.sub(b"", start.lstrip()).lstrip().lower()
    return start.startswith(_HTML_START)


def decode(body: bytes, content_type: str | None) -> str:
    """The text of a page's bytes, in the encoding found as the module says; never fails
    (bytes the encoding cannot read become U+FFFD)."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(name, errors="replace")
    header = _CHARSET_PARAM.search(content_type or "")
    declared = _codec(header.group(1)) if header else None
    if declared is None:
        meta = _META_CHARSET.search(_COMMENT.sub(b"", body[:PRESCAN_BYTES]))
        label = meta.group(1).decode("ascii", "replace") if meta else None
        declared = _codec(label, in_meta=True) if label else None
    if declared is not None:
        return body.decode(declared, errors="replace").removeprefix("\ufeff")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(body).best()
    guessed = _codec(best.encoding) if best is not None else None
    return body.decode(guessed or "cp1252", errors="replace")


def _codec(label: str, *, in_meta: bool = False) -> str | None:
    """Python's codec for an encoding label, as browsers read the label (None if unknown)."""
    label = label.strip().lower()
    try:
        name = codecs.lookup(_ALIASES.get(label, label)).name
        b"a".decode(name, errors="replace")  # refuses codecs of bytes to bytes (base64, zlib)
    except (LookupError, UnicodeError):
        return None
    if name in _REFUSED:
        return None
    if in_meta and name.startswith(("utf-16", "utf-32")):
        return "utf-8"  # a page whose meta tag could be read is not in UTF-16 (the standard)
    return _AS_BROWSERS_READ.get(name, name)
