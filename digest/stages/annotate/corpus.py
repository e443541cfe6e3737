"""What annotations need the whole digest for: one key per named thing across articles, the
entity pages and the glossary. Runs once, after every article is annotated."""

from __future__ import annotations

from typing import Iterable, Sequence

from digest.collector import with_cycle_collector_paused
from digest.errors import Diagnostic, warning
from digest.model import AnnotationIndex, Annotations, Discrepancy, Document
from digest.stages.annotate import annotate_document
from digest.stages.annotate.discrepancies import discrepancies_between_related, find_discrepancies
from digest.stages.annotate.entities import norm_key
from digest.stages.annotate.index import indexed
from digest.stages.annotate.options import AnnotateOptions
from digest.stages.annotate.unification import rekey, unified_names


def annotate_documents(documents: list[Document], options: AnnotateOptions) -> tuple[list[Annotations], list[Diagnostic]]:
    """The annotations of each document (same order), entity keys made one across the digest,
    and a warning for each editor note whose quotation no longer matches its article."""
    return finish_annotations(documents, [annotate_document(doc, options) for doc in documents])


def finish_annotations(documents: list[Document], found: list[Annotations],
                       remembered: RekeyMemo | None = None) -> tuple[list[Annotations], list[Diagnostic]]:
    """The whole-digest step after the per-article annotate_document (which can be cached and run in
    parallel): entity keys made one across the digest, and a warning per orphaned editor note.
    remembered: see unify_entities."""
    annotations = unify_entities(found, remembered)
    return annotations, orphaned_notes(documents, annotations)


def orphaned_notes(documents: Iterable[Document], annotations: Iterable[Annotations]) -> list[Diagnostic]:
    """A warning per editor note whose quotation is no longer in its article (documents and their annotations)."""
    problems = []
    for doc, unified in zip(documents, annotations):
        for anchored in unified.notes:
            if not anchored.anchored:
                problems.append(warning(doc.path, f"note {anchored.id}: the quotation {anchored.note.quote!r} is no longer in the text",
                                        hint="correct the note's quote (and prefix/suffix) in the front matter, or remove the note; "
                                             "the page lists it as an orphaned note meanwhile"))
    return problems


# the whole-digest steps make a few hundred thousand objects while every article's annotations are
# in memory: full collections walking those were 3 of their 5 CPU seconds at 10,000 articles
# An article's annotations as found, by id: (them, the digest-wide key, name and kind of each of their
# named things, the annotations under those). Held, so no other object takes the id meanwhile.
RekeyMemo = dict[int, tuple[Annotations, tuple[tuple[str, str, str], ...], Annotations]]


@with_cycle_collector_paused
def unify_entities(annotations: list[Annotations], remembered: RekeyMemo | None = None) -> list[Annotations]:
    """annotations with one key and one name for each named thing across articles: spellings that
    differ in punctuation ('S400'/'S-400'), a first name spelt two ways ('Vladamir Putin'), and a
    surname alone where the digest names only one person so ('Putin').

    remembered (digest serve keeps it between builds, and it is left holding this call's): an article
    found as the very object of the last call, whose named things keep their keys, names and kinds,
    gets the very result of then. So do later steps that know values by identity (digest.render_memo)."""
    state = unified_names(dict(enumerate(annotations)))
    if remembered is None:
        return [rekey(found, state) for found in annotations]
    now: RekeyMemo = {}
    for found in annotations:
        named = tuple(state.final[norm_key(e.name)] for e in found.entities)
        last = remembered.get(id(found))
        now[id(found)] = (found, named, last[2] if last is not None and last[0] is found and last[1] == named
                          else rekey(found, state))
    remembered.clear()
    remembered.update(now)
    return [now[id(found)][2] for found in annotations]


@with_cycle_collector_paused
def discrepancies_of(annotations_by_slug: dict[str, Annotations], stories: Sequence[tuple[str, ...]]) -> tuple[Discrepancy, ...]:
    """The digest's discrepancies: looked for within stories, or, before stories exist, among articles that
    share at least two named things."""
    groups = [tuple(g) for g in stories]
    return find_discrepancies(annotations_by_slug, groups) if groups else discrepancies_between_related(annotations_by_slug)


@with_cycle_collector_paused
def index_annotations(articles: Iterable[tuple[str, Annotations]], stories: Sequence[tuple[str, ...]] = (),
                      discrepancies: tuple[Discrepancy, ...] | None = None) -> AnnotationIndex:
    """The digest's entity pages, glossary and discrepancies (discrepancies_of, unless given: a build
    keeps them by what they are computed from); articles (slug, annotations) newest first."""
    articles = list(articles)
    _, entities, glossary = indexed(articles, range(0, -len(articles), -1))
    if discrepancies is None:
        discrepancies = discrepancies_of(dict(articles), stories)
    return AnnotationIndex(entities, glossary, discrepancies)
