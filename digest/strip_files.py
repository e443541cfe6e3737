"""Strip many source files at once: the I/O edge of the strip stage, shared by `digest strip` and `digest build`.

Files are independent, so they are spread over a process pool; results come back in input order.
A file that cannot be read or decoded yields its diagnostics and no article; the others go on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

from digest.errors import Diagnostic, Severity
from digest.model import Source, StrippedArticle
from digest.stages.ingest import read_source
from digest.stages.strip import StripOptions, strip_source

# A pool pays for its forking and pickling only over half a second of stripping or more (60 saved pages
# take 0.7 s in one process, and two free cores strip them in 0.45 s); below that (60 pages of text take a
# fifth of a second) it adds CPU time and, on a busy machine, wall time too (bench/README.md).
_POOL_MIN_SECONDS = 0.5
# Stripping cost per byte of source, measured on the extraction bench's pages: text goes through every
# line rule; HTML is mostly markup, which the extractor parses and drops, and costs less per byte.
_SECONDS_PER_BYTE = {"html": 0.09e-6, "text": 0.4e-6}


@dataclass(frozen=True)
class StripResult:
    """One file's outcome: the article (None when it could not be read) and every problem found."""

    path: Path
    article: StrippedArticle | None
    diagnostics: tuple[Diagnostic, ...]


@dataclass(frozen=True)
class StripJob:
    path: Path
    root: Path
    options: StripOptions
    max_bytes: int | None


def strip_file(job: StripJob) -> StripResult:
    """Read, decode and strip one file; never raises for a bad file."""
    source, problems = read_source(job.path, job.root, job.max_bytes)
    if source is None:
        return StripResult(job.path, None, tuple(problems))
    article = strip_guarded(source, job.options)
    failed = any(d.severity is Severity.ERROR for d in article.diagnostics)
    return StripResult(job.path, None if failed else article, (*source.diagnostics, *article.diagnostics))


def strip_guarded(source: Source, options: StripOptions) -> StrippedArticle:
    """strip_source, with a page too deeply nested to extract turned into an error instead of a crash."""
    try:
        return strip_source(source, options)
    except RecursionError:  # a pathologically nested HTML page
        return StrippedArticle(source.path, title="", body="", diagnostics=(Diagnostic(
            source.path, "the page is nested too deeply to extract", hint="save the article as text instead"),))


def strip_files(jobs: Sequence[StripJob], workers: int | None = None) -> Iterator[StripResult]:
    """The results of jobs in order, computed in parallel across cores when there is enough work to share.

    workers None means one per idle core, and a pool only for enough work; a number asks for that many.
    """
    if workers is None:
        from digest.parallel import idle_cores  # with the pool's modules: not imported for a few files

        workers = idle_cores() if _seconds(jobs) >= _POOL_MIN_SECONDS else 1
    if workers <= 1 or len(jobs) < 2:
        yield from map(strip_file, jobs)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if any(_is_html(job.path) for job in jobs):
        from digest.stages.strip.html import warm_up

        warm_up()  # once here, not once per worker: the workers fork with trafilatura imported and warm

    # fork where the platform has it: the children start with the strip modules already imported
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    chunk = max(1, min(16, len(jobs) // (workers * 4)))
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method)) as pool:
        yield from pool.map(strip_file, jobs, chunksize=chunk)


def _seconds(jobs: Sequence[StripJob]) -> float:
    """A rough estimate of the seconds the stripping jobs take in one process, from their sizes."""
    total = 0.0
    for job in jobs:
        try:
            size = job.path.stat().st_size
        except OSError:
            continue
        total += size * _SECONDS_PER_BYTE["html" if _is_html(job.path) else "text"]
    return total


def _is_html(path: Path) -> bool:
    return path.suffix.lower() in (".html", ".htm")
