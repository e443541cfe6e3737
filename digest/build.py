"""build_site: the pipeline, top to bottom.

    sources --ingest--> Source --strip--> StrippedArticle --convert--> content/articles/*.md
    content/articles/*.md --read--> Document --annotate, render Markdown--> Article
    [Article] --link--> Links;  Site --render--> {path: bytes} --write--> site/

Per-article work (strip, convert, annotate, Markdown) runs article by article, in any order;
linking needs the whole corpus and runs once, after. Problems are collected into a Report;
content errors skip that article and fail the build at the end, after every problem is known.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from digest.config import Config
from digest.errors import ContentError, Diagnostic, Report, Severity
from digest.markdown import render_markdown
from digest.model import Article, Document, Links, Site
from digest.pages import document_from, read_page_files, sync_pages
from digest.stages.annotate import options_from
from digest.stages.annotate.corpus import annotate_documents, index_annotations
from digest.stages.annotate.decorate import decorate_html
from digest.paths import distinct_slugs
from digest.stages.ingest import list_sources
from digest.search import search_bundle
from digest.stages.render import render_site, template_filters, template_globals
from digest.stages.strip import StripOptions
from digest.stages.write import check_output_folder, write_site
from digest.strip_files import StripJob, strip_files
from digest.theme import find_theme, make_environment
from digest.urls import entity_path, url_for

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class BuildOptions:
    output: Path | None = None  # overrides config paths.output
    drafts: bool = False
    progress: Progress | None = None


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
                                       config.resolve(config.paths.themes)])
    theme = find_theme(config.theme, config.resolve(config.paths.themes))
    progress = options.progress or (lambda stage, done, total: None)

    # Per-article: sources -> stripped articles -> page files (an editor's `keep:` lines survive a re-strip).
    articles_dir = config.resolve(config.paths.articles)
    existing, problems = read_page_files(articles_dir, root)
    report.add(*problems)
    keep = {(root / pf.page.meta.source_file).resolve(): pf.page.meta.keep for pf in existing if pf.page.meta.source_file}
    source_paths = list_sources(config.resolve(config.paths.sources))
    jobs = [StripJob(path, root, StripOptions(config.cleaning.boilerplate, keep.get(path.resolve(), ())),
                     config.limits.max_source_bytes) for path in source_paths]
    outcomes = []
    for i, outcome in enumerate(strip_files(jobs)):  # in parallel across cores when there is enough work
        outcomes.append(outcome)
        progress("strip", i + 1, len(source_paths))
    stripped = [o.article for o in outcomes if o.article is not None]
    problems, written = sync_pages(stripped, articles_dir, root, existing, config.cleaning.unicode_slugs)
    report.add(*problems)
    for outcome in outcomes:  # what strip says about an article is news only when its page is (re)written
        fresh = outcome.article is None or outcome.article.source_path in written
        report.add(*(d for d in outcome.diagnostics if fresh or d.severity is Severity.ERROR))
    page_files, problems = read_page_files(articles_dir, root)
    if len(page_files) > config.limits.max_articles:
        raise ContentError(Diagnostic(config.paths.articles, f"{len(page_files):,} pages: more than limits.max_articles "
                                      f"({config.limits.max_articles:,})", hint="raise limits.max_articles in config.yaml"))

    # Per-article: documents -> rendered articles.
    documents = [document_from(pf) for pf in page_files]
    documents = [d for d in documents if options.drafts or not d.draft]
    documents, problems = distinct_slugs(documents)
    report.add(*problems)
    annotations, problems = annotate_documents(documents, options_from(config.annotation))
    report.add(*problems)
    articles = []
    for i, (doc, found) in enumerate(zip(documents, annotations)):
        html = decorate_html(render_markdown(doc.body, allow_html=False), found, lambda key: url_for(config, entity_path(key)))
        articles.append(Article(doc, html, found))
        progress("render", i + 1, len(documents))
    articles.sort(key=lambda a: (a.doc.date, a.doc.slug), reverse=True)

    # Whole corpus: links, then the site.
    links = Links()
    site = Site(tuple(articles), links, index_annotations([(a.doc.slug, a.annotations) for a in articles],
                                                         [story.articles for story in links.stories]))
    env = make_environment(theme, template_globals(config), template_filters())
    static = {name: path.read_bytes() for name, path in theme.static_files().items()}
    files = render_site(site, config, env, static)
    search_files, problems = search_bundle(files, config)
    report.add(*problems)
    files.update(search_files)

    if report.errors:
        raise ContentError(report.diagnostics)
    write_site(files, output)
    result.articles = len(articles)
    result.files = len(files)
    result.seconds = time.perf_counter() - started
    return result


def load_documents(config: Config) -> tuple[list[Document], Report]:
    """The documents of content/articles/ as they stand, without building (for check and strip)."""
    report = Report()
    page_files, problems = read_page_files(config.resolve(config.paths.articles), config.root.resolve())
    report.add(*problems)
    return [document_from(pf) for pf in page_files], report
