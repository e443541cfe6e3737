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
from typing import Callable, ContextManager

from digest.cache import FOLDER_NAME, Cache, config_part
from digest.config import Config
from digest.errors import ContentError, Diagnostic, Report, Severity
from digest.markdown import render_markdown
from digest.model import Annotations, Article, Document, Site, Source, StrippedArticle
from digest.pages import ParsedPage, document_from, parse_one, read_page_files, sync_pages
from digest.parallel import Executor
from digest.paths import distinct_slugs
from digest.profile import StageTimer
from digest.search import decode_bundle, encode_bundle, search_bundle, search_key
from digest.stages.annotate import annotate_document, options_from
from digest.stages.annotate.corpus import finish_annotations, index_annotations
from digest.stages.annotate.decorate import decorate_html
from digest.stages.ingest import list_sources, read_source
from digest.link_terms import ArticleTerms, article_terms
from digest.stages.link import link_corpus
from digest.stages.render import render_site, template_filters, template_globals
from digest.stages.strip import StripOptions
from digest.stages.write import check_output_folder, write_site
from digest.strip_files import strip_guarded
from digest.theme import find_theme, make_environment
from digest.urls import entity_path, url_for

Progress = Callable[[str, int, int], None]  # (stage, its number, how many stages)
STAGES = ("read", "strip", "pages", "markdown", "annotate", "link", "render", "search", "cache", "write")


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

    def stage(name: str) -> ContextManager[None]:
        """Time a stage, and tell the progress display it is running."""
        progress(name, STAGES.index(name) + 1, len(STAGES))
        return timer.stage(name)

    # Per-article stages are a map over articles: cached by content hash, run by options.executor.
    cache = Cache(root / FOLDER_NAME if options.cache else None)

    def parse_many(pairs: list[tuple[str, str]]) -> list[ParsedPage]:
        return cache.map("read", pairs, lambda pair: pair, parse_one, ParsedPage, options.executor.map)

    # Per-article: sources -> stripped articles -> page files (an editor's `keep:` lines survive a re-strip).
    articles_dir = config.resolve(config.paths.articles)
    with stage("read"):
        existing, problems = read_page_files(articles_dir, root, parse_many)
        report.add(*problems)
    keep = {pf.page.meta.source_file: pf.page.meta.keep for pf in existing if pf.page.meta.source_file}
    with stage("strip"):
        sources: list[Source] = []
        for path in list_sources(config.resolve(config.paths.sources)):
            source, problems = read_source(path, root, config.limits.max_source_bytes)
            report.add(*problems)
            if source is not None:
                sources.append(source)
        jobs = [(s, StripOptions(config.cleaning.boilerplate, keep.get(s.path, ()))) for s in sources]
        stripped = cache.map("strip", jobs, lambda job: (job[0].path, job[0].kind, job[0].sha256,
                                                         config_part(config.cleaning), *job[1].keep),
                             strip_job, StrippedArticle, options.executor.map)
    with stage("pages"):
        usable = [a for a in stripped if not any(d.severity is Severity.ERROR for d in a.diagnostics)]
        problems, written = sync_pages(usable, articles_dir, root, existing, config.cleaning.unicode_slugs)
        report.add(*problems)
        for source, article in zip(sources, stripped):  # what strip says is news only when the page is (re)written
            fresh = article.source_path in written
            report.add(*(d for d in (*source.diagnostics, *article.diagnostics) if fresh or d.severity is Severity.ERROR))
        # Read again only if pages were written (the parse is cached; listing and reading are not).
        page_files = read_page_files(articles_dir, root, parse_many)[0] if written else existing
    if len(page_files) > config.limits.max_articles:
        raise ContentError(Diagnostic(config.paths.articles, f"{len(page_files):,} pages: more than limits.max_articles "
                                      f"({config.limits.max_articles:,})", hint="raise limits.max_articles in config.yaml"))

    # Per-article: documents -> rendered articles.
    documents = [document_from(pf) for pf in page_files]
    documents = [d for d in documents if options.drafts or not d.draft]
    documents, problems = distinct_slugs(documents)
    report.add(*problems)
    with stage("markdown"):
        bodies = cache.map("markdown", [d.body for d in documents], lambda body: ("untrusted", body),
                           partial(render_markdown, allow_html=False), str, options.executor.map)
    with stage("annotate"):
        per_article = cache.map("annotate", documents, lambda d: (config_part(d), config_part(config.annotation)),
                                partial(annotate_document, options=options_from(config.annotation)), Annotations,
                                options.executor.map)
        annotations, problems = finish_annotations(documents, per_article)
        report.add(*problems)
        articles = [Article(doc, decorate_html(html, annotated, lambda key: url_for(config, entity_path(key))), annotated)
                    for doc, html, annotated in zip(documents, bodies, annotations)]
    articles.sort(key=lambda a: (a.doc.date, a.doc.slug), reverse=True)

    # Whole corpus: links, then the site.
    with stage("link"):
        terms = cache.map("terms", [(a.doc, a.annotations) for a in articles], terms_key, terms_job, ArticleTerms,
                          options.executor.map)
        links = link_corpus(documents, {a.doc.slug: t for a, t in zip(articles, terms)},
                            {a.doc.slug: a.annotations for a in articles}, config.linking, config.annotation.aliases)
    with stage("render"):
        site = Site(tuple(articles), links, index_annotations([(a.doc.slug, a.annotations) for a in articles],
                                                             [story.articles for story in links.stories]))
        env = make_environment(theme, template_globals(config), template_filters())
        static = {name: path.read_bytes() for name, path in theme.static_files().items()}
        files = render_site(site, config, env, static)
    with stage("search"):  # the whole index is one cached value: rebuilt only when an article page changed
        search_problems: list[Diagnostic] = []

        def index() -> dict[str, str]:
            bundle, problems = search_bundle(files, config)
            search_problems.extend(problems)
            return encode_bundle(bundle)

        files.update(decode_bundle(cache.cached("search", [search_key(files, config)], index, dict[str, str])))
        report.add(*search_problems)
    with stage("cache"):
        cache.save()

    if report.errors:
        raise ContentError(report.diagnostics)
    with stage("write"):
        write_site(files, output, reuse=cache.subfolder("previous-site"))
    result.articles = len(articles)
    result.files = len(files)
    result.seconds = time.perf_counter() - started
    result.timings = dict(timer.seconds)
    return result


def terms_key(job: tuple[Document, Annotations]) -> tuple[str, ...]:
    """What article_terms reads: the title, the body and the named things with their counts."""
    doc, annotations = job
    return doc.title, doc.body, "\n".join(f"{e.name}\t{e.count}" for e in annotations.entities)


def terms_job(job: tuple[Document, Annotations]) -> ArticleTerms:
    return article_terms(*job)


def strip_job(job: tuple[Source, StripOptions]) -> StrippedArticle:
    """strip_guarded of one (source, options) pair: a top-level function, so a process pool can run it."""
    return strip_guarded(*job)


def load_documents(config: Config) -> tuple[list[Document], Report]:
    """The documents of content/articles/ as they stand, without building (for check and strip)."""
    report = Report()
    page_files, problems = read_page_files(config.resolve(config.paths.articles), config.root.resolve())
    report.add(*problems)
    return [document_from(pf) for pf in page_files], report
