"""build_site: the pipeline, top to bottom.

    sources --ingest--> Source --strip--> StrippedArticle --convert--> content/articles/*.md
    content/articles/*.md --read--> Document --annotate, render Markdown--> Article
    [Article] --link--> Links;  Site --render--> {path: bytes} --write--> site/

Per-article work (strip, convert, annotate, Markdown) is a map over articles: it runs in any
order, in parallel (digest.parallel) and is cached by content hash (digest.cache); linking needs
the whole corpus and runs once, after. Problems are collected into a Report;
content errors skip that article and fail the build at the end, after every problem is known.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from functools import partial
from typing import Callable

from digest.cache import FOLDER_NAME, Cache, config_part
from digest.config import Config
from digest.errors import ContentError, Diagnostic, Report
from digest.markdown import render_markdown
from digest.model import Article, Document, Links, Site, StrippedArticle
from digest.pages import ParsedPage, document_from, parse_one, read_page_files, sync_pages
from digest.parallel import Executor
from digest.profile import StageTimer
from digest.stages.ingest import list_sources, read_source
from digest.stages.render import render_site, template_globals
from digest.stages.strip import strip_source
from digest.stages.write import check_output_folder, write_site
from digest.theme import find_theme, make_environment

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class BuildOptions:
    output: Path | None = None  # overrides config paths.output
    drafts: bool = False
    progress: Progress | None = None
    executor: Executor = Executor()  # where per-article stages run (digest build --executor)
    cache: bool = True  # keep per-article results in .digest-cache/ between builds (off: --no-cache)
    timer: StageTimer | None = None  # records the time of each stage (digest build --profile)


@dataclass
class BuildResult:
    report: Report
    articles: int = 0
    files: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


def output_folder(config: Config, options: BuildOptions) -> Path:
    return (options.output or config.resolve(config.paths.output)).resolve()


def build_site(config: Config, options: BuildOptions = BuildOptions()) -> BuildResult:
    """Build the digest of config into its output folder; raises ContentError (after writing nothing) on broken content."""
    started = time.perf_counter()
    report = Report()
    result = BuildResult(report)
    root = config.root.resolve()
    output = output_folder(config, options)
    check_output_folder(output, root, [config.resolve(config.paths.sources), config.resolve(config.paths.articles),
                                       config.resolve(config.paths.themes), root / FOLDER_NAME])
    theme = find_theme(config.theme, config.resolve(config.paths.themes))
    progress = options.progress or (lambda stage, done, total: None)
    timer = options.timer or StageTimer()
    # Per-article stages are a map over articles: cached by content hash, run by options.executor.
    cache = Cache(root / FOLDER_NAME if options.cache else None)

    def parse_many(pairs: list[tuple[str, str]]) -> list[ParsedPage]:
        return cache.map("read", pairs, lambda pair: pair, parse_one, ParsedPage, options.executor.map)

    # Per-article: sources -> stripped articles -> page files.
    with timer.stage("strip"):
        sources = []
        for path in list_sources(config.resolve(config.paths.sources)):
            source, problems = read_source(path, root, config.limits.max_source_bytes)
            report.add(*problems)
            if source is not None:
                report.add(*source.diagnostics)
                sources.append(source)
        stripped = cache.map("strip", sources, lambda s: (s.path, s.kind, s.sha256, config_part(config.cleaning)),
                             strip_source, StrippedArticle, options.executor.map)
        for article in stripped:
            report.add(*article.diagnostics)
        progress("strip", len(sources), len(sources))
    with timer.stage("read"):
        articles_dir = config.resolve(config.paths.articles)
        existing, problems = read_page_files(articles_dir, root, parse_many)
        report.add(*problems)
        report.add(*sync_pages(stripped, articles_dir, root, existing, config.cleaning.unicode_slugs))
        # Read again only if sources could have written pages (the parse is cached; listing and reading are not).
        page_files = read_page_files(articles_dir, root, parse_many)[0] if stripped else existing
    if len(page_files) > config.limits.max_articles:
        raise ContentError(Diagnostic(config.paths.articles, f"{len(page_files):,} pages: more than limits.max_articles "
                                      f"({config.limits.max_articles:,})", hint="raise limits.max_articles in config.yaml"))

    # Per-article: documents -> rendered articles.
    documents = [document_from(pf) for pf in page_files]
    documents = [d for d in documents if options.drafts or not d.draft]
    with timer.stage("markdown"):
        bodies = cache.map("markdown", [d.body for d in documents], lambda body: ("untrusted", body),
                           partial(render_markdown, allow_html=False), str, options.executor.map)
        articles = [Article(doc, html) for doc, html in zip(documents, bodies)]
        progress("render", len(documents), len(documents))
    articles.sort(key=lambda a: (a.doc.date, a.doc.slug), reverse=True)

    # Whole corpus: links, then the site.
    with timer.stage("render"):
        site = Site(tuple(articles), Links())
        env = make_environment(theme, template_globals(config), {})
        static = {name: path.read_bytes() for name, path in theme.static_files().items()}
        files = render_site(site, config, env, static)
    with timer.stage("cache"):
        cache.save()

    if report.errors:
        raise ContentError(report.diagnostics)
    with timer.stage("write"):
        write_site(files, output, reuse=cache.subfolder("previous-site"))
    result.articles = len(articles)
    result.files = len(files)
    result.seconds = time.perf_counter() - started
    result.timings = dict(timer.seconds)
    return result


def load_documents(config: Config) -> tuple[list[Document], Report]:
    """The documents of content/articles/ as they stand, without building (for check and strip)."""
    report = Report()
    page_files, problems = read_page_files(config.resolve(config.paths.articles), config.root.resolve())
    report.add(*problems)
    return [document_from(pf) for pf in page_files], report
