"""Strip a plain-text article: line rules, the article's region, its header and tail, then its body.

Every line that leaves the body leaves with the name of its rule, in order, so nothing is lost:
the page's `removed:` list and `digest strip --explain` show them, and `keep:` brings one back.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from digest.errors import Diagnostic, warning
from digest.model import RemovedLine, StrippedArticle
from digest.stages.strip.metadata import byline, clean_url, clean_urls_in, date_line, split_dateline
from digest.stages.strip.normalize import drop_placeholders, normalize_text
from digest.stages.strip.options import KnownMeta, StripOptions
from digest.stages.strip.region import LIST_ITEM, looks_like_page_dump, main_region, prose_weight
from digest.stages.strip.rules import AUTHOR_BIO, SOCIAL_LINK, SOURCE_LINE, LineRules, has_social_link, promo_title, word_count
from digest.stages.strip.social import MAX_POST_LINES, as_quote, has_social_marks, post_signature
from digest.stages.strip.topic import off_topic_tail

_TEASER_ENDS = ("...", "…")
_SENTENCE_INSIDE = re.compile(r"[.!?]\s+\S")
_TITLE_SEPARATORS = re.compile(r"\s+(?:\||–|—|-|::|»)\s+")
_CATEGORY = re.compile(r"^[\w&'’/ -]{2,40}$")
_BLOCK_START = re.compile(r"^(?:#{1,6}\s|>|[-+*]\s|\d{1,9}[.)]\s|={3,}|-{3,}|`{3,}|~{3,}|\|)")
_INLINE_SPECIAL = re.compile(r"([\\`*\[\]<>]|(?<!\w)_|_(?!\w))")
_MAY_NEED_ESCAPE = re.compile(r"[\\`*\[\]<>_]")  # a quick test for _INLINE_SPECIAL, which is slow to scan with
# Rules whose lines are furniture of the page itself: a comment form marks where the article ended.
_COMMENT_SECTION = {"comment-prompt"}
_LIST_ITEM_WEIGHT = 0.5


@dataclass
class _Line:
    """One non-empty line while strip works on it (mutable only inside this module)."""

    number: int
    text: str
    rule: str | None = None  # why the line left the body; None while it is article text
    quote: int | None = None  # the embedded post this line belongs to
    social: bool = False  # carried a social link or a lost-emoji run: a post's line
    weight: float = 0.0
    date: str | None = None  # the date of a date line
    byline: tuple[str | None, str | None] | None = None  # (author, source) of a byline


@dataclass
class _Meta:
    title: str | None = None
    date: str | None = None
    date_inferred: bool = False
    summary: str | None = None
    dateline: str | None = None
    author: str | None = None
    source: str | None = None
    url: str | None = None
    tags: list[str] = field(default_factory=list)
    see_also: list[str] = field(default_factory=list)
    fragments: list[tuple[int, RemovedLine]] = field(default_factory=list)  # (line, part of a kept line cut out)
    post_dates: list[str] = field(default_factory=list)


def strip_text(text: str, path: str, options: StripOptions = StripOptions(), known: KnownMeta = KnownMeta(),
               extracted: bool = False) -> StrippedArticle:
    """The article in text (a pasted article, a whole page saved as text, or an extractor's output) and its metadata.

    known is what an extractor already read from the page (HTML); the text's own lines fill the gaps.
    extracted says an extractor already cut the article out of its page: no region is looked for.
    """
    lines = [_Line(n, line) for n, line in enumerate(normalize_text(text).split("\n"), start=1) if line]
    meta = _Meta(title=known.title, date=known.date, author=known.author, source=known.source,
                 url=clean_url(known.url) if known.url else None, summary=known.summary, tags=list(known.tags))
    rules = LineRules(options.boilerplate)
    _apply_line_rules(lines, rules, meta)
    _gather_posts(lines, meta)
    for line in lines:
        line.weight = prose_weight(line.text) if line.rule is None else -3.0
    _weigh_announced_lists(lines)
    dump = not extracted and looks_like_page_dump([line.weight for line in lines if line.rule is None])
    if dump:
        _keep_main_region(lines)
    _read_header(lines, meta, dump)
    _drop_repeated_lines(lines)
    _cut_comment_section(lines)
    _cut_off_topic_tail(lines)
    _drop_author_bio(lines)
    _restore_kept(lines, options.keep, meta)
    _read_dateline(lines, meta)
    date_problems = _date_diagnostics(meta, path)
    body = _body(lines)
    diagnostics = date_problems if body.strip() else []  # an empty article's date is not the news
    if not body.strip():
        diagnostics.append(warning(path, "nothing of an article is left after stripping: every line looked like boilerplate",
                                   hint="check the source; add a `keep:` entry to the page to bring a line back"))
    removed = [item for _, item in sorted([(line.number, RemovedLine(line.text, line.rule)) for line in lines
                                           if line.rule is not None] + meta.fragments, key=lambda pair: pair[0])]
    return StrippedArticle(
        source_path=path, title=meta.title or _fallback_title(path), body=body, date=meta.date,
        date_inferred=meta.date_inferred, summary=meta.summary, dateline=meta.dateline, author=meta.author,
        source=meta.source, url=meta.url, tags=tuple(dict.fromkeys(meta.tags)), see_also=tuple(dict.fromkeys(meta.see_also)),
        removed=tuple(removed), keep=options.keep, diagnostics=tuple(diagnostics),
    )


def _apply_line_rules(lines: list[_Line], rules: LineRules, meta: _Meta) -> None:
    """Mark furniture lines with their rule; cut lost-emoji runs and picture links out of kept ones."""
    for line in lines:
        cleaned = drop_placeholders(line.text)
        if cleaned != line.text:
            line.social = True
            if not cleaned:
                line.rule = "placeholder"
                continue
            meta.fragments.append((line.number, RemovedLine(_lost(line.text, cleaned), "placeholder")))
            line.text = cleaned
        title = promo_title(line.text)
        if title is not None:
            line.rule = "promo"
            meta.see_also.append(title)
            continue
        rule = rules.boilerplate(line.text)
        if rule is not None:
            line.rule = rule
            continue
        if has_social_link(line.text):
            cleaned = SOCIAL_LINK.sub("", line.text).strip()
            meta.fragments.append((line.number, RemovedLine(_lost(line.text, cleaned), "social-link")))
            line.text = cleaned
            line.social = True
        if line.text.rstrip().endswith(_TEASER_ENDS) and word_count(line.text) <= 15 and not _SENTENCE_INSIDE.search(line.text):
            line.rule = "teaser"
        elif post_signature(line.text) is not None:
            continue
        elif (day := date_line(line.text)) is not None:
            line.rule, line.date = "date-line", day
        elif (found := byline(line.text)) is not None:
            line.rule, line.byline = "byline", found
        elif (source := SOURCE_LINE.match(line.text)) is not None:
            line.rule, line.byline = "source-line", (None, source.group("source"))


def _gather_posts(lines: list[_Line], meta: _Meta) -> None:
    """Turn "— Name (@handle) date" signatures and the post lines above them into quotes."""
    group = 0
    for i, line in enumerate(lines):
        if line.rule is not None:
            continue
        found = post_signature(line.text)
        if found is None:
            continue
        signature, written_date = found
        if signature.date:
            meta.post_dates.append(signature.date)
        post = []
        for above in reversed(lines[max(0, i - MAX_POST_LINES):i]):
            if above.rule is not None or above.quote is not None or not (above.social or has_social_marks(above.text)):
                break
            post.append(above)
        if not post:
            line.rule = "social-signature"
            continue
        group += 1
        for member in post:
            member.quote = group
        line.quote = group
        line.text = signature.attribution(written_date)


def _weigh_announced_lists(lines: list[_Line]) -> None:
    """A list announced by a line ending in a colon ("Tour dates:") belongs to the article, however short its items.

    Its items are the run of short lines after the colon that begin alike (all with a word, or all
    with a number); they get a small positive weight so the article's region reaches over them.
    """
    for i, line in enumerate(lines[:-3]):
        if line.rule is not None or not line.text.endswith(":") or word_count(line.text) < 3:
            continue
        items = []
        shape = _opening_shape(lines[i + 1].text)
        for item in lines[i + 1:]:
            if item.rule is not None or item.weight >= 10 or _opening_shape(item.text) != shape:
                break
            items.append(item)
        if len(items) >= 3:
            for item in [line, *items]:
                item.weight = max(item.weight, _LIST_ITEM_WEIGHT)


def _opening_shape(text: str) -> str:
    """The shape of a list item: numbered, or how it begins and which separators it uses ("June 9 -- Hall, City")."""
    first = text[:1]
    if first.isdigit():
        return "number"
    separators = "".join(sep for sep in (" -- ", " – ", " — ", " - ", ": ", ", ", " @ ", " | ") if sep in text)
    return ("upper" if first.isupper() else "lower" if first.isalpha() else first) + separators


def _keep_main_region(lines: list[_Line]) -> None:
    """In a whole-page dump, remove what lies outside the article's region, and link lists inside it."""
    start, end = main_region([line.weight for line in lines])
    for i, line in enumerate(lines):
        if line.rule is None and not start <= i < end:
            line.rule = "outside-article"
    run: list[_Line] = []
    for candidate in [*lines[start:end], None]:
        if candidate is not None and candidate.rule is None and candidate.weight < 0 and candidate.quote is None \
                and not LIST_ITEM.match(candidate.text):
            run.append(candidate)
            continue
        if len(run) >= 3:
            for member in run:
                member.rule = "link-list"
        run = []


def _read_header(lines: list[_Line], meta: _Meta, dump: bool) -> None:
    """Take the title, date, byline, category label and standfirst from the lines around the body's start."""
    body_start = next((i for i, line in enumerate(lines)
                       if line.rule is None and line.weight > 0 and word_count(line.text) >= 15), len(lines))
    _read_date_and_byline(lines, meta, body_start)
    rest = [i for i in range(body_start) if lines[i].rule in (None, "outside-article")]
    if dump:  # menus come first; the headline block sits just above the body
        rest = rest[-8:]
    if meta.title:  # the extractor knew it: only a line repeating it is the headline
        title_at = next((i for i in rest if _same_text(_clean_title(lines[i].text), _clean_title(meta.title))), None)
    elif dump:
        candidates = [i for i in rest if 4 <= word_count(lines[i].text) <= 30]
        title_at = candidates[-1] if candidates else None
    else:
        title_at = rest[0] if rest and word_count(lines[rest[0]].text) <= 30 else None
    if title_at is not None:
        meta.title = meta.title or _clean_title(lines[title_at].text)
        lines[title_at].rule = "title"
    for i in rest:
        line = lines[i]
        if i == title_at:
            continue
        if meta.title and (_same_text(line.text, meta.title) or _same_text(_clean_title(line.text), meta.title)):
            line.rule = "repeated-title"
        elif line.rule is None and title_at is not None and i > title_at and _is_category(line.text):
            meta.tags.append(line.text)
            line.rule = "category"
    # The first paragraph under the headline may be a standfirst, or a repeat of the headline.
    after_title = [line for line in lines[(title_at or 0) + 1:] if line.rule is None][:3]
    for line in after_title:
        if meta.title and _same_text(line.text, meta.title):
            line.rule = "repeated-title"
    if title_at is not None and meta.summary is None:
        first = next((i for i in range(title_at + 1, len(lines)) if lines[i].rule is None), None)
        if first is not None and _is_standfirst(lines, first):
            meta.summary = lines[first].text
            lines[first].rule = "standfirst"


def _read_date_and_byline(lines: list[_Line], meta: _Meta, body_start: int) -> None:
    """The article's date and author: from the date line and byline nearest the start of its body."""
    def nearest(found: list[int]) -> int | None:
        before = [i for i in found if i < body_start]
        return before[-1] if before else (found[0] if found else None)

    dated = nearest([i for i, line in enumerate(lines) if line.date])
    if dated is not None and meta.date is None:
        meta.date = lines[dated].date
    for field_at, name in ((0, "author"), (1, "source")):
        signed = nearest([i for i, line in enumerate(lines) if line.byline and line.byline[field_at]])
        if signed is not None and getattr(meta, name) is None:
            setattr(meta, name, (lines[signed].byline or (None, None))[field_at])


def _drop_repeated_lines(lines: list[_Line]) -> None:
    """A line the page just showed (a caption printed twice, a headline above its own teaser) goes.

    Only a repeat within a few lines: recipes and lists repeat lines on purpose, further apart.
    """
    recent: list[str] = []
    for line in lines:
        key = line.text.casefold()
        if line.rule is None and key in recent and word_count(line.text) >= 4:
            line.rule = "repeated-line"
        recent = [*recent[-2:], key]


def _is_category(text: str) -> bool:
    """A section label like "India Defense": one to four capitalised words, no sentence punctuation."""
    words = text.split()
    return bool(_CATEGORY.match(text)) and 1 <= len(words) <= 4 and all(w[:1].isupper() or not w[:1].isalpha() for w in words)


def _is_standfirst(lines: list[_Line], i: int) -> bool:
    """A one-sentence subtitle between the headline and a share bar, date or byline, with the body after."""
    text = lines[i].text
    if not 5 <= word_count(text) <= 45 or _SENTENCE_INSIDE.search(text.rstrip(".!?")):
        return False
    after = lines[i + 1:i + 3]
    return bool(after) and after[0].rule in ("print-share", "follow-subscribe", "date-line", "byline") and any(
        line.rule is None and line.weight >= 10 for line in lines[i + 1:i + 4])


def _cut_comment_section(lines: list[_Line]) -> None:
    """Everything after a comment prompt that closes the article ("Leave a Reply", "3 Comments") is comments.

    A prompt closes the article once half its prose, or 150 words of it, came before: long comment
    threads can outweigh the article itself.
    """
    total = sum(max(line.weight, 0) for line in lines if line.rule is None)
    seen = 0.0
    for i, line in enumerate(lines):
        if line.rule is None:
            seen += max(line.weight, 0)
        elif line.rule in _COMMENT_SECTION and total and seen >= min(0.5 * total, 150):
            for after in lines[i + 1:]:
                if after.rule is None:
                    after.rule = "comment-section"
            return


def _cut_off_topic_tail(lines: list[_Line]) -> None:
    kept = [line for line in lines if line.rule is None and line.quote is None]
    for line in kept[len(kept) - off_topic_tail([line.text for line in kept]):]:
        line.rule = "off-topic"


def _drop_author_bio(lines: list[_Line]) -> None:
    """"Jane Roe is a reporter covering ..." after the article: the author's biography, not the article."""
    kept = [line for line in lines if line.rule is None]
    for line in kept[-4:]:
        if AUTHOR_BIO.match(line.text):
            line.rule = "author-bio"


def _restore_kept(lines: list[_Line], keep: tuple[str, ...], meta: _Meta) -> None:
    """Lines the editor listed under `keep:` go back into the body, whatever rule removed them."""
    wanted = {_fold(k) for k in keep}
    if not wanted:
        return
    for line in lines:
        if line.rule is not None and _fold(line.text) in wanted:
            if line.rule == "promo":
                title = promo_title(line.text)
                meta.see_also = [t for t in meta.see_also if t != title]
            line.rule = None


def _read_dateline(lines: list[_Line], meta: _Meta) -> None:
    first = next((line for line in lines if line.rule is None and line.quote is None), None)
    if first is None or meta.dateline:
        return
    place, rest = split_dateline(first.text)
    if place:
        meta.dateline = place
        meta.fragments.append((first.number, RemovedLine(first.text[:len(first.text) - len(rest)].strip(), "dateline")))
        first.text = rest


def _date_diagnostics(meta: _Meta, path: str) -> list[Diagnostic]:
    if meta.date:
        return []
    if meta.post_dates:
        meta.date = max(meta.post_dates)
        meta.date_inferred = True
        return [warning(path, f"no publication date in the article; {meta.date} was inferred from an embedded post",
                        hint="check it and set `date:` in the page (then remove `date_inferred`)")]
    return [warning(path, "no publication date found in the article", hint="set `date: YYYY-MM-DD` in the page")]


def _body(lines: list[_Line]) -> str:
    """The kept lines as Markdown paragraphs; embedded posts as blockquotes."""
    blocks: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.rule is not None:
            i += 1
            continue
        if line.quote is not None:
            members = []
            while i < len(lines) and lines[i].quote == line.quote:
                if lines[i].rule is None:
                    members.append(escape_markdown(lines[i].text))
                i += 1
            blocks.append(as_quote(members[:-1], members[-1]))
            continue
        blocks.append(escape_markdown(clean_urls_in(line.text)))
        i += 1
    return "\n\n".join(blocks)


def escape_markdown(text: str) -> str:
    """text as a Markdown paragraph that renders as the same text: no markup from a scraped page takes effect."""
    if _MAY_NEED_ESCAPE.search(text):
        text = _INLINE_SPECIAL.sub(r"\\\1", text)
    if _BLOCK_START.match(text):
        text = "\\" + text if not text[0].isdigit() else re.sub(r"^(\d+)([.)])", r"\1\\\2", text)
    return text


def _clean_title(text: str) -> str:
    """A headline without the site name a page title adds ("Headline | Site", "Headline - Site")."""
    parts = _TITLE_SEPARATORS.split(text)
    if len(parts) > 1:
        longest = max(parts, key=len)
        if all(word_count(p) <= 4 for p in parts if p is not longest):
            return longest.strip()
    return text.strip()


def _lost(before: str, after: str) -> str:
    """The words of before that after no longer has (what a fragment rule cut out of a line)."""
    kept = Counter(after.split())
    lost = []
    for word in before.split():
        if kept[word]:
            kept[word] -= 1
        else:
            lost.append(word)
    return " ".join(lost) or before


def _same_text(a: str, b: str | None) -> bool:
    return b is not None and _fold(a) == _fold(b)


def _fold(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def _fallback_title(path: str) -> str:
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return stem.replace("_", " ").replace("-", " ").strip() or "Untitled"
