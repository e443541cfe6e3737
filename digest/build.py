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
from digest.errors import ContentError, Report
from digest.markdown import render_markdown
from digest.model import Article, Document, Site
from digest.pages import document_from, read_page_files, sync_pages
from digest.stages.ingest import list_sources, read_source
from digest.stages.link import link_articles
from digest.stages.render import render_site, template_globals
from digest.stages.strip import strip_source
from digest.stages.write import check_output_folder, write_site
from digest.story_pages import link_template_globals
from digest.theme import find_theme, make_environment

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

    # Per-article: sources -> stripped articles -> page files.
    source_paths = list_sources(config.resolve(config.paths.sources))
    stripped = []
    for i, path in enumerate(source_paths):
        source, problems = read_source(path, root)
        report.add(*problems)
        if source is not None:
            report.add(*source.diagnostics)
            article = strip_source(source)
            report.add(*article.diagnostics)
            stripped.append(article)
        progress("strip", i + 1, len(source_paths))
    articles_dir = config.resolve(config.paths.articles)
    existing, problems = read_page_files(articles_dir, root)
    report.add(*problems)
    report.add(*sync_pages(stripped, articles_dir, root, existing, config.cleaning.unicode_slugs))
    page_files, problems = read_page_files(articles_dir, root)

    # Per-article: documents -> rendered articles.
    documents = [document_from(pf) for pf in page_files]
    documents = [d for d in documents if options.drafts or not d.draft]
    articles = []
    for i, doc in enumerate(documents):
        articles.append(Article(doc, render_markdown(doc.body, allow_html=False)))
        progress("render", i + 1, len(documents))
    articles.sort(key=lambda a: (a.doc.date, a.doc.slug), reverse=True)

    # Whole corpus: links, then the site.
    links = link_articles(documents, {a.doc.slug: a.annotations for a in articles}, config.linking, config.annotation.aliases)
    site = Site(tuple(articles), links)
    env = make_environment(theme, {**template_globals(config), **link_template_globals(site, config)}, {})
    static = {name: path.read_bytes() for name, path in theme.static_files().items()}
    files = render_site(site, config, env, static)

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
