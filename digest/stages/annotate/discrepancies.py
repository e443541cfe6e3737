"""Discrepancies: two articles of one story giving different figures for what looks like the same
thing (the deal's value: "$5.4 billion" in one, "USD 5 billion" in another). Worded as questions
for the editor: the annotator cannot know whether the two sentences speak of one thing."""

from __future__ import annotations

import dataclasses
import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence

import numpy as np
import scipy.sparse as sp

from digest.interning import ByIdentity
from digest.collector import with_cycle_collector_paused
from digest.model import Annotations, Discrepancy, Figure, FigureSource

_WORD = re.compile(r"[a-z][a-z-]{3,}")
_NOT_TELLING = frozenset("""
about after also been before being billion million thousand trillion crore lakh could from have into more most
over said says that their there these they this those under were what when which while will with would year
years percent than since until other another some such only just even still been very
""".split())
_MAX_PER_ARTICLE = 3  # questions naming one article, at most: the closest figures are the likeliest slips
_WINDOW = 15  # figures of the same thing compared with each, nearest values first


def groups_by_shared_entities(annotations_by_slug: Mapping[str, Annotations], shared: int = 2) -> list[tuple[str, str]]:
    """Stories for want of better ones: each pair of articles that share at least `shared` named things
    (a thing most of the digest names, like the country it is about, says nothing and is not counted)."""
    slugs = sorted(annotations_by_slug)
    first, second = _pairs_sharing(slugs, annotations_by_slug, shared)
    return [(slugs[a], slugs[b]) for a, b in zip(first.tolist(), second.tolist())]


def _pairs_sharing(slugs: list[str], annotations_by_slug: Mapping[str, Annotations],
                   shared: int) -> tuple[np.ndarray, np.ndarray]:
    """The pairs of articles that share at least `shared` named things, as indices into slugs
    (first < second, in order). Counted by a sparse product, articles by things: 10,000 articles
    of a few stories share a few hundred thousand pairs, too many to count one by one."""
    columns: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for i, slug in enumerate(slugs):
        for key in {e.key for e in annotations_by_slug[slug].entities}:
            rows.append(i)
            cols.append(columns.setdefault(key, len(columns)))
    naming = sp.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=(len(slugs), len(columns)))
    naming = naming[:, np.flatnonzero(np.asarray(naming.sum(axis=0)).ravel() <= _common(len(slugs)))]
    counts = sp.triu(naming @ naming.T, k=1).tocoo()
    keep = counts.data >= shared
    first, second = counts.row[keep], counts.col[keep]
    order = np.lexsort((second, first))
    return first[order], second[order]


class _Stated:
    """A figure with what its sentence is about, prepared once per article (its telling words only
    when asked: most figures are never compared with one of another article)."""

    __slots__ = ("figure", "entities", "forms", "_words")

    def __init__(self, figure: Figure, entities: frozenset[str], forms: frozenset[str]) -> None:
        self.figure, self.entities, self.forms = figure, entities, forms
        self._words: frozenset[str] | None = None

    @property
    def words(self) -> frozenset[str]:
        if self._words is None:
            self._words = frozenset(w for w in _WORD.findall(self.figure.sentence.lower())
                                    if w not in _NOT_TELLING and w not in self.forms)
        return self._words


_TOKEN = re.compile(r"[\w-]+")


def _prepare(found: Annotations) -> dict[tuple[str, str], list[_Stated]]:
    """The article's figures (those with a value) by (kind, unit), each with what its sentence names."""
    forms = frozenset(form.lower() for e in found.entities for form in e.forms)
    single = {form: e.key for e in found.entities for form in e.forms if " " not in form}
    multi: dict[str, list[tuple[str, str]]] = {}  # first word: (form, key), for names of several words
    for e in found.entities:
        for form in e.forms:
            if " " in form:
                multi.setdefault(form.split(" ", 1)[0], []).append((form, e.key))
    single_words, multi_words = frozenset(single), frozenset(multi)
    buckets: dict[tuple[str, str], list[_Stated]] = {}
    for f in found.figures:
        if not f.value:
            continue
        tokens = _TOKEN.findall(f.sentence)
        entities = {single[t] for t in single_words.intersection(tokens)}  # set operations run in C
        for t in multi_words.intersection(tokens):
            for form, key in multi[t]:
                if form in f.sentence:
                    entities.add(key)
        buckets.setdefault((f.kind, f.unit), []).append(_Stated(f, frozenset(entities), forms))
    return buckets


def discrepancy_inputs(annotations_by_slug: dict[str, Annotations], groups: Sequence[Sequence[str]],
                       known: ByIdentity[str] | None = None) -> list[str]:
    """What the discrepancies of a digest are computed from, as text for a cache key: the groups, and each
    article's slug, named things (keys and spellings) and figures; nothing else of the annotations.
    known: each article's text by its annotations' identity, from the last build (digest serve: 0.3 s at 10,000)."""
    known = known if known is not None else ByIdentity()
    return [repr([tuple(g) for g in groups]),
            *(f"{slug!r}{known.of(found, _figures_and_names)}" for slug, found in annotations_by_slug.items())]


def _figures_and_names(found: Annotations) -> str:
    return repr(([(e.key, e.forms) for e in found.entities], [(f.text, f.kind, f.value, f.unit, f.sentence) for f in found.figures]))


def _what(figure: Figure) -> str:
    if figure.kind == "money":
        return "amount"
    if figure.kind == "percent":
        return "share"
    return f"number of {figure.unit}"


Thing = tuple[str, str, str]  # (kind, unit, entity key): only figures about one thing are compared
# A figure about a thing: (value, article, text, its place among the article's figures of that kind and unit, it),
# in the order they are compared in (a tuple: 115,000 of them at 10,000 articles)
Item = tuple[float, str, str, int, _Stated]
Marker = tuple[str, str, str, str]  # (first article, its figure's text, second article, its figure's text)
Candidate = tuple[float, str, str, str, str, _Stated, _Stated]  # (second value / first, *marker, first, second)


class _Thing:
    """The figures the grouped articles give about one thing, in one kind and unit, by value; the
    articles that give them; and the candidates they make (none while too many articles give them)."""

    __slots__ = ("items", "values", "candidates")

    def __init__(self) -> None:
        self.items: list[Item] = []
        self.values: list[float] = []  # of the items, for bisect
        self.candidates: dict[Marker, Candidate] = {}

    def articles(self) -> int:
        """How many articles give figures about it."""
        return len({item[1] for item in self.items})


@dataclasses.dataclass(eq=False)
class DiscrepancyState:
    """What the discrepancies of a digest are worked out from, kept for update_discrepancies (which
    changes it in place: a state given to it is not to be used again, only the one it returns)."""

    annotations: dict[str, Annotations]
    related: bool = False  # no groups given: articles go together when they share two named things
    given: list[tuple[str, ...]] = dataclasses.field(default_factory=list)  # the groups as last given
    groups: dict[frozenset[str], int] = dataclasses.field(default_factory=dict)  # of two articles or more: times given
    groups_of: dict[str, set[frozenset[str]]] = dataclasses.field(default_factory=dict)
    partners: dict[str, frozenset[str]] = dataclasses.field(default_factory=dict)  # grouped article: it and those with it
    naming_articles: dict[str, set[str]] | None = None  # no groups: key: the articles naming it (made at the first update)
    values: dict[str, frozenset[tuple[str, str, float]]] = dataclasses.field(default_factory=dict)  # grouped article:
    # (kind, unit, value) of each of its figures
    things: dict[Thing, _Thing] = dataclasses.field(default_factory=dict)
    common: int = 0  # a thing more articles than this give figures about makes no candidates
    candidates: dict[Marker, dict[Thing, Candidate]] = dataclasses.field(default_factory=dict)  # by the things making them
    naming: dict[str, set[Marker]] = dataclasses.field(default_factory=dict)  # article: the candidates naming it
    picked: dict[str, set[Marker]] = dataclasses.field(default_factory=dict)  # article: the questions naming it
    questions: dict[Marker, Discrepancy] = dataclasses.field(default_factory=dict)
    order: list[tuple[str, str, str, str]] = dataclasses.field(default_factory=list)  # (first, second, texts) of...
    result: list[Discrepancy] = dataclasses.field(default_factory=list)  # ... the questions, in that order


@with_cycle_collector_paused
def discrepancy_state(annotations: Mapping[str, Annotations], groups: Sequence[Sequence[str]]
                      ) -> tuple[DiscrepancyState, tuple[Discrepancy, ...]]:
    """The discrepancies within groups (the link stage's stories: find_discrepancies) or, with no groups,
    among articles sharing two named things (discrepancies_between_related); and the state that
    update_discrepancies takes."""
    given = [tuple(g) for g in groups]
    state = _grouped(annotations, given) if given else _related(annotations)
    return state, tuple(state.result)


def find_discrepancies(annotations_by_slug: Mapping[str, Annotations], groups: Sequence[Sequence[str]]) -> tuple[Discrepancy, ...]:
    """Pairs of figures from different articles of one group that differ, with the same unit and a
    similar size (within a factor of 2), in sentences that name a common thing and share another
    telling word ("signed"), three such in all, where neither article also gives the other's figure.
    At most _MAX_PER_ARTICLE questions name any one article, the closest figures first."""
    return tuple(_grouped(annotations_by_slug, [tuple(g) for g in groups]).result)


def discrepancies_between_related(annotations_by_slug: Mapping[str, Annotations]) -> tuple[Discrepancy, ...]:
    """find_discrepancies with groups_by_shared_entities for groups (when there are no stories yet),
    without spelling out each pair of slugs."""
    return tuple(_related(annotations_by_slug).result)


def _grouped(annotations: Mapping[str, Annotations], given: list[tuple[str, ...]]) -> DiscrepancyState:
    state = DiscrepancyState(dict(annotations))
    _regroup(state, given)
    _fill(state)
    return state


def _related(annotations: Mapping[str, Annotations]) -> DiscrepancyState:
    state = DiscrepancyState(dict(annotations), related=True)
    state.partners = _partners_sharing(state.annotations)
    _fill(state)
    return state


def _fill(state: DiscrepancyState) -> None:
    """state's things, candidates and questions, from its annotations and partners."""
    state.common = _common(len(state.partners))
    for slug in state.partners:
        found = state.annotations.get(slug)
        if found is not None:
            _list(state, slug, found, None)
    for thing in state.things.values():
        thing.items.sort()
        thing.values = [item[0] for item in thing.items]
    for key, thing in state.things.items():
        if thing.articles() <= state.common:
            thing.candidates = _compare(key, thing, state)
            for marker, candidate in thing.candidates.items():
                state.candidates.setdefault(marker, {})[key] = candidate
    for marker in state.candidates:
        state.naming.setdefault(marker[0], set()).add(marker)
        state.naming.setdefault(marker[2], set()).add(marker)
    _ask(state, [_chosen(made) for made in state.candidates.values()], {})
    ordered = sorted(state.questions.items(), key=lambda item: _place(item[0]))
    state.order = [_place(marker) for marker, _ in ordered]
    state.result = [question for _, question in ordered]


def _common(size: int) -> int:
    """How many articles of size may name one thing (with no stories) or, of the grouped ones, give figures
    about it, for it to tell anything: a thing much of the digest names (the country it is about) does not
    make two articles related, nor two figures one."""
    return max(50, size // 100)


def _place(marker: Marker) -> tuple[str, str, str, str]:
    """Where a question stands among the digest's: by its articles, then its figures."""
    return marker[0], marker[2], marker[1], marker[3]


@with_cycle_collector_paused
def update_discrepancies(state: DiscrepancyState, changed: Mapping[str, Annotations | None],
                         groups: Sequence[Sequence[str]]) -> tuple[DiscrepancyState, tuple[Discrepancy, ...]]:
    """state with the articles of changed as they are now (None: removed) and groups as given now (all of
    them; none: articles sharing two named things), and the digest's discrepancies. The work is that of
    the things the changed articles and the articles of changed groups give figures about."""
    given = [tuple(g) for g in groups]
    same = {slug: found for slug, found in changed.items()  # rekeyed for a thing's new kind, say: only the object changes
            if found is not None and slug in state.annotations and _read(state.annotations[slug]) == _read(found)}
    if same:
        state.annotations.update(same)
        changed = {slug: found for slug, found in changed.items() if slug not in same}
    # the pairs of articles sharing named things change only with the articles' keys, or their number
    renamed = {slug: (_named_keys(state.annotations.get(slug)), _named_keys(found)) for slug, found in changed.items()}
    renamed = {slug: keys for slug, keys in renamed.items() if keys[0] != keys[1]}
    touched: set[Thing] = set()
    for slug in changed:  # the figures of changed articles as they were go; those they give now come in below
        if slug in state.partners and slug in state.annotations:
            _unlist(state, slug, state.annotations[slug], touched)
    for slug, found in changed.items():
        if found is None:
            state.annotations.pop(slug, None)
        else:
            state.annotations[slug] = found
    moved: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
    if given and not state.related:
        moved = _regroup(state, given)
    elif not given and state.related:
        moved = _pair_again(state, renamed) if renamed else {}
    else:
        before = state.partners
        state.given, state.groups, state.groups_of, state.partners, state.naming_articles = [], {}, {}, {}, None
        if given:
            _regroup(state, given)
        else:
            state.partners = _partners_sharing(state.annotations)
        moved = {slug: (before.get(slug, _NONE), state.partners.get(slug, _NONE)) for slug in before.keys() | state.partners.keys()
                 if before.get(slug) != state.partners.get(slug)}
        state.related = not given
    common_before, state.common = state.common, _common(len(state.partners))
    # Articles whose figures change, or that join or leave the grouped ones, take their figures out and put
    # them back; others whose partners change need only the things they give figures about compared again.
    for slug, (was, now) in moved.items():
        if slug not in changed and slug in state.annotations and bool(was) != bool(now):
            (_list if now else _unlist)(state, slug, state.annotations[slug], touched)
    for slug, found in changed.items():
        if found is not None and slug in state.partners:
            _list(state, slug, found, touched)
    for slug in _cover(moved):
        if slug not in changed and slug in state.partners and slug in state.annotations:
            touched.update(key for key, _ in _figures(slug, state.annotations[slug]))
    if state.common != common_before:
        low, high = sorted((common_before, state.common))
        touched.update(key for key, thing in state.things.items() if low < thing.articles() <= high)
    _reask(state, _recompare(state, touched))
    return state, tuple(state.result)


_NONE: frozenset[str] = frozenset()


def _read(found: Annotations) -> tuple[list[tuple[str, tuple[str, ...]]], tuple[Figure, ...]]:
    """What discrepancies read of an article's annotations (as discrepancy_inputs)."""
    return [(e.key, e.forms) for e in found.entities], found.figures


def _named_keys(found: Annotations | None) -> frozenset[str] | None:
    return None if found is None else frozenset(e.key for e in found.entities)


def _pair_again(state: DiscrepancyState, renamed: Mapping[str, tuple[frozenset[str] | None, frozenset[str] | None]]
                ) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """With no groups: who shares two named things with whom (_pairs_sharing), after the articles of renamed
    changed their keys (before, now; None: no article), which state.annotations already hold. Only their
    pairs change, and those of the articles naming a thing that becomes or stops being one too many name;
    the articles grouped with others than before: (before, now)."""
    size_before = len(state.annotations) - sum((now is not None) - (was is not None) for was, now in renamed.values())
    common_before, common = _common(size_before), _common(len(state.annotations))
    keyed = state.naming_articles
    if keyed is None:  # made from the articles as they were
        keyed = state.naming_articles = {}
        was_named = {slug: _named_keys(found) for slug, found in state.annotations.items() if slug not in renamed}
        was_named.update((slug, was) for slug, (was, _) in renamed.items())
        for slug, keys in was_named.items():
            for key in keys or ():
                keyed.setdefault(key, set()).add(slug)
    counted_before: dict[str, int] = {}
    for slug, (was, now) in renamed.items():
        for key in (was or _NONE) ^ (now or _NONE):
            named = keyed.setdefault(key, set())
            counted_before.setdefault(key, len(named))
            (named.discard if was and key in was else named.add)(slug)
    if common != common_before:
        counted_before.update((key, len(named)) for key, named in keyed.items() if key not in counted_before)
    reached = set(renamed)
    for key, before in counted_before.items():
        if (before <= common_before) != (len(keyed[key]) <= common):
            reached.update(keyed[key])
        if not keyed[key]:
            del keyed[key]
    if len(reached) > len(state.annotations) // 10:  # as good as all: counted again at once
        before_all = state.partners
        state.partners = _partners_sharing(state.annotations)
        return {slug: (before_all.get(slug, _NONE), state.partners.get(slug, _NONE))
                for slug in before_all.keys() | state.partners.keys() if before_all.get(slug) != state.partners.get(slug)}
    now_with: dict[str, frozenset[str]] = {}
    for slug in reached:
        counts: dict[str, int] = {}
        for key in _named_keys(state.annotations.get(slug)) or ():
            named = keyed[key]
            if len(named) <= common:
                for other in named:
                    counts[other] = counts.get(other, 0) + 1
        paired = [other for other, count in counts.items() if count >= 2 and other != slug]
        now_with[slug] = frozenset([slug, *paired]) if paired else _NONE
    # the others grouped with one of these before or now: with the others as before, and with these as now
    with_reached: dict[str, set[str]] = {other: set() for slug in reached for other in state.partners.get(slug, _NONE)}
    for slug in reached:
        for other in now_with[slug]:
            with_reached.setdefault(other, set()).add(slug)
    for slug, linked in with_reached.items():
        if slug not in reached:
            kept = linked | {other for other in state.partners.get(slug, _NONE) if other not in reached and other != slug}
            now_with[slug] = frozenset([slug, *kept]) if kept else _NONE
    moved = {}
    for slug, now in now_with.items():
        was = state.partners.get(slug, _NONE)
        if now != was:
            moved[slug] = (was, now)
            if now:
                state.partners[slug] = now
            else:
                del state.partners[slug]
    return moved


def _regroup(state: DiscrepancyState, given: list[tuple[str, ...]]) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """state grouped as given; the articles grouped with others than before: (before, now), each article
    with itself among those grouped with it, or with none."""
    if given == state.given:
        return {}
    now: dict[frozenset[str], int] = {}
    for group in given:
        members = frozenset(group)
        if len(members) > 1:
            now[members] = now.get(members, 0) + 1
    gone = [members for members in state.groups if members not in now]
    new = [members for members in now if members not in state.groups]
    state.given, state.groups = given, now
    reached = {slug for members in gone + new for slug in members}
    before = {slug: state.partners.get(slug, _NONE) for slug in reached}
    for members in gone:
        for slug in members:
            state.groups_of[slug].discard(members)
    for members in new:
        for slug in members:
            state.groups_of.setdefault(slug, set()).add(members)
    for slug in reached:
        of = state.groups_of.get(slug)
        if not of:
            state.groups_of.pop(slug, None)
            state.partners.pop(slug, None)
        else:
            state.partners[slug] = next(iter(of)) if len(of) == 1 else frozenset().union(*of)
    return {slug: (before[slug], state.partners.get(slug, _NONE)) for slug in reached
            if before[slug] != state.partners.get(slug, _NONE)}


def _partners_sharing(annotations: Mapping[str, Annotations]) -> dict[str, frozenset[str]]:
    """Each article that shares two named things with another: it and every such other."""
    slugs = sorted(annotations)
    first, second = _pairs_sharing(slugs, annotations, 2)
    rows, cols = np.concatenate([first, second]), np.concatenate([second, first])
    order = np.argsort(rows, kind="stable")
    rows, cols = rows[order], cols[order]
    names = np.array(slugs, dtype=object)
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]]) if len(rows) else np.array([], dtype=np.int64)
    ends = np.r_[starts[1:], len(rows)]
    return {slugs[row]: frozenset([slugs[row], *names[cols[start:end]].tolist()])
            for row, start, end in zip(rows[starts].tolist(), starts.tolist(), ends.tolist())}


def _cover(moved: Mapping[str, tuple[frozenset[str], frozenset[str]]]) -> set[str]:
    """Articles enough that each pair of articles grouped now but not before, or before but not now, has
    one among them: a story gaining an article has its pairs compared again, not the whole story."""
    with_others = {slug: (before ^ now) - {slug} for slug, (before, now) in moved.items()}
    cover: set[str] = set()
    for slug in sorted(with_others, key=lambda s: (-len(with_others[s]), s)):
        if not with_others[slug] <= cover:
            cover.add(slug)
    return cover


def _list(state: DiscrepancyState, slug: str, found: Annotations, touched: set[Thing] | None) -> None:
    """An article's figures put among the things they are about (at the end, to be sorted, when touched is
    None; in their places otherwise, noting the things in touched)."""
    things = state.things
    values = set()
    for (kind, unit), stated in _prepare(found).items():
        for place, s in enumerate(stated):
            value = s.figure.value
            values.add((kind, unit, value))
            item = (value, slug, s.figure.text, place, s)
            for key in s.entities:
                thing = things.get((kind, unit, key))
                if thing is None:
                    thing = things[(kind, unit, key)] = _Thing()
                if touched is None:
                    thing.items.append(item)
                else:
                    at = bisect_left(thing.items, item)
                    thing.items.insert(at, item)
                    thing.values.insert(at, value)
                    touched.add((kind, unit, key))
    state.values[slug] = frozenset(values)


def _unlist(state: DiscrepancyState, slug: str, found: Annotations, touched: set[Thing] | None) -> None:
    """An article's figures (as found gives them) taken out of the things they are about."""
    for key, item in _figures(slug, found):
        thing = state.things[key]
        at = bisect_left(thing.items, item[:4])  # its place: the figure there is an equal one, not this object
        del thing.items[at], thing.values[at]
        if touched is not None:
            touched.add(key)
    state.values.pop(slug, None)


def _figures(slug: str, found: Annotations) -> Iterator[tuple[Thing, Item]]:
    """The article's figures, each with each thing it is about (as _list puts them)."""
    for (kind, unit), stated in _prepare(found).items():
        for place, s in enumerate(stated):
            item = (s.figure.value, slug, s.figure.text, place, s)
            for key in s.entities:
                yield (kind, unit, key), item


def _compare(key: Thing, thing: _Thing, state: DiscrepancyState) -> dict[Marker, Candidate]:
    """The candidates a thing's figures make: pairs of figures from different articles grouped together
    that differ, with a similar size (within a factor of 2), in sentences that name a common thing and
    share another telling word ("signed"), three such in all, where neither article also gives the
    other's figure. Each figure is compared with the _WINDOW next ones from 2% larger."""
    kind, unit, _ = key
    items, values, partners, given = thing.items, thing.values, state.partners, state.values
    found: dict[Marker, Candidate] = {}
    for value_a, a, text_a, _, sa in items:
        # equal values are no discrepancy: start at the first value 2% larger
        start = bisect_left(values, value_a * 1.02)
        together = partners[a]
        for value_b, b, text_b, _, sb in items[start:start + _WINDOW]:
            if value_b > 2 * value_a:
                break
            if a == b or b not in together:
                continue
            # each article also gives the other's figure: they speak of two things
            if (kind, unit, value_b) in given[a] or (kind, unit, value_a) in given[b]:
                continue
            shared_words = len(sa.words & sb.words)
            if not shared_words or len(sa.entities & sb.entities) + shared_words < 3:
                continue
            if a < b:
                marker = (a, text_a, b, text_b)
                if marker not in found:
                    found[marker] = (value_b / value_a, a, text_a, b, text_b, sa, sb)
            else:
                marker = (b, text_b, a, text_a)
                if marker not in found:
                    found[marker] = (value_b / value_a, b, text_b, a, text_a, sb, sa)
    return found


def _chosen(made: dict[Thing, Candidate]) -> Candidate:
    """Of the candidates for one pair of figures, the one the first thing (in order) makes."""
    return next(iter(made.values())) if len(made) == 1 else made[min(made)]


def _recompare(state: DiscrepancyState, touched: Iterable[Thing]) -> set[str]:
    """The candidates of the touched things made again; the articles of those that changed."""
    reached: set[str] = set()
    for key in touched:
        thing = state.things.get(key)
        if thing is None:
            continue
        made = _compare(key, thing, state) if thing.items and thing.articles() <= state.common else {}
        for marker in thing.candidates.keys() | made.keys():
            before, now = thing.candidates.get(marker), made.get(marker)
            if before == now:
                continue
            reached.update((marker[0], marker[2]))
            by_thing = state.candidates.setdefault(marker, {})
            if now is not None:
                by_thing[key] = now
                state.naming.setdefault(marker[0], set()).add(marker)
                state.naming.setdefault(marker[2], set()).add(marker)
                continue
            del by_thing[key]
            if not by_thing:
                del state.candidates[marker]
                for slug in (marker[0], marker[2]):
                    state.naming[slug].discard(marker)
                    if not state.naming[slug]:
                        del state.naming[slug]
        thing.candidates = made
        if not thing.items:
            del state.things[key]
    return reached


def _reask(state: DiscrepancyState, reached: set[str]) -> None:
    """The questions about the reached articles asked again, with every article their candidates link
    them to: the cap per article makes one question depend on the others about its articles."""
    linked: set[str] = set()
    stack = list(reached)
    while stack:
        slug = stack.pop()
        if slug not in linked:
            linked.add(slug)
            stack.extend(other for marker in state.naming.get(slug, ()) for other in (marker[0], marker[2]))
    before: dict[Marker, Discrepancy] = {}
    for slug in linked:
        for marker in state.picked.pop(slug, ()):
            question = state.questions.pop(marker, None)
            if question is not None:
                before[marker] = question
                at = bisect_left(state.order, _place(marker))
                del state.order[at], state.result[at]
    markers = {marker for slug in linked for marker in state.naming.get(slug, ())}
    for marker in _ask(state, [_chosen(state.candidates[m]) for m in markers], before):
        place = _place(marker)
        at = bisect_left(state.order, place)
        state.order.insert(at, place)
        state.result.insert(at, state.questions[marker])


def _ask(state: DiscrepancyState, candidates: Iterable[Candidate], before: Mapping[Marker, Discrepancy]) -> list[Marker]:
    """The questions the candidates make, the closest figures first, at most _MAX_PER_ARTICLE naming any
    one article, put into state (the very objects of before where equal); their markers."""
    per_article: dict[str, int] = {}
    asked = []
    for _, slug_a, text_a, slug_b, text_b, sa, sb in sorted(candidates, key=lambda c: c[:5]):
        if per_article.get(slug_a, 0) >= _MAX_PER_ARTICLE or per_article.get(slug_b, 0) >= _MAX_PER_ARTICLE:
            continue
        per_article[slug_a] = per_article.get(slug_a, 0) + 1
        per_article[slug_b] = per_article.get(slug_b, 0) + 1
        marker = (slug_a, text_a, slug_b, text_b)
        question = Discrepancy(f"Do {sa.figure.text} and {sb.figure.text} give the same {_what(sa.figure)}? The two articles differ.",
                               FigureSource(slug_a, sa.figure), FigureSource(slug_b, sb.figure))
        old = before.get(marker)
        state.questions[marker] = old if old is not None and old == question else question
        state.picked.setdefault(slug_a, set()).add(marker)
        state.picked.setdefault(slug_b, set()).add(marker)
        asked.append(marker)
    return asked
