"""Benchmark the annotate stage: quality on a hand-labelled set, speed on a synthetic corpus.

    python3 bench/annotate.py                                   # quality on bench/data/labelled.yaml
    python3 bench/annotate.py --corpus DIR [--jobs 2]           # speed on a `make_corpus.py --format digest` folder
    python3 bench/annotate.py --corpus DIR --jobs 2 --stories DIR/site/digest.json   # as a build does it
    python3 bench/annotate.py --corpus DIR --stories DIR/site/digest.json --updates [--found FILE]

Quality: precision and recall of named things, figures and quotes (aim: both >= 0.9).
Speed: the per-article stage over every article of the corpus, then the whole-digest step
(one key per named thing, the index); aim: 10,000 articles in under 10 s.
Updates: the whole-digest states (digest serve) updated for one saved article at a time, each step
timed: 30 edits that add a sentence (a figure, a name the digest knows, a new name), one article
added and one removed; aim: 10 to 20 ms in all at 10,000 articles. The results are then checked
against the full steps. --found keeps the articles' annotations in a file (annotating takes ~20 s).
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import os
import pickle
import random
import resource
import statistics
import sys
import time
from functools import partial
from pathlib import Path
from typing import Callable, TypeVar

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from digest.data import read_digest  # noqa: E402
from digest.frontmatter import parse_page  # noqa: E402
from digest.model import Annotations, Document, encode_text  # noqa: E402
from digest.parallel import Executor  # noqa: E402
from digest.stages.annotate import AnnotateOptions, annotate_document  # noqa: E402
from digest.stages.annotate.corpus import index_annotations, unify_entities  # noqa: E402
from digest.stages.annotate.discrepancies import discrepancy_state, update_discrepancies  # noqa: E402
from digest.stages.annotate.index import index_state, update_index  # noqa: E402
from digest.stages.annotate.unification import entity_state, update_entities  # noqa: E402
from digest.stages.annotate.entities import norm_key  # noqa: E402

LABELLED = Path(__file__).resolve().parent / "data" / "labelled.yaml"


def _score(matched_predicted: int, predicted: int, matched_gold: int, gold: int) -> tuple[float, float]:
    return (matched_predicted / predicted if predicted else 1.0, matched_gold / gold if gold else 1.0)


def quality(path: Path, verbose: bool) -> dict[str, tuple[float, float]]:
    """{kind: (precision, recall)} of annotate_document against the labels of path."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    counts = {kind: [0, 0, 0, 0] for kind in ("entities", "figures", "quotes")}  # matched pred, pred, matched gold, gold
    for item in data["articles"]:
        found = annotate_document(Document(f"{item['id']}.md", item["id"], item["id"], "2023-01-01", encode_text(item["text"])))
        gold_entities = [{norm_key(n) for n in label.split(" | ")} for label in item.get("entities", [])]
        predicted = [{norm_key(e.name), *(norm_key(f) for f in e.forms)} for e in found.entities]
        hits_p = [any(p & g for g in gold_entities) for p in predicted]
        hits_g = [any(p & g for p in predicted) for g in gold_entities]
        _add(counts["entities"], hits_p, hits_g)
        gold_figures = [" ".join(f.split()) for f in item.get("figures", [])]
        predicted_figures = [" ".join(f.text.split()) for f in found.figures]
        _add(counts["figures"], [f in gold_figures for f in predicted_figures], [f in predicted_figures for f in gold_figures])
        gold_quotes = item.get("quotes", [])

        def same(q: object, g: dict[str, str]) -> bool:
            return q.text.startswith(g["starts"]) and q.speaker.lower() == g["speaker"].lower()  # type: ignore[attr-defined]

        _add(counts["quotes"], [any(same(q, g) for g in gold_quotes) for q in found.quotes],
             [any(same(q, g) for q in found.quotes) for g in gold_quotes])
        if verbose:
            for e, hit in zip(found.entities, hits_p):
                if not hit:
                    print(f"  {item['id']}: extra entity {e.name!r} ({e.kind})")
            for label, hit in zip(item.get("entities", []), hits_g):
                if not hit:
                    print(f"  {item['id']}: missed entity {label!r}")
            for f in predicted_figures:
                if f not in gold_figures:
                    print(f"  {item['id']}: extra figure {f!r}")
            for f in gold_figures:
                if f not in predicted_figures:
                    print(f"  {item['id']}: missed figure {f!r}")
            for q in found.quotes:
                if not any(same(q, g) for g in gold_quotes):
                    print(f"  {item['id']}: extra quote {q.speaker!r}: {q.text[:40]!r}")
            for g in gold_quotes:
                if not any(same(q, g) for q in found.quotes):
                    print(f"  {item['id']}: missed quote {g['speaker']!r}: {g['starts']!r}")
    return {kind: _score(*c) for kind, c in counts.items()}


def _add(counter: list[int], hits_predicted: list[bool], hits_gold: list[bool]) -> None:
    counter[0] += sum(hits_predicted)
    counter[1] += len(hits_predicted)
    counter[2] += sum(hits_gold)
    counter[3] += len(hits_gold)


def load_corpus(folder: Path) -> list[Document]:
    documents = []
    for path in sorted((folder / "content" / "articles").glob("*.md")):
        page, _ = parse_page(path.read_text(encoding="utf-8"), path.name)
        if page is not None:
            documents.append(Document(path.name, path.stem, page.meta.title, page.meta.date or "", encode_text(page.body)))
    return documents


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children: on a shared, busy machine wall time
    says more about the neighbours than about digest."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def speed(folder: Path, jobs: int, stories_from: Path | None) -> None:
    documents = load_corpus(folder)
    # A build looks for discrepancies within the link stage's stories; without them, between every two
    # articles that share two named things (the stand-in, many more pairs).
    stories = None
    if stories_from is not None:
        stories = [tuple(s["articles"]) for s in read_digest(stories_from.parent)["stories"]]
    cpu_started = _cpu_seconds()
    started = time.perf_counter()
    # the build's own map: a process pool as `digest build` runs it, or one process
    executor = Executor("process", workers=jobs) if jobs > 1 else Executor("serial")
    found = executor.map(partial(annotate_document, options=AnnotateOptions()), documents, acyclic=True)
    per_article = time.perf_counter() - started
    per_article_cpu = _cpu_seconds() - cpu_started
    unified = unify_entities(found)
    index = index_annotations([(doc.slug, a) for doc, a in zip(documents, unified)], stories or ())
    total = time.perf_counter() - started
    total_cpu = _cpu_seconds() - cpu_started
    within = f"the {len(stories)} stories of {stories_from}" if stories is not None else "pairs sharing two named things"
    print(f"{len(documents)} articles, {jobs} process(es), discrepancies within {within}, "
          f"load average {os.getloadavg()[0]:.1f}:")
    print(f"  per-article annotate       {per_article:6.2f} s wall  {per_article_cpu:6.2f} s CPU")
    print(f"  whole digest (keys, index,  {total - per_article:6.2f} s wall  {total_cpu - per_article_cpu:6.2f} s CPU"
          "\n   discrepancies)")
    print(f"  total                      {total:6.2f} s wall  {total_cpu:6.2f} s CPU")
    print(f"  {len(index.entities)} named things, {sum(len(a.figures) for a in found)} figures, "
          f"{sum(len(a.quotes) for a in found)} quotes, {len(index.discrepancies)} discrepancies")


T = TypeVar("T")


def _timed(step: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = step()
    return result, (time.perf_counter() - started) * 1000


def _edited(doc: Document, sentence: str) -> Document:
    return dataclasses.replace(doc, body_utf8=encode_text(f"{doc.body}\n\n{sentence}\n"))


def updates(folder: Path, stories_from: Path | None, found_file: Path | None, edits: int) -> None:
    """Time the whole-digest states' updates for one saved article at a time (see the module's doc)."""
    documents = load_corpus(folder)
    options = AnnotateOptions()
    if found_file is not None and found_file.exists():
        found = pickle.loads(found_file.read_bytes())
    else:
        found = Executor("process", workers=2).map(partial(annotate_document, options=options), documents, acyclic=True)
        if found_file is not None:
            found_file.write_bytes(pickle.dumps(found))
    groups = [tuple(s["articles"]) for s in read_digest(stories_from.parent)["stories"]] if stories_from else []
    by_slug = {doc.slug: doc for doc in documents}
    now: dict[str, Annotations] = {doc.slug: a for doc, a in zip(documents, found)}
    (entities, unified), full_entities = _timed(lambda: entity_state(now))
    unified = dict(unified)
    (index, _, _), full_index = _timed(lambda: index_state([(s, by_slug[s].date, a) for s, a in unified.items()]))
    (checks, _), full_checks = _timed(lambda: discrepancy_state(unified, groups))
    gc.freeze()  # as digest serve leaves what its builds hold, out of the collector's walks (digest.collector)
    print(f"{len(documents)} articles, {len(groups)} stories; the states made in {full_entities:.0f} + {full_index:.0f} "
          f"+ {full_checks:.0f} ms (named things, index, discrepancies)")
    rng = random.Random(1)
    names = sorted({e.name for a in found for e in a.entities})
    times: dict[str, list[float]] = {}

    def save(label: str, changed: dict[str, Document | None], new_groups: list[tuple[str, ...]]) -> None:
        nonlocal entities, index, checks, groups
        annotated = {slug: None if doc is None else annotate_document(doc, options) for slug, doc in changed.items()}
        for slug, doc in changed.items():
            if doc is None:
                by_slug.pop(slug, None)
                unified.pop(slug, None)
            else:
                by_slug[slug] = doc
        (entities, rekeyed), named = _timed(lambda: update_entities(entities, annotated))
        unified.update(rekeyed)
        gone: dict[str, tuple[str, Annotations] | None] = {s: None for s, a in annotated.items() if a is None}
        (index, _, _), listed = _timed(lambda: update_index(index, {**{s: (by_slug[s].date, a) for s, a in rekeyed.items()}, **gone}))
        (checks, _), asked = _timed(lambda: update_discrepancies(checks, {**rekeyed, **{s: None for s in gone}}, new_groups))
        groups = new_groups
        for step, ms in (("named things", named), ("index", listed), ("discrepancies", asked), ("in all", named + listed + asked)):
            times.setdefault(step, []).append(ms)
        print(f"  {label:58} {named:6.1f} {listed:6.1f} {asked:6.1f} ms  ({len(rekeyed)} rekeyed)")

    print(f"  {'save':58} {'named':>6} {'index':>6} {'checks':>6}")
    for n, slug in enumerate(rng.sample(sorted(by_slug), edits)):
        doc = by_slug[slug]
        kind = ("a figure", "a name the digest knows", "a new name")[n % 3]
        mentioned = [e.name for e in now[slug].entities] or ["The ministry"]
        sentence = (f"{rng.choice(mentioned)} signed the contract for ${rng.randint(11, 99) / 10} billion, officials said." if n % 3 == 0
                    else f"{rng.choice(names)} said the plan would go ahead." if n % 3 == 1
                    else f"Zofia Quellbrandt-{n} of the Orvanti Institute said the plan would go ahead.")
        save(f"{slug[:40]}: {kind}", {slug: _edited(doc, sentence)}, groups)
    story = max(groups, key=len) if groups else ()
    model = by_slug[story[0]] if story else documents[0]
    added = dataclasses.replace(model, path="added.md", slug="zz-added-article", date=model.date)
    save("an article added to the largest story", {added.slug: added},
         [g + (added.slug,) if g == story else g for g in groups])
    removed = story[-1] if story else documents[-1].slug
    save(f"{removed[:40]}: removed", {removed: None}, [tuple(s for s in g if s != removed) for g in groups])
    for step, ms in times.items():
        print(f"  {step:14} median {statistics.median(ms):6.1f} ms, worst {max(ms):6.1f} ms")
    found_now = {slug: annotate_document(doc, options) for slug, doc in by_slug.items()}
    assert unified == entity_state(found_now)[1], "updated unification differs"
    assert index_state([(s, by_slug[s].date, a) for s, a in unified.items()])[1:] == update_index(index, {})[1:], "index differs"
    assert discrepancy_state(unified, groups)[1] == update_discrepancies(checks, {}, groups)[1], "discrepancies differ"
    print("  the updated states equal the full steps run again")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--labelled", type=Path, default=LABELLED)
    parser.add_argument("--corpus", type=Path, help="a folder written by make_corpus.py --format digest")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--stories", type=Path, help="a digest.json of the corpus (from `digest build`): look for "
                        "discrepancies within its stories, as a build does")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss and every extra")
    parser.add_argument("--updates", action="store_true", help="time the whole-digest states' updates for single saves")
    parser.add_argument("--edits", type=int, default=30)
    parser.add_argument("--found", type=Path, help="with --updates: a file to keep the articles' annotations in")
    args = parser.parse_args()
    if args.corpus and args.updates:
        updates(args.corpus, args.stories, args.found, args.edits)
        return
    if args.corpus:
        speed(args.corpus, args.jobs, args.stories)
        return
    for kind, (precision, recall) in quality(args.labelled, args.verbose).items():
        print(f"{kind:9} precision {precision:.3f}  recall {recall:.3f}")


if __name__ == "__main__":
    main()
