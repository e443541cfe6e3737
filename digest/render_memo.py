"""Render only the pages a change touches, and know it is safe to skip the others.

A page's output is a function of its template (and what it includes), the config, the values
passed to it (its context) and what the template looks up while it renders: an article by slug,
the story of an article, its related pieces, the articles of a tag, outlet or month, the whole
site. Rendering a page records those lookups as dependencies ("a:<slug>", "o:<slug>", "d:<slug>",
"g:<group path>", or "site" for anything reached through `site`), and the page's key is a hash of
the theme, the config, its context and the current value of each dependency. The next build
recomputes the key from the dependencies recorded last time; when it is the same, the page would
render to the same bytes, and the live output's file (checked untouched since it was written) is
kept as it is. Feeds are kept the same way, keyed by their newest articles.

So a changed article re-renders itself and exactly the pages whose context holds it (the list
page of its tag, outlet or month that shows it, its neighbours) or that looked it up (related
pieces, stories, entity pages); a list page sees its group's name, path and size, and depends on
the group's articles only when its template reads them. A template or config change re-renders
every page. A page that read anything through `site` depends on everything and is rendered every
time. The parts of digest.json's lists are kept the same way, keyed by the values they hold.
Correctness does not rest on knowing which template reads what: tests/test_incremental.py holds
every incremental build equal, byte for byte, to a clean one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache as memoize
from pathlib import Path
from typing import Any, Callable

import msgspec
from markupsafe import Markup

from digest.cache import code_fingerprint, decode, save_json
from digest.config import Config
from digest.link_lookups import discrepancies_by_article
from digest.interning import ByIdentity
from digest.listing import Group
from digest.model import Article, Discrepancy, Document, EntityEntry, GlossaryEntry, Site, Story

RECORD = "render-memo.json"
SITE = "site"  # the dependency of a page that read the site as a whole: never reused
_FORMAT = 3


class Uncacheable(Exception):
    """A context value the memo cannot fingerprint: the page is rendered every time."""


class Recorder:
    """The dependencies of the page being rendered."""

    def __init__(self) -> None:
        self.deps: set[str] = set()

    def add(self, dep: str) -> None:
        # One string per dependency, not one per page that has it: the pages of 10,000 articles record
        # 250,000 dependencies on about 20,000 names, and their sets are kept for the next build.
        self.deps.add(sys.intern(dep))


class TrackedSite:
    """The site as templates see it: reading any part of it makes the page depend on everything."""

    __slots__ = ("_site", "_recorder")

    def __init__(self, site: Site, recorder: Recorder) -> None:
        object.__setattr__(self, "_site", site)
        object.__setattr__(self, "_recorder", recorder)

    def __getattr__(self, name: str) -> Any:
        self._recorder.add(SITE)
        return getattr(self._site, name)


class TrackedArticles(Mapping[str, Article]):
    """{slug: article} for templates: a lookup depends on that article, a walk over all on the site."""

    def __init__(self, by_slug: Mapping[str, Article], recorder: Recorder) -> None:
        self._by_slug = by_slug
        self._recorder = recorder

    def __getitem__(self, slug: str) -> Article:
        self._recorder.add("a:" + slug)
        return self._by_slug[slug]

    def __contains__(self, slug: object) -> bool:
        self._recorder.add(f"a:{slug}")
        return slug in self._by_slug

    def __iter__(self) -> Iterator[str]:
        self._recorder.add(SITE)
        return iter(self._by_slug)

    def __len__(self) -> int:
        self._recorder.add(SITE)
        return len(self._by_slug)


class TrackedGroup:
    """A tag, outlet or month (digest.listing.Group) as templates see it: its name, path and number of articles
    are part of the page's key, and reading its articles makes the page depend on all of them ("g:<path>").
    So a list page is not rendered again for a change to an article it neither shows nor counts."""

    __slots__ = ("name", "path", "articles", "_members")

    def __init__(self, group: Group, recorder: Recorder) -> None:
        self.name = group.name
        self.path = group.path
        self.articles = TrackedMembers(group, recorder)
        self._members = group.articles  # for the memo, which hashes them only when a page read them


class TrackedMembers(Sequence[Article]):
    """A group's articles for templates: counting them is part of the page's key, reading one records "g:<path>"."""

    def __init__(self, group: Group, recorder: Recorder) -> None:
        self._group = group
        self._recorder = recorder

    def __len__(self) -> int:
        return len(self._group.articles)

    def __getitem__(self, index: Any) -> Any:  # Sequence's other methods, iteration and `in`, come through here
        self._recorder.add("g:" + self._group.path)
        return self._group.articles[index]

    def __iter__(self) -> Iterator[Article]:
        self._recorder.add("g:" + self._group.path)
        return iter(self._group.articles)


# Every field of a Document but its body, which is hashed on its own (by identity, see ByIdentity).
_DOCUMENT_FIELDS = tuple(f.name for f in dataclasses.fields(Document) if f.name != "body_utf8")


class Fingerprints:
    """The current value of each kind of dependency, as a hash, worked out once per build."""

    def __init__(self, site: Site, values: ByIdentity[str] | None = None) -> None:
        self.site = site
        self.values = values if values is not None else ByIdentity()  # hashes of bodies, HTML, annotations, stories ...
        self.by_slug = {a.doc.slug: a for a in site.articles}
        self.stories = {s.id: s for s in site.links.stories}
        self._articles: dict[str, str] = {}
        self._discrepancies = discrepancies_by_article(site)
        self._values: dict[str, str] = {}  # by dependency
        self.groups: dict[str, tuple[Article, ...]] = {}  # {path: articles} of the groups the pages so far showed

    def article(self, slug: str) -> str:
        found = self._articles.get(slug)
        if found is None:
            article = self.by_slug.get(slug)
            links = self.site.links
            found = "-" if article is None else _hash("\0".join((
                self._content(article), self.values.of(links.related.get(slug, ()), _value_hash),
                repr((links.references.get(slug), links.duplicates.get(slug), links.story_of.get(slug))))))
            self._articles[slug] = found
        return found

    def _content(self, article: Article) -> str:
        """A hash of everything the article holds: its document, HTML, annotations and description."""
        doc = article.doc
        return "\0".join((self.values.of(doc, _fields_hash), self.values.of(doc.body_utf8, _hash_bytes),
                          self.values.of(article.html_utf8, _hash_bytes), self.values.of(article.annotations, _value_hash),
                          repr(article.description)))

    def story(self, story: Story | None) -> str:
        if story is None:
            return "-"
        return self.values.of(story, _value_hash)

    def discrepancies(self, slug: str) -> str:
        found = self._discrepancies.get(slug)
        return "-" if found is None else _digest(*(self.values.of(d, _value_hash) for d in found))

    def value(self, dep: str) -> str:
        """The current value of a dependency a page recorded; Uncacheable for one that cannot have a value."""
        found = self._values.get(dep)
        if found is None:
            found = self._values[dep] = self._value(dep)
        return found

    def _value(self, dep: str) -> str:
        kind, _, name = dep.partition(":")
        if kind == "a":
            return self.article(name)
        if kind == "o":  # the story an article belongs to
            story_id = self.site.links.story_of.get(name)
            return self.story(self.stories.get(story_id) if story_id else None)
        if kind == "d":
            return self.discrepancies(name)
        if kind == "g" and name in self.groups:  # a group the page's context holds (RenderMemo._token made it known)
            return _digest(*(self.article(a.doc.slug) for a in self.groups[name]))
        raise Uncacheable(dep)  # SITE, or a dependency of another version


PageKeys = dict[str, tuple[str, tuple[str, ...]]]  # {output path: (key, dependencies)}


@dataclass(frozen=True)
class LastRender:
    """What the last build's render left to the next: page keys, good while its output is untouched; in digest serve
    also the atoms of each page (what its context holds and its template looked up: RenderMemo.atoms)."""

    keys: PageKeys = field(default_factory=dict)
    atoms: dict[str, frozenset[str]] = field(default_factory=dict)


class RenderMemo:
    """Keys of the pages of the last build; decides per page whether its live file can be kept."""

    def __init__(self, base: str, last: LastRender, fingerprints: Fingerprints, changed: frozenset[str] | None = None,
                 atoms: bool = False) -> None:
        self.base = base  # theme, code and config: a change there changes every key
        self.previous = last.keys  # of pages whose live file is as the key says
        self.fingerprints = fingerprints
        self.keys: PageKeys = {}  # this build's
        # Given what changed since the last render, as atoms (changed_atoms), a page none of whose atoms changed is
        # kept without working out its key; atoms=True records each page's atoms for the next build (digest serve).
        self.changed = changed
        self.last_atoms = last.atoms
        self.atoms: dict[str, frozenset[str]] | None = {} if atoms else None
        # Hashes of values shared by many pages (a tag's articles, for each of its pages), for this build only:
        # their tokens hold articles' fingerprints, which the next build works out again.
        self._shared: ByIdentity[str] = ByIdentity()

    def last(self) -> LastRender:
        """What this build leaves to the next."""
        return LastRender(self.keys, self.atoms or {})

    def unchanged(self, path: str) -> bool:
        """True, with the page's key and atoms carried over, when none of the atoms of path changed since the last
        render, whose key for it still stands: then the page is what it was, without its context hashed."""
        if self.changed is None or path not in self.previous:
            return False
        atoms = self.last_atoms.get(path)
        if atoms is None or not atoms.isdisjoint(self.changed):
            return False
        self.keys[path] = self.previous[path]
        if self.atoms is not None:
            self.atoms[path] = atoms
        return True

    def note_atoms(self, path: str, context: dict[str, Any], deps: Iterable[str]) -> None:
        """Record the atoms of the page at path: those its context holds, and what its template looked up."""
        if self.atoms is not None:
            found = set(deps)
            for value in context.values():
                _atoms_in(value, found)
            if any(dep.startswith("g:") for dep in found):  # a group's articles: not an atom changed_atoms knows
                found.add(SITE)
            self.atoms[path] = frozenset(found)

    def context_hash(self, template: str, context: dict[str, Any]) -> str | None:
        """A hash of the template's name and the values passed to it; None when one cannot be fingerprinted."""
        try:
            return _digest(self.base, template, *(f"{name}={self._token(context[name])}" for name in sorted(context)))
        except Uncacheable:
            return None

    def reusable(self, path: str, context_hash: str | None, context: dict[str, Any] | None = None) -> bool:
        """True when the live file of path is what rendering it now would give (context: the values passed to it,
        for its atoms)."""
        previous = self.previous.get(path)
        if context_hash is None or previous is None:
            return False
        key, deps = previous
        try:
            if self._key(context_hash, deps) != key:
                return False
        except Uncacheable:
            return False
        self.keys[path] = previous
        if context is not None:
            self.note_atoms(path, context, deps)
        return True

    def rendered(self, path: str, context_hash: str | None, deps: set[str], context: dict[str, Any] | None = None) -> None:
        """Remember the key of a page just rendered, unless it depends on the whole site (context: the values passed
        to it, for its atoms)."""
        if context_hash is None or SITE in deps:
            return
        ordered = tuple(sorted(deps))
        try:
            self.keys[path] = (self._key(context_hash, ordered), ordered)
        except Uncacheable:
            return
        if context is not None:
            self.note_atoms(path, context, ordered)

    def _key(self, context_hash: str, deps: tuple[str, ...]) -> str:
        value = self.fingerprints.value
        return _digest(context_hash, *(f"{dep}={value(dep)}" for dep in deps))

    def _token(self, value: Any) -> str:
        """value as a string that tells it apart from any other value: strings length-prefixed, articles and
        stories by fingerprint, containers by a hash of their items' tokens (kept by id: many pages share them)."""
        if isinstance(value, str):  # Markup renders unescaped: not the same value as the str of its text
            return f"{'m' if isinstance(value, Markup) else 's'}{len(value)}:{value}"
        if value is None or isinstance(value, (bool, int, float)):
            return f"v{value!r}"
        if isinstance(value, Article):
            return "A" + self.fingerprints.article(value.doc.slug)
        if isinstance(value, Story):
            return "S" + self.fingerprints.story(value)
        if isinstance(value, TrackedArticles):
            return "by_slug"  # its lookups are recorded as they happen
        if isinstance(value, EntityEntry):  # strings only: its hash stands while the object does
            return "E" + self.fingerprints.values.of(value, _value_hash)
        return self._shared.of(value, lambda shared: "#" + _digest(*self._item_tokens(shared)))

    def _item_tokens(self, value: Any) -> Iterator[str]:
        if isinstance(value, (list, tuple)) and all(type(item) is str for item in value):
            yield "[str"  # slugs, names: their repr tells them apart, and is made in one go (an entity lists thousands)
            yield repr(tuple(value))
        elif isinstance(value, (list, tuple)):
            yield f"[{len(value)}"
            yield from map(self._token, value)
        elif isinstance(value, dict):
            yield f"{{{len(value)}"
            for k, v in value.items():
                yield self._token(k)
                yield self._token(v)
        elif isinstance(value, TrackedGroup):
            self.fingerprints.groups[value.path] = value._members
            yield from ("<group", self._token(value.name), self._token(value.path), f"v{len(value._members)}")
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            yield f"<{type(value).__qualname__}"
            yield from (self._token(getattr(value, name)) for name in _field_names(type(value)))
        else:
            raise Uncacheable(type(value).__name__)


def _atoms_in(value: Any, found: set[str]) -> None:
    """Add to found the atoms value holds: articles ("a:<slug>"), stories ("s:<id>"), entities ("e:<key>"), groups
    ("n:<path>"), and "glossary" or "discrepancies" for entries of those lists."""
    if value is None or isinstance(value, (str, bool, int, float, TrackedArticles)):
        return
    if isinstance(value, Article):
        found.add("a:" + value.doc.slug)
    elif isinstance(value, Story):
        found.add("s:" + value.id)
    elif isinstance(value, EntityEntry):
        found.add("e:" + value.key)
    elif isinstance(value, TrackedGroup):
        found.add("n:" + value.path)
    elif isinstance(value, GlossaryEntry):
        found.add("glossary")
    elif isinstance(value, Discrepancy):
        found.add("discrepancies")
    elif isinstance(value, (list, tuple)):
        if value and isinstance(value[0], EntityEntry):
            found.add("entities")  # a list of them (a part of digest.json) changes with the digest's set of entities
        for item in value:
            _atoms_in(item, found)
    elif isinstance(value, dict):
        for item in value.values():
            _atoms_in(item, found)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for name in _field_names(type(value)):
            _atoms_in(getattr(value, name), found)
    else:
        found.add(SITE)  # something else: never kept this way


def changed_atoms(last: Site, site: Site) -> frozenset[str] | None:
    """The atoms (see _atoms_in, and the dependencies "a:", "o:" and "d:") whose values differ between the site the
    last render made and this one; None when more changed than atoms say: articles in another order or with other
    dates, tags or outlets (list pages, neighbours and feeds are laid out anew), or the stories in another order.
    Values the builds share are the very same objects where they are equal (digest.interning), so most of this
    compares identities."""
    if len(last.articles) != len(site.articles):
        return None
    changed: set[str] = set()
    old_links, links = last.links, site.links
    for before, now in zip(last.articles, site.articles):
        slug = now.doc.slug
        if before.doc.slug != slug:
            return None
        if before is now and old_links.related.get(slug) is links.related.get(slug):
            if (old_links.references.get(slug) == links.references.get(slug)
                    and old_links.duplicates.get(slug) == links.duplicates.get(slug)
                    and old_links.story_of.get(slug) == links.story_of.get(slug)):
                continue
        elif (before.doc.date, before.doc.tags, before.doc.source) != (now.doc.date, now.doc.tags, now.doc.source):
            return None
        changed.add("a:" + slug)
    if [s.id for s in last.links.stories] != [s.id for s in links.stories] or old_links.moved_stories != links.moved_stories:
        return None
    stories = {s.id: s for s in last.links.stories}
    changed.update("s:" + s.id for s in links.stories if stories.get(s.id) is not s)
    changed_stories = {atom[2:] for atom in changed if atom.startswith("s:")}
    for slug, story in links.story_of.items():
        if story in changed_stories or old_links.story_of.get(slug) != story:
            changed.add("o:" + slug)
    changed.update("o:" + slug for slug in old_links.story_of.keys() - links.story_of.keys())
    entries = {e.key: e for e in last.annotations.entities}
    keys = {e.key for e in site.annotations.entities}
    changed.update("e:" + e.key for e in site.annotations.entities if entries.get(e.key) is not e)
    changed.update("e:" + key for key in entries.keys() - keys)
    if keys != entries.keys():
        changed.add("entities")
    if last.annotations.glossary != site.annotations.glossary:
        changed.add("glossary")
    if last.annotations.discrepancies != site.annotations.discrepancies:
        changed.add("discrepancies")
        old_by, new_by = discrepancies_by_article(last), discrepancies_by_article(site)
        changed.update("d:" + slug for slug in old_by.keys() | new_by.keys() if old_by.get(slug) != new_by.get(slug))
    changed.add(SITE)  # a page that read the site as a whole, or held something no atom names, is made again
    return frozenset(changed)


@memoize
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def _digest(*tokens: str) -> str:
    """A hash of tokens that no other sequence of tokens has: they are joined by NUL, which only a string token
    holds, and that one says its length."""
    return hashlib.sha256("\0".join(tokens).encode("utf-8", "surrogatepass")).hexdigest()


def base_key(template_dirs: list[Path], config: Config) -> str:
    """What every page's key starts from: digest's code, every file of the theme's template folders, the config."""
    h = hashlib.sha256(f"{code_fingerprint()}\0{config!r}".encode("utf-8", "surrogatepass"))
    for folder in template_dirs:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            h.update(f"\0{path.relative_to(folder).as_posix()}\0".encode() + hashlib.sha256(path.read_bytes()).digest())
        h.update(b"\0--\0")
    return h.hexdigest()


@dataclass
class RenderMemory:
    """The last render kept in the process between builds (digest serve, in digest.build.BuildMemory): the next
    build neither reads the record again nor hashes again the values it still holds."""

    output: str
    files: dict[str, tuple[int, int, int]]  # the output as the last build left it
    last: LastRender
    values: ByIdentity[str]
    site: Site | None = None  # what it rendered (for changed_atoms)


def load_memo(cache_folder: Path | None, output: Path,
              live_files: Callable[[Path], dict[str, tuple[int, int, int]] | None],
              memory: RenderMemory | None = None) -> LastRender:
    """What the last build's render left, if it built into output and output is as it left it; else nothing."""
    if cache_folder is None:
        return LastRender()
    live = live_files(output)
    if memory is not None and memory.output == str(output) and live == memory.files:
        return memory.last
    try:
        record = decode((cache_folder / RECORD).read_bytes(), _Record)
    except (OSError, ValueError):
        return LastRender()
    if record.format != _FORMAT or record.output != str(output) or live != record.files:
        return LastRender()
    # Decoded, each page's dependencies are strings of their own: one string per name instead (as Recorder.add
    # makes them), or the record of 10,000 articles' pages holds 250,000 strings for about 20,000 names.
    return LastRender({path: (key, tuple(map(sys.intern, deps))) for path, (key, deps) in record.keys.items()})


def save_memo(cache_folder: Path | None, output: Path, last: LastRender,
              files: dict[str, tuple[int, int, int]] | None) -> None:
    if cache_folder is None:  # without a memo the next build renders every page, nothing worse
        return
    if files is None:
        try:
            (cache_folder / RECORD).unlink(missing_ok=True)
        except OSError:
            pass
        return
    save_json(cache_folder / RECORD, _Record(_FORMAT, str(output), files, last.keys))


@dataclass(frozen=True)
class _Record:
    """render-memo.json: the keys of the last build, good while its output has these files."""

    format: int
    output: str
    files: dict[str, tuple[int, int, int]]
    keys: PageKeys


def _hash(text: str) -> str:
    return _hash_bytes(text.encode("utf-8", "surrogatepass"))


def _hash_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


def _fields_hash(doc: Document) -> str:
    """A hash of every field of a document but its body (hashed on its own)."""
    return _hash(repr(tuple(getattr(doc, name) for name in _DOCUMENT_FIELDS)))


def _value_hash(value: object) -> str:
    """A hash of a value of plain data (annotations, stories, related pieces, entries) by its MessagePack, made in C
    (annotations: 5x faster than their JSON, 20x than their repr): each value hashed sits where one type is
    declared, so its bytes tell it apart as its repr would. (It leaves a UTF-8 copy in each non-ASCII string it
    writes: 3 MB at 10,000 articles, whose long texts, the bodies and HTML, are bytes already.)"""
    try:
        return hashlib.sha256(msgspec.msgpack.encode(value, order="deterministic")).hexdigest()[:32]
    except UnicodeEncodeError:  # text with a lone surrogate, which UTF-8 cannot hold
        return _hash(repr(value))
