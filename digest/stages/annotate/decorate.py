"""Put an article's annotations into its rendered HTML: the first mention of each named thing
links to its page, the first use of each acronym becomes <abbr title>, editor notes highlight
their quotation (<mark>) with the note beside it, and footnotes also appear as sidenotes.

Works on the HTML our Markdown renderer made (escaped text, well-formed tags): text is only
ever changed between tags, never inside a tag or an attribute, and everything added is escaped.
"""

from __future__ import annotations

import html
import re
from typing import Callable

from digest.model import Annotations
from digest.stages.annotate.notes import find_anchor, html_text_nodes

# Text inside these is never linked: links can't nest, code is code, headings stay plain.
_NO_LINKS = frozenset({"a", "code", "pre", "abbr", "sup", "script", "style", "h1", "h2", "h3", "h4", "h5", "h6", "mark"})
_TAG_NAME = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)")
_VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "wbr", "col", "area", "base", "source", "track"})
_FOOTNOTE_ITEM = re.compile(r'<li id="fn(\d+)" class="footnote-item">(.*?)</li>', re.DOTALL)
_FOOTNOTE_REF = re.compile(r'(<sup class="footnote-ref"><a href="#fn(\d+)" id="fnref\d+(?::\d+)?">[^<]*</a></sup>)')
_BACKREF = re.compile(r'\s*<a href="#fnref[\d:]+" class="footnote-backref">[^<]*</a>')
_BLOCK = re.compile(r"<(?:ul|ol|pre|table|blockquote|h\d|div|dl)\b")


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def decorate_html(rendered: str, annotations: Annotations, entity_href: Callable[[str], str]) -> str:
    """rendered with links, abbreviations, note highlights and sidenotes added."""
    nodes = html_text_nodes(rendered)
    texts = [html.unescape(piece) if not is_tag else "" for is_tag, piece in nodes]
    full = "".join(texts)
    marks = _note_spans(full, annotations)
    targets, pattern = _targets(annotations, entity_href)
    done: set[str] = set()
    out: list[str] = []
    depth: dict[str, int] = {}
    offset = 0
    for (is_tag, piece), text in zip(nodes, texts):
        if is_tag:
            _track(piece, depth)
            out.append(piece)
            continue
        linkable = pattern is not None and not any(depth.get(t, 0) > 0 for t in _NO_LINKS)
        if not linkable and not any(s < offset + len(text) and e > offset for s, e, _, _ in marks):
            out.append(piece)  # unchanged, exactly as rendered
        else:
            out.append(_decorate_text(text, offset, marks, targets, pattern if linkable else None, done))
        offset += len(text)
    return _footnotes_as_sidenotes("".join(out))


def _track(tag: str, depth: dict[str, int]) -> None:
    m = _TAG_NAME.match(tag)
    if not m or tag.endswith("/>"):
        return
    name = m.group(2).lower()
    if name in _VOID:
        return
    depth[name] = depth.get(name, 0) + (-1 if m.group(1) else 1)


def _note_spans(full: str, annotations: Annotations) -> list[tuple[int, int, str, str]]:
    """(start, end, id, note) of each anchored note in the text; overlapping ones keep the first."""
    spans: list[tuple[int, int, str, str]] = []
    for anchored in annotations.notes:
        if not anchored.anchored:
            continue
        found = find_anchor(full, anchored.note)
        if found and not any(s < found[1] and found[0] < e for s, e, _, _ in spans):
            spans.append((found[0], found[1], anchored.id, anchored.note.note))
    return spans


def _targets(annotations: Annotations, entity_href: Callable[[str], str]) -> tuple[dict[str, tuple[str, str, str | None, str | None]], re.Pattern[str] | None]:
    """{spelling: (entity key or '', href, acronym, expansion)} and one pattern finding any spelling."""
    targets: dict[str, tuple[str, str, str | None, str | None]] = {}
    for e in annotations.entities:
        for form in e.forms:
            targets.setdefault(form, (e.key, entity_href(e.key), None, None))
    for acronym in annotations.acronyms:
        key, href, _, _ = targets.get(acronym.short, ("", "", None, None))
        targets[acronym.short] = (key, href, acronym.short, acronym.expansion)
    if not targets:
        return targets, None
    alternatives = "|".join(re.escape(f) for f in sorted(targets, key=lambda f: (-len(f), f)))
    return targets, re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-]|[’']?\w)|(?<![\w-])(?:{alternatives})(?=s\b)")


def _decorate_text(text: str, offset: int, marks: list[tuple[int, int, str, str]],
                   targets: dict[str, tuple[str, str, str | None, str | None]], pattern: re.Pattern[str] | None,
                   done: set[str]) -> str:
    """One text node, decorated; positions in marks are offsets in the whole article's text."""
    end_of_node = offset + len(text)
    local_marks = [(max(s, offset) - offset, min(e, end_of_node) - offset, s >= offset, e <= end_of_node, i, note)
                   for s, e, i, note in marks if s < end_of_node and e > offset]
    inserts: list[tuple[int, int, str, str]] = []  # (start, end, opening, closing)
    if pattern is not None:
        for m in pattern.finditer(text):
            if any(ms < m.end() and m.start() < me and not (ms <= m.start() and m.end() <= me)
                   for ms, me, *_ in local_marks):
                continue  # would cross a highlight's edge
            key, href, short, expansion = targets[m.group(0)]
            opening = closing = ""
            if key and key not in done:
                done.add(key)
                opening += f'<a class="entity" href="{html.escape(href)}">'
                closing = "</a>" + closing
            if short and "abbr:" + short not in done:
                done.add("abbr:" + short)
                opening += f'<abbr title="{html.escape(expansion or "")}">'
                closing = "</abbr>" + closing
            if opening:
                inserts.append((m.start(), m.end(), opening, closing))
    # (position, order, html): at one position a link closes, then a highlight closes, then a
    # highlight opens, then a link opens, so the tags always nest
    events: list[tuple[int, int, str]] = []
    for start, end, opening, closing in inserts:
        events.append((start, 4, opening))
        events.append((end, 1, closing))
    for start, end, first, last, note_id, note in local_marks:
        ident = f' id="{note_id}"' if first else ""
        events.append((start, 3, f'<mark class="note-anchor"{ident}>'))
        after = ""
        if last:
            after = (f'<span class="sidenote editor-note" role="note"><span class="sidenote-label">Editor’s note</span> '
                     f'{_escape(note)}</span>')
        events.append((end, 2, "</mark>" + after))
    events.sort(key=lambda e: (e[0], e[1]))
    out = []
    position = 0
    for at, _, piece in events:
        out.append(_escape(text[position:at]))
        out.append(piece)
        position = at
    out.append(_escape(text[position:]))
    return "".join(out)


def _footnotes_as_sidenotes(page: str) -> str:
    """Each footnote repeated as a sidenote after its reference; CSS shows one or the other by width."""
    if 'class="footnote-ref"' not in page:
        return page
    contents = {}
    for number, item in _FOOTNOTE_ITEM.findall(page):
        if _BLOCK.search(item):
            continue  # a list or a table can't sit in a sidenote; it stays below
        inner = _BACKREF.sub("", item).strip()
        inner = re.sub(r"</p>\s*<p>", "<br>", inner)
        contents[number] = inner.replace("<p>", "").replace("</p>", "").strip()
    all_inline = len(contents) == len(_FOOTNOTE_ITEM.findall(page))

    def add(m: re.Match[str]) -> str:
        content = contents.get(m.group(2))
        if content is None:
            return m.group(1)
        return (f'{m.group(1)}<span class="sidenote footnote-sidenote" role="note">'
                f'<span class="sidenote-number">{m.group(2)}</span> {content}</span>')

    page = _FOOTNOTE_REF.sub(add, page)
    if all_inline:
        page = page.replace('<section class="footnotes">', '<section class="footnotes has-sidenotes">', 1)
    return page
