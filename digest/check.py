"""`digest check`: everything that can be wrong with a digest, found without publishing it.

Config (loaded and validated before this runs), front matter, editor's notes whose quotation is not
in the article, then the built site: every internal link, resource and #anchor of every page,
resolved under the base path exactly as the host will serve it. The site is built into a temporary
folder, or an already built folder is checked as it is.
"""

from __future__ import annotations

import posixpath
import tempfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

from digest.build import BuildOptions, build_site
from digest.config import Config
from digest.errors import Diagnostic, DigestError, Report, warning
from digest.model import Document

# Attributes that point at another resource, by element.
_LINKING = {"a": ("href",), "area": ("href",), "link": ("href",), "script": ("src",), "img": ("src", "srcset"),
            "source": ("src", "srcset"), "iframe": ("src",), "video": ("src", "poster"), "audio": ("src",),
            "track": ("src",), "embed": ("src",), "object": ("data",), "form": ("action",)}
_NOT_CHECKED = ("mailto:", "tel:", "data:", "sms:")


@dataclass
class PageScan:
    """What one HTML page holds: its ids and its references, each with its line."""

    ids: set[str] = field(default_factory=set)
    refs: list[tuple[int, str]] = field(default_factory=list)  # (line, url)


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scan = PageScan()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        values = {name: value or "" for name, value in attrs}
        if "id" in values:
            self.scan.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.scan.ids.add(values["name"])
        for attr in _LINKING.get(tag, ()):
            if attr not in values:
                continue
            if attr == "srcset":
                self.scan.refs += [(line, part.split()[0]) for part in values[attr].split(",") if part.split()]
            else:
                self.scan.refs.append((line, values[attr].strip()))


def scan_html(text: str) -> PageScan:
    scanner = _Scanner()
    scanner.feed(text)
    scanner.close()
    return scanner.scan


def check_digest(config: Config, documents: list[Document], site: Path | None = None) -> Report:
    """Problems of the digest: notes, then links of the site in `site`, or of a fresh build when None."""
    report = Report()
    if not config.absolute_base:
        report.add(warning("config.yaml", f"base_url {config.base_url!r} has no scheme and host, so feed and sitemap links are not absolute",
                           hint="set base_url: https://user.github.io/news/ (or build with --base-url)"))
    for doc in documents:
        report.add(*orphaned_notes(doc, config.root))
    if site is not None:
        report.add(*check_links(site, config, display=_display(site)))
        return report
    with tempfile.TemporaryDirectory(prefix="digest-check-") as tmp:
        output = Path(tmp) / "site"
        try:
            result = build_site(config, BuildOptions(output=output))
        except DigestError as exc:
            report.add(*exc.diagnostics)
            return report
        report.add(*result.report.diagnostics)
        report.add(*check_links(output, config, display=config.paths.output))
    return report


def orphaned_notes(doc: Document, root: Path) -> list[Diagnostic]:
    """An editor's note whose quotation is not in the article any more (the article was edited)."""
    problems = []
    body = " ".join(doc.body.split())
    for note in doc.notes:
        if " ".join(note.quote.split()) not in body:
            problems.append(warning(doc.path, f"note on {note.quote[:40]!r}: the quotation is not in the article",
                                    _line_of(root / doc.path, note.quote),
                                    "quote the article's words exactly, or remove the note"))
    return problems


def _line_of(path: Path, text: str) -> int | None:
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError:
        return None
    needle = text.split("\n")[0][:30]
    return next((n for n, line in enumerate(lines, 1) if needle and needle in line), None)


def check_links(site: Path, config: Config, display: str = "site") -> list[Diagnostic]:
    """Every internal reference of every page and of sitemap.xml that does not resolve, as file:line errors."""
    pages = {p.relative_to(site).as_posix(): p for p in sorted(site.rglob("*.html"))}
    scans = {name: scan_html(path.read_text(encoding="utf-8")) for name, path in pages.items()}
    problems = []
    for name, scan in scans.items():
        page_url = config.base_path + (name[:-len("index.html")] if name.endswith("index.html") else name)
        if name == "404.html":  # served at any missing URL: a relative link would break there
            page_url = config.base_path + "a/missing/page/"
        for line, ref in scan.refs:
            message = _broken(ref, page_url, site, config, scans, name)
            if message:
                problems.append(Diagnostic(f"{display}/{name}", message, line,
                                           hint="make every link with url() in templates"))
    sitemap = site / "sitemap.xml"
    if sitemap.is_file():
        try:
            locs = [e.text or "" for e in ElementTree.parse(sitemap).iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
        except ElementTree.ParseError as exc:
            return [*problems, Diagnostic(f"{display}/sitemap.xml", f"not well-formed XML: {exc}")]
        for loc in locs:
            message = _broken(loc, config.base_path, site, config, scans, "index.html")
            if message:
                problems.append(Diagnostic(f"{display}/sitemap.xml", message))
    return problems


def _broken(ref: str, page_url: str, site: Path, config: Config, scans: dict[str, PageScan], page: str) -> str | None:
    """Why ref, found on `page` (served at page_url), does not resolve; None when it does or is not ours."""
    if not ref or ref.lower().startswith(_NOT_CHECKED):
        return None
    if ref.lower().startswith(("javascript:", "vbscript:")):
        return f"script URL in a link: {ref[:60]}"
    parts = urlsplit(ref)
    if parts.scheme or parts.netloc:
        base = config.absolute_base
        if not base or not ref.startswith(base):
            return None  # another site: not checked
        path = config.base_path + ref[len(base):].split("#")[0].split("?")[0]
    elif not parts.path:  # '#anchor' on the page itself
        return _missing_anchor(ref, parts.fragment, page, page_url, scans)
    else:
        path = posixpath.normpath(posixpath.join(posixpath.dirname(page_url), parts.path))
        if parts.path.endswith("/") and not path.endswith("/"):
            path += "/"
    path = unquote(path)
    if not (path + "/").startswith(config.base_path):
        return f"link {ref} is outside the base path {config.base_path} (it ignores the base path)"
    relative = path[len(config.base_path):]
    target = _target_file(site, relative)
    if target is None:
        return f"broken link {ref}: nothing at {path}"
    return _missing_anchor(ref, parts.fragment, target, path, scans)


def _missing_anchor(ref: str, fragment: str, target: str, path: str, scans: dict[str, PageScan]) -> str | None:
    fragment = unquote(fragment)
    if fragment and fragment != "top" and target.endswith(".html") and fragment not in scans.get(target, PageScan()).ids:
        return f"broken anchor {ref}: no id {fragment!r} in {path}"
    return None


def _target_file(site: Path, relative: str) -> str | None:
    """The output file a URL path (under the base path) is served from, as GitHub Pages does."""
    candidates = [relative + "index.html"] if relative.endswith("/") or not relative else \
        [relative, relative + "/index.html", relative + ".html"]
    for candidate in candidates:
        if (site / candidate).is_file():
            return candidate
    return None


def _display(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)
