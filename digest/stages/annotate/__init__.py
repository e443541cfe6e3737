"""The annotate stage: what one article says, found in its text.

annotate_document(doc, options) -> Annotations is pure and sees one article at a time, so
articles can be annotated in any order, in parallel, and cached by content. What needs the
whole digest (one key per named thing across articles, the entity pages, the glossary,
discrepancies between the articles of a story) is in digest.stages.annotate.corpus.
"""

from __future__ import annotations

from digest.markdown import render_markdown
from digest.model import Annotations, Document
from digest.stages.annotate.acronyms import collect_acronyms, find_definitions
from digest.stages.annotate.entities import find_entities
from digest.stages.annotate.events import find_events
from digest.stages.annotate.figures import find_figures
from digest.stages.annotate.notes import anchor_notes
from digest.stages.annotate.options import AnnotateOptions, options_from
from digest.stages.annotate.quotes import find_quotes
from digest.stages.annotate.text import read_text

__all__ = ["AnnotateOptions", "annotate_document", "options_from"]


def annotate_document(doc: Document, options: AnnotateOptions = AnnotateOptions()) -> Annotations:
    """The annotations of one article: named things, figures, quotes, acronyms, dated events, editor notes."""
    # notes are the editor's and anchor to the rendered text, so they are kept even with annotation off
    body = doc.body
    notes = anchor_notes(doc.notes, render_markdown(body)) if doc.notes else ()
    if not options.enabled:
        return Annotations(notes=notes)
    text = read_text(body)
    definitions = [find_definitions(p) if "(" in p else [] for p in text.paragraphs]
    entities = find_entities(text.paragraphs, definitions, options)
    sentences = [s for paragraph in text.sentences for _, s in paragraph]
    year = doc.date[:4] if doc.date[:4].isdigit() else None
    return Annotations(
        entities=entities,
        events=find_events(sentences, year, doc.slug),
        figures=find_figures(text.paragraphs, text.sentence_at),
        quotes=find_quotes(text.paragraphs, entities),
        acronyms=collect_acronyms(text.paragraphs, [d for defs in definitions for d in defs], options.glossary),
        notes=notes,
    )
