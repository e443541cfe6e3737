"""Put an article's annotations into its rendered HTML: the first mention of each named thing
links to its page, the first use of each acronym becomes <abbr title>, editor notes highlight
their quotation (<mark>) with the note beside it, and footnotes also appear as sidenotes.

Works on the HTML our Markdown renderer made (escaped text, well-formed tags): text is only
ever changed between tags, never inside a tag or an attribute, and everything added is escaped.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import Callable, Iterable, Iterator

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
    # What can be marked once (each entity's link, each acronym's <abbr>): once all are, the rest of the text
    # is only escaped, not searched for spellings (the search was about half of decorating, profiled at 1,000 articles).
    to_do = len({key for key, _, _, _ in targets.values() if key} | {"abbr:" + s for _, _, s, _ in targets.values() if s})
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
            out.append(_decorate_text(text, offset, marks, targets, pattern if linkable and len(done) < to_do else None,
                                      done))
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


def _targets(annotations: Annotations, entity_href: Callable[[str], str]) -> tuple[dict[str, tuple[str, str, str | None, str | None]], Spellings | None]:
    """{spelling: (entity key or '', href, acronym, expansion)} and a matcher finding any spelling."""
    targets: dict[str, tuple[str, str, str | None, str | None]] = {}
    for e in annotations.entities:
        for form in e.forms:
            targets.setdefault(form, (e.key, entity_href(e.key), None, None))
    for acronym in annotations.acronyms:
        key, href, _, _ = targets.get(acronym.short, ("", "", None, None))
        targets[acronym.short] = (key, href, acronym.short, acronym.expansion)
    return targets, (Spellings(targets) if targets else None)


_WORD = re.compile(r"\w+")
_APOSTROPHES = "’'"


class Spellings:
    """Finds whole-word mentions of some spellings in a text, leftmost first and, at one place, the
    longest; a spelling may also be followed by a plural 's' ("S-400s"). Words are looked up in a
    dictionary keyed by each spelling's first word: compiling one regex alternation per article
    cost more than everything else in decorating."""

    def __init__(self, spellings: Iterable[str]) -> None:
        self.by_first_word: dict[str, list[str]] = {}
        self.odd: list[str] = []  # spellings that start with no word character: rare, found by a regex
        for form in spellings:
            first = _WORD.match(form)
            if first:
                self.by_first_word.setdefault(first.group(0), []).append(form)
            elif form:
                self.odd.append(form)
        for forms in self.by_first_word.values():
            forms.sort(key=lambda f: (-len(f), f))

    def finditer(self, text: str) -> Iterator[tuple[int, int]]:
        """(start, end) of each mention, in order, not overlapping."""
        if self.odd:
            yield from _regex_mentions(tuple(sorted([*self.odd, *(f for fs in self.by_first_word.values() for f in fs)],
                                                    key=lambda f: (-len(f), f))), text)
            return
        # Where each spelling's first word occurs at the start of a word (str.find runs in C; walking
        # every word of the text in Python was the slow part), then the longest spelling there.
        starts: dict[int, list[str]] = {}
        for first, forms in self.by_first_word.items():
            at = text.find(first)
            while at >= 0:
                if not at or not (_is_word_char(text[at - 1]) or text[at - 1] == "-"):
                    starts.setdefault(at, []).extend(forms)
                at = text.find(first, at + 1)
        taken = 0
        for start in sorted(starts):
            if start < taken:
                continue
            found = _longest_at(text, start, sorted(starts[start], key=lambda f: (-len(f), f)))
            if found:
                taken = start + len(found)
                yield start, taken


def _longest_at(text: str, start: int, candidates: list[str]) -> str | None:
    """The first of candidates (longest first) that is a whole word at start, else the first followed by a plural 's'."""
    present = [f for f in candidates if text.startswith(f, start)]
    for form in present:
        end = start + len(form)
        after = text[end:end + 1]
        if not (_is_word_char(after) or after == "-" or
                (after and after in _APOSTROPHES and _is_word_char(text[end + 1:end + 2]))):
            return form
    for form in present:
        end = start + len(form)
        if text[end:end + 1] == "s" and not _is_word_char(text[end + 1:end + 2]):
            return form
    return None


def _is_word_char(char: str) -> bool:
    return _WORD.match(char) is not None  # \w exactly as the regex module means it


@lru_cache(maxsize=64)
def _mention_pattern(forms: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(f) for f in forms)
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-]|[’']?\w)|(?<![\w-])(?:{alternatives})(?=s\b)")


def _regex_mentions(forms: tuple[str, ...], text: str) -> Iterator[tuple[int, int]]:
    for m in _mention_pattern(forms).finditer(text):
        yield m.start(), m.end()


def _decorate_text(text: str, offset: int, marks: list[tuple[int, int, str, str]],
                   targets: dict[str, tuple[str, str, str | None, str | None]], pattern: Spellings | None,
                   done: set[str]) -> str:
    """One text node, decorated; positions in marks are offsets in the whole article's text."""
    end_of_node = offset + len(text)
    local_marks = [(max(s, offset) - offset, min(e, end_of_node) - offset, s >= offset, e <= end_of_node, i, note)
                   for s, e, i, note in marks if s < end_of_node and e > offset]
    inserts: list[tuple[int, int, str, str]] = []  # (start, end, opening, closing)
    if pattern is not None:
        for start, end in pattern.finditer(text):
            if any(ms < end and start < me and not (ms <= start and end <= me) for ms, me, *_ in local_marks):
                continue  # would cross a highlight's edge
            key, href, short, expansion = targets[text[start:end]]
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
                inserts.append((start, end, opening, closing))
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
