"""The data model: one frozen type per stage boundary.

    Source --strip--> StrippedArticle --convert--> page file (Markdown + front matter)
    page file --read--> Document --annotate--> Annotations
    [Document] --link--> Links
    Site (documents + annotations + links + config) --render--> {output path: bytes}

Per-article stages (strip, convert, annotate, Markdown rendering) see one article at a time
and can run in any order or in parallel; link sees the whole corpus and runs once after.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from digest.errors import Diagnostic

SourceKind = Literal["text", "html", "markdown"]


# --- ingest -----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Source:
    """A raw article as read from content/sources/, decoded to text."""

    path: str  # posix path relative to the digest root, e.g. content/sources/x.txt
    kind: SourceKind
    text: str
    sha256: str  # of the raw bytes: the cache key of everything derived from this source
    diagnostics: tuple[Diagnostic, ...] = ()


# --- strip ------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class RemovedLine:
    """A line strip took out, and the rule that took it (shown by `digest strip --explain`)."""

    text: str
    rule: str


@dataclass(frozen=True, slots=True)
class StrippedArticle:
    """An article with its boilerplate removed and its metadata read from the text."""

    source_path: str
    title: str
    body: str  # Markdown
    date: str | None = None  # ISO 8601: YYYY-MM-DD or a full timestamp
    date_inferred: bool = False
    summary: str | None = None
    dateline: str | None = None
    author: str | None = None
    source: str | None = None  # the outlet
    url: str | None = None
    tags: tuple[str, ...] = ()
    see_also: tuple[str, ...] = ()
    removed: tuple[RemovedLine, ...] = ()
    keep: tuple[str, ...] = ()  # the editor's `keep:` entries this strip honoured, written back to the page
    diagnostics: tuple[Diagnostic, ...] = ()


# --- pages ------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Note:
    """An editor's note anchored to a quotation (W3C Web Annotation TextQuoteSelector)."""

    quote: str
    note: str
    prefix: str = ""
    suffix: str = ""


def encode_text(text: str) -> bytes:
    """text as UTF-8, lone surrogates (from undecodable bytes of a source) included: they decode back the same."""
    return text.encode("utf-8", "surrogatepass")


@dataclass(frozen=True, slots=True)
class Document:
    """A Markdown page of content/articles/, front matter read and checked."""

    path: str  # posix, relative to the digest root
    slug: str
    title: str
    date: str  # ISO 8601 date or timestamp
    body_utf8: bytes  # the Markdown body (`body`), held encoded, as Article's HTML is (Article.html_utf8)
    body_line: int = 1  # line of the file where the body starts, for diagnostics
    date_inferred: bool = False
    summary: str | None = None
    dateline: str | None = None
    author: str | None = None
    source: str | None = None
    url: str | None = None
    tags: tuple[str, ...] = ()
    see_also: tuple[str, ...] = ()
    notes: tuple[Note, ...] = ()
    draft: bool = False
    source_file: str | None = None  # the raw source it was generated from; None when hand-written
    extra: tuple[tuple[str, object], ...] = ()  # front matter keys digest does not know, kept for themes

    @property
    def body(self) -> str:
        return self.body_utf8.decode("utf-8", "surrogatepass")

    @property
    def from_source(self) -> bool:
        """Generated from a scraped source: its text is untrusted."""
        return self.source_file is not None


# --- annotate ---------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class EntityRef:
    """A named thing an article mentions, by its canonical name (aliases already merged)."""

    key: str  # a slug of the canonical name: the entity's page is entities/<key>/
    name: str  # canonical name, e.g. "Vladimir Putin", "S-400"
    kind: str  # person | organisation | place | system | other
    count: int = 1  # mentions in this article
    forms: tuple[str, ...] = ()  # the spellings this article uses, longest first (to link the first mention)


@dataclass(frozen=True, slots=True)
class DatedEvent:
    """A statement tied to a date: the raw material of story timelines."""

    date: str  # ISO 8601, as precise as the text: 2019, 2021-12 or 2021-12-06
    text: str  # the sentence that states it
    slug: str = ""  # the article it comes from


@dataclass(frozen=True, slots=True)
class Figure:
    """A number the article states: money, a quantity with its unit, or a percentage."""

    text: str  # as written: "$5.4 billion", "70,000 AK rifles", "29%"
    kind: str  # money | quantity | percent
    value: float  # normalised: $5.4 billion -> 5.4e9
    unit: str  # currency code (USD, EUR...), the counted noun ("rifles", "kilometers") or "%"
    sentence: str


@dataclass(frozen=True, slots=True)
class Quote:
    """Direct speech and who said it."""

    text: str  # the words inside the quotation marks
    speaker: str  # a name ("Sergei Lavrov") or, when no name is given, the phrase used ("a spokesperson")
    speaker_key: str = ""  # the speaker's entity key when the speaker is a named entity


@dataclass(frozen=True, slots=True)
class Acronym:
    """An acronym the article uses, with its expansion."""

    short: str  # "CAATSA"
    expansion: str  # "Countering America's Adversaries Through Sanctions Act"
    defined: bool = True  # spelled out by the article itself; False when taken from the config glossary


@dataclass(frozen=True, slots=True)
class AnchoredNote:
    """An editor's front-matter note and whether its quotation still matches the article's text."""

    note: Note
    id: str  # "note-1": the fragment of the highlighted quotation on the article page
    anchored: bool  # False: the quotation is no longer in the text (an orphaned note)


@dataclass(frozen=True, slots=True)
class Annotations:
    """What the annotate stage found in one article (filled in by digest.stages.annotate)."""

    entities: tuple[EntityRef, ...] = ()
    events: tuple[DatedEvent, ...] = ()
    figures: tuple[Figure, ...] = ()
    quotes: tuple[Quote, ...] = ()
    acronyms: tuple[Acronym, ...] = ()
    notes: tuple[AnchoredNote, ...] = ()


@dataclass(frozen=True, slots=True)
class FigureSource:
    """A figure and the article that states it."""

    slug: str
    figure: Figure


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """Two articles of one story giving different figures for what looks like the same thing."""

    question: str  # worded for the editor to judge, never as a verdict
    first: FigureSource
    second: FigureSource


@dataclass(frozen=True, slots=True)
class EntityEntry:
    """A named thing across the digest: what its page entities/<key>/ shows."""

    key: str
    name: str
    kind: str
    aliases: tuple[str, ...]  # every other spelling seen
    articles: tuple[str, ...]  # slugs of the articles that mention it, newest first


@dataclass(frozen=True, slots=True)
class GlossaryEntry:
    short: str
    expansion: str
    articles: tuple[str, ...]  # slugs, newest first


@dataclass(frozen=True, slots=True)
class AnnotationIndex:
    """The annotations of the whole digest: entity pages, the glossary and discrepancies."""

    entities: tuple[EntityEntry, ...] = ()
    glossary: tuple[GlossaryEntry, ...] = ()
    discrepancies: tuple[Discrepancy, ...] = ()


# --- link -------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Related:
    """Another article worth reading next to this one, and why."""

    slug: str
    score: float  # 0..1: named things and words in common, lowered by distance in time
    reasons: tuple[str, ...] = ()  # what they share, strongest first: ("S-400", "Lavrov", "CAATSA")
    duplicate: bool = False  # the same report, from another outlet


@dataclass(frozen=True, slots=True)
class Reference:
    """A "Read More" line of an article (its `see_also`): a link when it names an article of the digest."""

    text: str
    slug: str | None = None  # the article it names; None: mentioned elsewhere, shown unlinked


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """A dated line of a story's timeline: an event an article mentions, or an article's publication."""

    date: str  # ISO 8601 as precise as known; "" for an undated article
    text: str
    slug: str  # the article it comes from
    kind: Literal["event", "published"] = "event"


@dataclass(frozen=True, slots=True)
class Story:
    """Articles about one unfolding story."""

    id: str  # the slug of its earliest article: adding a later article never renames a story
    title: str  # generated from the strongest shared names, or config linking.story_titles[id]
    articles: tuple[str, ...]  # slugs, date order (undated last)
    timeline: tuple[TimelineEntry, ...] = ()  # date order; never empty
    entries: tuple[tuple[str, ...], ...] = ()  # articles grouped by near-duplicates, date order
    terms: tuple[str, ...] = ()  # the names its articles share most, strongest first


@dataclass(frozen=True, slots=True)
class Links:
    """Whole-corpus connections between articles (filled in by digest.stages.link)."""

    related: dict[str, tuple[Related, ...]] = field(default_factory=dict)  # slug -> best first
    stories: tuple[Story, ...] = ()  # newest story first
    story_of: dict[str, str] = field(default_factory=dict)  # slug -> story id
    references: dict[str, tuple[Reference, ...]] = field(default_factory=dict)  # slug -> its see_also lines
    duplicates: dict[str, tuple[str, ...]] = field(default_factory=dict)  # slug -> near-duplicate slugs
    moved_stories: dict[str, str] = field(default_factory=dict)  # old story id -> the id of the story it merged into


# --- render -----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Article:
    """A document ready to render: its body as HTML and its annotations."""

    doc: Document
    # The body's HTML (`html`), held encoded: one curly quote or dash makes a str take 2 bytes a character, and
    # every article of the digest is held until the site is made (1.2 GB of HTML at 100,000 articles; 0.6 as UTF-8).
    html_utf8: bytes
    annotations: Annotations = Annotations()
    description: str = ""  # for search engines and lists: worked out once, cached (digest.stages.render.describe)

    @staticmethod
    def of(doc: Document, html: str, annotations: Annotations = Annotations(), description: str = "") -> Article:
        return Article(doc, encode_text(html), annotations, description)

    @property
    def html(self) -> str:
        return self.html_utf8.decode("utf-8", "surrogatepass")



@dataclass(frozen=True, slots=True)
class Site:
    """Everything the render stage needs; articles newest first."""

    articles: tuple[Article, ...]
    links: Links = Links()
    annotations: AnnotationIndex = AnnotationIndex()  # entity pages, glossary, discrepancies


class Keep:
    """In place of an output file's bytes: keep the live site's file, which the build knows is still right."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP = Keep()
