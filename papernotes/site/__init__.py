"""The notes as a static website: pages, tag pages, an Atom feed and Pagefind's search.

`build` writes the site into a folder (again after edits, rewriting only what changed);
`serve` previews a folder on 127.0.0.1.
"""

from papernotes.site.builder import BuildReport, SiteOptions, build

__all__ = ["BuildReport", "SiteOptions", "build"]
