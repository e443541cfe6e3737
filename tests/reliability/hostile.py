"""A hostile digest, and a check of every output file for anything a browser could run.

Shared by tests/reliability/test_hostile.py and bench/reliability.py. The corpus puts scripts,
event handlers, script URLs, comments, CDATA, bidirectional overrides, look-alike letters and path
tricks into every field an untrusted source or a pasted page can fill. The check knows nothing about
how a page is built: it reads each output file as a browser or feed reader would.
"""

from __future__ import annotations

import gzip
import json
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

from digest.bidi import bidi_balanced

RLO, LRE, PDF, RLI = "\u202e", "\u202a", "\u202c", "\u2067"
SCRIPT = "<script>alert(1)</script>"
CLOSE_SCRIPT = "</script><script>alert(2)</script><!--"
HOMOGLYPH = "\u0440\u0430\u0443\u0440\u0430l"  # Cyrillic letters that look like "paypal"

SOURCES: dict[str, str] = {
    "evil-page.html": f"""<!doctype html><html><head><title>{CLOSE_SCRIPT} Evil page</title>
<script>alert(3)</script><meta http-equiv="refresh" content="0;url=javascript:alert(4)">
<style>body{{background:url(javascript:alert(5))}}</style></head>
<body onload="alert(6)"><h1 onclick="alert(7)">Missile deal {SCRIPT}</h1>
<p>India signed <a href="javascript:alert(8)">the deal</a> <img src=x onerror="alert(9)">
<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxMCk8L3NjcmlwdD4=">more</a>
<a href=" JaVaScRiPt:alert(11)">spaced</a> <a href="vbscript:msgbox(12)">vb</a></p>
<!-- <script>alert(13)</script> --><![CDATA[<script>alert(14)</script>]]>
<svg onload="alert(15)"><script>alert(16)</script></svg><iframe src="javascript:alert(17)"></iframe>
<object data="data:text/html,x"></object><form action="javascript:alert(18)"><button formaction="javascript:x">go</button></form>
<p>Defence ministers met on Tuesday to discuss the delivery of the air defence system.</p>
</body></html>
""",
    "evil-text.txt": f"""{CLOSE_SCRIPT} Headline with {SCRIPT}

Paragraph with [a link](javascript:alert(20)) and ![an image](data:text/html,<script>alert(21)</script>).
<img src=x onerror=alert(22)> <a href="javascript:alert(23)">raw</a> <!-- comment --> <![CDATA[ x ]]>
<javascript:alert(24)> [ref][r] and <style>*{{}}</style>

[r]: javascript:alert(25)
""",
    f"{RLO}txt.exe-look-alike.txt": f"Filename with an override\n\nIts body is plain {HOMOGLYPH} text.\n",
    "aux.txt": "A source named like a Windows device\n\nBody text of the aux source.\n",
    "CON.md": "Another device name\n\nBody text of the CON source.\n",
    f"{HOMOGLYPH}.txt": f"{HOMOGLYPH} look-alike headline\n\nBody text with look-alike letters.\n",
}

_FRONT = f"""---
title: "{CLOSE_SCRIPT} {RLO}evil title {SCRIPT}"
date: 2021-04-06
summary: "<img src=x onerror=alert(30)> summary {LRE}open embedding"
dateline: "{RLI}NEW DELHI <b onmouseover=alert(31)>"
author: "\\"><script>alert(32)</script>"
source: "{RLO}Evil Outlet</script>"
url: "javascript:alert(33)"
slug: "../../../escaped"
tags: ["<script>alert(34)</script>", "javascript:alert(35)", "{RLO}reversed", "{HOMOGLYPH}", "aux", "../../etc", "CON", "C:\\\\Windows", "nul\\u0000byte", "{PDF}stray close"]
see_also: ["javascript:alert(36)", "../../etc/passwd"]
notes:
  - quote: "Body paragraph"
    note: "<script>alert(37)</script> note"
custom: "<script>alert(38)</script>"
---
"""
PAGES: dict[str, str] = {
    "hostile.md": _FRONT + f"""
Body paragraph with {SCRIPT} and <img src=x onerror=alert(40)>, [link](javascript:alert(41)),
[data](data:text/html,<script>alert(42)</script>), <vbscript:msgbox(43)>, <a href="javascript:alert(44)">raw</a>.

<!-- <script>alert(45)</script> -->

<![CDATA[<script>alert(46)</script>]]>

<svg><script>alert(47)</script></svg>

Footnote[^x].

[^x]: <script>alert(48)</script> [f](javascript:alert(49))

```html
<script>alert(50)</script>
```
""",
    "CON.md": "---\ntitle: A page named like a device\ndate: 2021-04-07\ntags: [com1]\n---\n\nDevice body.\n",
    f"{RLO}gpj.md": f"---\ntitle: File name with an override\ndate: 2021-04-08\nsource: \"{HOMOGLYPH}\"\n---\n\nText.\n",
    "slugged.md": "---\ntitle: Slug with a drive letter\ndate: 2021-04-09\nslug: 'C:\\evil'\n---\n\nText.\n",
}


def make_hostile_digest(folder: Path) -> Path:
    """A digest folder holding the hostile sources and pages; returns it."""
    sources = folder / "content" / "sources"
    articles = folder / "content" / "articles"
    sources.mkdir(parents=True)
    articles.mkdir(parents=True)
    (folder / "config.yaml").write_text(f'title: "Hostile {SCRIPT}"\ndescription: "desc </title><script>alert(0)</script>"\n'
                                        "base_url: https://example.org/news/\n", encoding="utf-8")
    for name, text in SOURCES.items():
        (sources / name).write_text(text, encoding="utf-8")
    for name, text in PAGES.items():
        (articles / name).write_text(text, encoding="utf-8")
    return folder


_URL_ATTRS = {"href", "src", "action", "formaction", "poster", "data", "srcset", "xlink:href", "background",
              "cite", "longdesc", "usemap", "manifest", "ping"}
_NEVER = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "svg", "math", "template"}
_SCRIPT_URLS = ("javascript:", "vbscript:", "data:text", "data:application", "data:image/svg")


def _is_script_url(value: str) -> bool:
    # browsers drop ASCII whitespace and control characters inside a scheme: "java\tscript:" runs
    squeezed = "".join(c for c in value if ord(c) > 0x20).lower()
    return squeezed.startswith(_SCRIPT_URLS) or "url=javascript:" in squeezed


class _HTMLCheck(HTMLParser):
    """Records, for one HTML file, every element, attribute or text a browser could run or be fooled by."""

    def __init__(self, allowed_script_prefixes: tuple[str, ...]) -> None:
        super().__init__(convert_charrefs=True)
        self.allowed = allowed_script_prefixes
        self.problems: list[str] = []
        self._script: dict[str, str | None] | None = None
        self._script_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            if name.startswith("on"):
                self.problems.append(f"{line}: event handler <{tag} {name}={value!r}>")
            if name in _URL_ATTRS and _is_script_url(value):
                self.problems.append(f"{line}: script URL <{tag} {name}={value!r}>")
            if not bidi_balanced(value):
                self.problems.append(f"{line}: unbalanced bidi control in <{tag} {name}={value!r}>")
        if tag in _NEVER:
            self.problems.append(f"{line}: <{tag}> element")
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.problems.append(f"{line}: <meta http-equiv=refresh>")
        if tag == "script":
            self._script = dict(attrs)
            self._script_text = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag != "script" or self._script is None:
            return
        line = self.getpos()[0]
        attrs, text = self._script, "".join(self._script_text)
        self._script = None
        src = attrs.get("src")
        if attrs.get("type") == "application/ld+json" and src is None:
            if "<" in text:  # '</script' or '<!--' could end or confuse the element: we escape every '<'
                self.problems.append(f"{line}: JSON-LD holding '<': {text[:80]!r}")
            try:
                json.loads(text)
            except ValueError:
                self.problems.append(f"{line}: JSON-LD that is not JSON: {text[:80]!r}")
        elif src is None or text.strip():
            self.problems.append(f"{line}: inline script {text[:80]!r}")
        elif not src.startswith(self.allowed):
            self.problems.append(f"{line}: script from an unknown place {src!r}")

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script_text.append(data)
        elif not bidi_balanced(data):
            self.problems.append(f"{self.getpos()[0]}: unbalanced bidi control in text {data[:60]!r}")


def check_html(text: str, allowed_script_prefixes: tuple[str, ...]) -> list[str]:
    checker = _HTMLCheck(allowed_script_prefixes)
    checker.feed(text)
    checker.close()
    return checker.problems


def _json_strings(value: object, key: str = "") -> list[tuple[str, str]]:
    """Every (key, string) in a JSON value."""
    if isinstance(value, str):
        return [(key, value)]
    if isinstance(value, dict):
        return [pair for k, v in value.items() for pair in _json_strings(v, str(k))]
    if isinstance(value, list):
        return [pair for v in value for pair in _json_strings(v, key)]
    return []


_HTML_KEYS = {"content_html"}  # JSON Feed: HTML a reader renders
_PATH_KEYS = {"path", "source_file"}  # file names, kept exactly as they are on disk


def check_json(value: object, allowed_script_prefixes: tuple[str, ...], text_only: bool = False) -> list[str]:
    """A JSON document: HTML it carries is checked as HTML, URLs as URLs, text for stray bidi controls.
    text_only: every string but URLs is shown as text (a Pagefind record), so only URLs are checked."""
    problems = []
    for key, text in _json_strings(value):
        if key.endswith("url") or key == "id":
            if _is_script_url(text):
                problems.append(f"{key}: script URL {text!r}")
        elif text_only or key in _PATH_KEYS:
            continue
        elif key in _HTML_KEYS:
            problems += [f"{key}: {p}" for p in check_html(text, allowed_script_prefixes)]
        elif not bidi_balanced(text):
            problems.append(f"{key}: unbalanced bidi control {text[:60]!r}")
    return problems


def check_xml(data: bytes, allowed_script_prefixes: tuple[str, ...]) -> list[str]:
    """A feed or sitemap: well-formed, its escaped HTML content safe, no script URLs, no stray bidi controls."""
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        return [f"not well-formed XML: {exc}"]
    problems = []
    for element in root.iter():
        text = element.text or ""
        if element.tag.endswith("}content"):
            problems += check_html(text, allowed_script_prefixes)
        elif not bidi_balanced(text):
            problems.append(f"<{element.tag}>: unbalanced bidi control {text[:60]!r}")
        for name, value in element.attrib.items():
            if name in ("href", "src") and _is_script_url(value):
                problems.append(f"<{element.tag} {name}={value!r}>: script URL")
        if element.tag.endswith("}loc") and _is_script_url(text):
            problems.append(f"<loc>{text}: script URL")
    return problems


def pagefind_record(data: bytes) -> object | None:
    """A Pagefind fragment or metadata file as JSON (gzip, then a 'pagefind_dcd' signature), or None."""
    try:
        raw = gzip.decompress(data)
    except (OSError, EOFError):
        return None
    raw = raw.removeprefix(b"pagefind_dcd")
    try:
        return json.loads(raw)
    except ValueError:
        return None


def executable_content(site: Path, base_path: str = "/news/") -> dict[str, list[str]]:
    """{output file: problems} for every output file of site that holds something a browser could run.

    Scripts are allowed only from the theme's static/ folder or the Pagefind bundle, with no inline
    text; JSON-LD only when it holds no '<' and is JSON. Files this check cannot read are reported.
    """
    allowed = (base_path + "static/", base_path + "pagefind/")
    found: dict[str, list[str]] = {}
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        name = path.relative_to(site).as_posix()
        data = path.read_bytes()
        suffix = path.suffix.lower()
        if suffix in (".html", ".htm"):
            problems = check_html(data.decode("utf-8"), allowed)
        elif suffix == ".xml":
            problems = check_xml(data, allowed)
        elif suffix in (".json", ".jsonld"):
            problems = check_json(json.loads(data), allowed)
        elif name.startswith("pagefind/") and suffix == ".pf_fragment":
            # a page's text, verbatim: the theme's search script inserts it with textContent only
            record = pagefind_record(data)
            problems = ["not a readable Pagefind record"] if record is None else check_json(record, allowed, text_only=True)
        elif name.startswith(("static/", "pagefind/")) or name in (".nojekyll", "robots.txt", "CNAME"):
            problems = []  # the theme's own files, Pagefind's code and its binary word index: not from content
            if suffix == ".svg" and (b"<script" in data.lower() or b" on" in data.lower()):
                problems.append("script in an SVG")
        else:
            problems = [f"an output file this check does not know how to read ({suffix or 'no extension'})"]
        if problems:
            found[name] = problems
    return found
