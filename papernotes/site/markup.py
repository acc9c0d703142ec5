"""The reader's Markdown (TL;DR, findings, commentary) as safe HTML for the site.

markdown-it reads CommonMark with raw HTML off, so a note's `<script>` is shown as text;
its own link check turns `javascript:` and other unsafe targets into text too. Links get
`rel="noopener"`. An image is written as a link to it: every asset of the site is local,
and a note cannot make a reader's browser fetch anything by opening a page.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token
    from markdown_it.utils import EnvType, OptionsDict

REL = "noopener"


def to_html(text: str) -> Markup:
    """The reader's Markdown as HTML blocks (paragraphs, lists, code)."""
    return Markup(_parser().render(text)) if text.strip() else Markup("")


def to_inline_html(text: str) -> Markup:
    """One line of the reader's Markdown (a TL;DR in a listing) as inline HTML."""
    return Markup(_parser().renderInline(" ".join(text.split()))) if text.strip() else Markup("")


@cache
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": False}).enable("strikethrough")
    parser.add_render_rule("link_open", _link_open)
    parser.add_render_rule("image", _image)
    return parser


def _link_open(
    self: Any, tokens: Sequence[Token], index: int, options: OptionsDict, env: EnvType
) -> str:
    tokens[index].attrSet("rel", REL)
    return str(self.renderToken(tokens, index, options, env))


def _image(
    self: Any, tokens: Sequence[Token], index: int, options: OptionsDict, env: EnvType
) -> str:
    """`![a plot](https://…/plot.png)` as a link to the picture, its alt text the link's."""
    from html import escape

    token = tokens[index]
    label = self.renderInlineAsText(token.children or [], options, env) or "image"
    src = escape(str(token.attrGet("src") or ""))
    return f'<a href="{src}" rel="{REL}">{escape(label)}</a>'
