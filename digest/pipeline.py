"""The stages of a build, from the sources to the written site: build_site (digest.build) runs them
when the site is not already up to date. See digest.build for the picture of the pipeline.

Imported only when there is work to do: it brings in NumPy, SciPy, Jinja2 and the extractors,
whose import alone takes longer than checking that nothing changed.
"""

from __future__ import annotations

import dataclasses
import os
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from contextlib import ExitStack
from functools import partial
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Callable, ContextManager, Iterable, Iterator, Mapping, MutableMapping, Sequence, TypeVar

from digest.cache import FOLDER_NAME, Cache, config_part
from digest.config import Config, Linking
from digest.errors import ContentError, Diagnostic, Interrupted, Report, Severity, stop_if_asked
from digest.interning import ByIdentity, same_objects
from digest.link_terms import ArticleTerms, article_terms
from digest.markdown import render_markdown
from digest.model import (KEEP, AnnotationIndex, Annotations, Article, Discrepancy, Document, Keep, Links, Site,
                          Source, StrippedArticle, encode_text)
from digest.pages import PageFile, ParsedPage, documents_from, parse_one, read_page_files, recover_pages, sync_pages
from digest.parallel import Executor
from digest.paths import distinct_slugs, safe_slug
from digest.render_memo import (Fingerprints, LastRender, RenderMemory, RenderMemo, base_key, changed_atoms, load_memo,
                                save_memo)
from digest.search import (BUNDLE, SHARDS, PartFiles, digests_key, indexed, load_kept_parts,
                           load_page_digests, page_digest, save_kept_parts, save_page_digests, search_bundle,
                           search_bundle_in, shard_list, shards)
from digest.stages.annotate import annotate_document, options_from
from digest.stages.annotate.corpus import discrepancies_of, finish_annotations, index_annotations, orphaned_notes
from digest.stages.annotate.discrepancies import DiscrepancyState, discrepancy_inputs, discrepancy_state
from digest.stages.annotate.index import IndexState, index_state
from digest.stages.annotate.unification import EntityState, entity_state
from digest.stages.annotate.decorate import decorate_html
from digest.stages.ingest import list_sources, read_source
from digest.stages.link import LinkState, link_corpus, link_state
from digest.stages.render import article_pages, describe, render_site, template_filters, template_globals
from digest.stages.strip import StripOptions
from digest.stages.write import LiveOutput, StagedSite, file_digest, update_in_place, write_first, write_site
from digest.story_ids import read_story_ids, save_story_ids, story_ids_text
from digest.strip_files import strip_guarded
from digest.theme import Theme, check_templates_again, make_environment
from digest.uptodate import Inputs, LastBuild, output_files, save_record, with_story_ids
from digest.urls import entity_path, url_for

if TYPE_CHECKING:
    import jinja2

    from digest.build import BuildMemory, BuildOptions
    from digest.delta import Update

T = TypeVar("T")
R = TypeVar("R")
IN_PROCESS = Executor("serial")


def run_stages(config: Config, options: BuildOptions, theme: Theme, output: Path, inputs: Inputs, report: Report,
               stage: Callable[[str], ContextManager[None]], model: Model | None = None) -> tuple[int, int]:
    """Build into output; (articles, files). Problems go into report; raises ContentError (after writing nothing).
    Given a model (digest serve's update for saved pages, digest.delta), only the stages from render on run."""
    with ExitStack() as cleanup:  # the staging folder of the new site goes at the end, whatever happens
        return _run_stages(config, options, theme, output, inputs, report, stage, cleanup, model)


def _run_stages(config: Config, options: BuildOptions, theme: Theme, output: Path, inputs: Inputs, report: Report,
                stage: Callable[[str], ContextManager[None]], cleanup: ExitStack, model: Model | None) -> tuple[int, int]:
    cache_folder = config.root.resolve() / FOLDER_NAME if options.cache else None
    # Per-article stages are a map over articles: cached by content hash, run by options.executor.
    cache = Cache(cache_folder, options.memory.cache if options.memory is not None else None)
    walked: dict[Path, dict[str, tuple[int, int, int]] | None] = {}

    def live_files(folder: Path) -> dict[str, tuple[int, int, int]] | None:
        """The files of the output folder before this build writes it: as digest serve's last build left them,
        when it knows, else walked (once a build)."""
        known = options.live.known(folder) if options.live is not None else None
        if known is not None:
            return known
        if folder not in walked:
            walked[folder] = output_files(folder)
        return walked[folder]

    # The articles live only while the site is made from them (400 MB at 10,000 articles); the rest works from its files.
    made = (_render_model(model, config, options, theme, output, stage, cache, live_files, cleanup, saved=True)
            if model is not None else _site_files(config, options, theme, output, report, stage, cache, live_files, cleanup))
    files = made.files
    after = _search_after(options, output)
    if after is not None and options.live is not None and not report.errors:
        # digest serve: the pages go live at once; the search index is made and written by a step it runs once
        # the browser shows them (until then the server holds requests for it back: it never serves the last
        # build's index beside the new pages). At 10,000 articles the pages go live about 2.5 s sooner.
        stop_if_asked(options.interrupt, "write")  # (before writing: once begun, the pages are all written)
        with stage("write"):
            pages_written = update_in_place(files, output, options.live, later=BUNDLE)
        if pages_written is not None:
            _keep_model(options.memory, made)
            inputs = _keep_story_ids(config, made, inputs, report)
            after.append(partial(_search_after_pages, options.live, options.memory, output, cache, made, inputs, report,
                                 options.deferred))
            return made.articles, len(files)
    with stage("search"):  # begun beside the rendering (index_articles in _site_files): here it is waited for
        index = _finished_search(made, options.memory, report)
        cache.save_stages("search")  # its parts written to the cache and let go: the files hold them (take_files)
        for part in index.take_files():
            files.update(part)
    with stage("cache"):
        cache.save()

    if report.errors:
        raise ContentError(report.diagnostics)
    _keep_model(options.memory, made)
    with stage("write"):
        # digest serve writes what changed into the folder it knows; a build writes a new site and swaps it in.
        written_files = update_in_place(files, output, options.live, index.hashes) if options.live is not None else None
        if written_files is None:
            if isinstance(files, StagedSite):
                files.finish()  # the new site, written as it was made
                written_files = files.file_stats()
            else:
                write_site(files, output, reuse=cache.subfolder("previous-site"))
                written_files = output_files(output)
            if options.live is not None:
                options.live.remember(output, written_files)
        inputs = _keep_story_ids(config, made, inputs, report)
        # Records for the next build; digest serve writes them once the browser has been told (options.deferred).
        # Each is checked against the output's files when read, so one that is late or missing costs only time.
        _leave_or_write(_records(cache.folder, output, made, index, written_files, inputs, report, options.memory),
                        options.deferred)
    return made.articles, len(files)


def first_pages(update: Update, config: Config, options: BuildOptions, theme: Theme, output: Path) -> None:
    """digest serve's update for saved pages (digest.delta): the saved articles' pages, rendered from the updated model
    and written into the output folder at once; until the rest of the site is written (run_stages with the model),
    a reader of any other page of it waits (LiveOutput.held_back), so none is served from the last build beside them."""
    live, memory = options.live, options.memory
    assert live is not None and memory is not None
    env = environment(theme, config, memory)
    pages = article_pages(update.model.site, config, env, update.saved)
    if not write_first(pages, output, live, waiting=_other_than(pages)):
        from digest.delta import NotIncremental

        raise NotIncremental("the output folder is not the one this process wrote")
    # What the last build kept of the output, with these pages as they are now: the render memo renders them again
    # (its keys say what they held before), the search index reads them again.
    files = live.known(output) or {}
    if memory.render is not None:
        keys = {path: key for path, key in memory.render.last.keys.items() if path not in pages}
        atoms = {path: found for path, found in memory.render.last.atoms.items() if path not in pages}
        memory.render = dataclasses.replace(memory.render, files=files, last=LastRender(keys, atoms))
    if memory.page_digests is not None:
        memory.page_digests = (files, {path: d for path, d in memory.page_digests[1].items() if path not in pages})


def _other_than(pages: Mapping[str, bytes]) -> Callable[[str], bool]:
    """Whether a request's path (below the base path) is for a file of the site other than these pages or the theme's
    static files, which an update for saved pages does not change."""
    shown = set(pages) | {path.removesuffix("index.html").rstrip("/") for path in pages}
    return lambda path: not (path in shown or path.startswith("static/"))


def environment(theme: Theme, config: Config, memory: BuildMemory | None) -> jinja2.Environment:
    """The Jinja2 environment of the theme; digest serve keeps one between builds of the same theme and config, whose
    templates are compiled once (Jinja2 compiles a template again when its file changes: checked once a render)."""
    key = f"{[str(p) for p in theme.template_dirs]!r}\0{config!r}"
    if memory is not None and memory.environment is not None and memory.environment[0] == key:
        check_templates_again(memory.environment[1])  # (once a render, not at each page)
        return memory.environment[1]
    env = make_environment(theme, template_globals(config), template_filters())
    if memory is not None:
        memory.environment = (key, env)
    return env


def _keep_model(memory: BuildMemory | None, made: _MadeSite) -> None:
    """Keep what a build that succeeded made the site from, for digest serve's updates of saved pages (digest.delta);
    unless it wrote pages from sources: the inputs it hashed are not the files as they are then."""
    if memory is not None:
        memory.model = None if made.pages_written else made.model


def _search_after(options: BuildOptions, output: Path) -> list[Callable[[], None]] | None:
    """Where the step that makes the search index goes, when this build puts the pages live first: digest serve's
    rebuilds of the folder it knows do (BuildOptions.search_after); the index is then not begun beside the rendering."""
    return options.search_after if options.live is not None and options.live.known(output) is not None else None


def _finished_search(made: _MadeSite, memory: BuildMemory | None, report: Report) -> _SearchIndex:
    """The search index, once made; its problems go into report."""
    index = made.search.result()
    if memory is not None:
        memory.bundles = index.hashed
    report.add(*dict.fromkeys(index.problems))
    return index


def _search_after_pages(live: LiveOutput, memory: BuildMemory | None, output: Path, cache: Cache, made: _MadeSite,
                        inputs: Inputs, report: Report, deferred: list[Callable[[], None]] | None) -> None:
    """The rest of a digest serve build whose pages are live: the search index written into the folder once
    made, and the cache; the records for the next build go into deferred (else are written). Readers of the
    index wait until it is written (LiveOutput.held_back), or until this gives up on it."""
    try:
        index = _finished_search(made, memory, report)
        cache.save()
        known = live.known(output) or {}
        files: dict[str, bytes | Keep] = {path: KEEP for path in known if not path.startswith(BUNDLE)}
        for part in index.take_files():
            files.update(part)
        written_files = update_in_place(files, output, live, index.hashes)
    except Interrupted:
        raise  # (readers of the index wait on: the next build writes it)
    except BaseException:
        live.settle()
        raise
    live.settle()
    if written_files is not None:  # (None: a `digest build` swapped in a site of its own meanwhile)
        _leave_or_write(_records(cache.folder, output, made, index, written_files, inputs, report, memory), deferred)


def _leave_or_write(records: list[Callable[[], None]], deferred: list[Callable[[], None]] | None) -> None:
    """Leave the records in deferred, to be written later (BuildOptions.deferred), or write them now."""
    if deferred is not None:
        deferred.extend(records)
        return
    for record in records:
        record()


def _keep_story_ids(config: Config, made: _MadeSite, inputs: Inputs, report: Report) -> Inputs:
    """Write the stories file as the build left it, if it changed; the inputs with the ids as written."""
    try:
        if save_story_ids(made.stories_file, made.ids_text, made.stories_read):
            return with_story_ids(inputs, made.ids_text.encode())  # the inputs are now these ids, exactly as written
    except OSError as exc:
        report.add(Diagnostic(config.paths.stories, f"cannot keep the story ids: {exc.strerror}", severity=Severity.WARNING,
                              hint="make the file and its folder writable, or story URLs may change as articles are added"))
    return inputs


def _records(cache_folder: Path | None, output: Path, made: _MadeSite, index: _SearchIndex,
             written_files: dict[str, tuple[int, int, int]] | None, inputs: Inputs, report: Report,
             memory: BuildMemory | None) -> list[Callable[[], None]]:
    """Writing what the next build starts from (each checked against the output's files when read); digest serve's
    render memory is kept at once."""
    records: list[Callable[[], None]] = [partial(save_page_digests, cache_folder, output, index.digests, written_files),
                                         partial(save_kept_parts, cache_folder, output, index.parts, written_files),
                                         partial(save_memo, cache_folder, output, made.rendered, written_files)]
    if memory is not None and made.value_hashes is not None and cache_folder is not None and written_files is not None:
        memory.render = RenderMemory(str(output), written_files, made.rendered, made.value_hashes, made.model.site)
        memory.page_digests = (written_files, index.digests)
    if not made.pages_written:  # pages written from sources changed the inputs hashed above: no record, the next build checks
        records.append(partial(save_record, cache_folder, LastBuild(
            inputs.hash, str(output), made.articles, tuple(report.diagnostics), written_files or {}, inputs.files)))
    return records


@dataclasses.dataclass(frozen=True)
class Corpus:
    """What a build in digest serve keeps beside its model, for a save of a few pages to update it (digest.delta)."""

    documents: dict[str, Document]  # by page path: the pages a save may change (published under their own slug)
    keep: dict[str, tuple[str, ...]]  # their keep lines (a change re-strips their source: a whole build)
    found: dict[str, Annotations]  # by slug: what annotating each article found, before the digest-wide names
    terms: dict[str, ArticleTerms]  # by slug: what linking compares
    known_stories: dict[str, tuple[str, ...] | str]  # the story ids the build read
    reported: frozenset[str]  # paths the build's problems named: a save of one of them needs a whole build
    # The corpus steps' states, which an update changes in place (a model whose update failed is not used again).
    entities: EntityState[str]  # names made one across articles
    index: IndexState  # the entity pages' entries and the glossary
    figures: DiscrepancyState  # the discrepancies
    links: LinkState | None  # related pieces, stories, duplicates, references


@dataclasses.dataclass(frozen=True)
class Model:
    """The digest as the render stage takes it: the site (articles, links, annotations), and what the build
    leaves beside it (the pages it wrote from sources, the story ids to keep)."""

    site: Site
    written: set[str]  # source paths whose page was written from its source this build
    ids_text: str  # the stories file as it should be
    stories_file: Path
    stories_read: bytes | None  # the stories file as read
    corpus: Corpus | None = None  # digest serve: what a save's update starts from


@dataclasses.dataclass(frozen=True)
class _MadeSite:
    """What making the site leaves to the stages after it."""

    files: MutableMapping[str, bytes | Keep]  # every output file, or a StagedSite that holds them
    pages_written: set[str]  # source paths whose page was written from its source this build
    rendered: LastRender  # the render memo's keys, for the next build
    value_hashes: ByIdentity[str] | None  # for digest serve's next build
    articles: int
    ids_text: str  # the stories file as it should be
    stories_file: Path
    stories_read: bytes | None  # the stories file as read
    search: _Indexing  # the search index, made beside the rendering
    model: Model  # what it was made from (digest serve keeps it: BuildMemory.model)


@dataclasses.dataclass
class _Indexing:
    """The search index to make: in a thread beside the rendering once begun, else when its result is asked for
    (by digest serve's step after the pages, see _search_after). The build waits for a thread it began before it
    ends, so the staging folder the thread reads goes only after it."""

    make: Callable[[], _SearchIndex]
    future: Future[_SearchIndex] | None = None

    def begin(self) -> None:
        pool = ThreadPoolExecutor(1, thread_name_prefix="digest-search")
        self.future = pool.submit(self.make)
        pool.shutdown(wait=False)  # (its thread ends with its one task)

    def result(self) -> _SearchIndex:
        return self.future.result() if self.future is not None else self.make()

    def wait(self) -> None:
        if self.future is not None:
            wait_for([self.future])


@dataclasses.dataclass(frozen=True)
class _SearchIndex:
    files: dict[str, bytes]  # the list of its parts, and (digest serve) the files of the parts
    hashes: dict[str, bytes]  # of the parts' files, for update_in_place (digest serve; else empty)
    digests: dict[str, bytes]  # what Pagefind reads of each article page, hashed (search.page_digest)
    problems: list[Diagnostic]
    hashed: ByIdentity[dict[str, bytes]] | None  # for digest serve's next build: the parts' files' hashes
    pending: list[dict[str, bytes]]  # a build's parts as cached, not yet in files
    kept: list[tuple[str, ...]]  # a build's parts whose files it keeps as the last build wrote them, by name
    parts: PartFiles  # every part's key and files, for the next build (search.save_kept_parts)

    def take_files(self) -> Iterator[Mapping[str, bytes | Keep]]:
        """All its files, a part at a time, each let go once given."""
        yield self.files
        for names in self.kept:
            yield dict.fromkeys(names, KEEP)
        while self.pending:
            yield self.pending.pop()


def _search_index(config: Config, files: Mapping[str, bytes | Keep], pages: list[str], output: Path, cache: Cache,
                  known: dict[str, bytes], last: BuildMemory | None, kept: PartFiles,
                  interrupt: Callable[[], bool] | None = None) -> _SearchIndex:
    """The Pagefind index of the article pages (pages, of files). Each part of it is cached: rebuilt only when
    one of its pages changed (known: the page digests the last build recorded, for the pages it kept). A build
    keeps the files of a part that has the key it had when the last build wrote them (kept: none in digest serve,
    which keeps the parts themselves), and reads none of it."""
    problems: list[Diagnostic] = []

    def page(path: str) -> bytes:
        data = files[path]
        return (output / path).read_bytes() if isinstance(data, Keep) else data

    digests = {path: known[path] if path in known and isinstance(files[path], Keep) else page_digest(page(path))
               for path in pages}
    parts = shards(digests)

    # A build's pages are on disk, in the staging folder of the new site: Pagefind reads them there. digest serve's
    # are in memory, or (kept) in the output folder, which an update may change meanwhile: it gets a copy of them.
    staged = files.staging if isinstance(files, StagedSite) else None

    def index(part: tuple[str, dict[str, bytes]]) -> dict[str, bytes]:
        bundle, found = (search_bundle_in(staged, list(part[1]), config, part[0], interrupt) if staged is not None
                         else search_bundle({path: page(path) for path in part[1]}, config, part[0], interrupt))
        problems.extend(found)
        return bundle

    def key_parts(part: tuple[str, dict[str, bytes]]) -> tuple[str, str]:
        return part[0], digests_key(part[1], config)

    keys = {part[0]: cache.key("search", key_parts(part)) for part in parts}
    unchanged = [part[0] for part in parts if part[0] in kept and kept[part[0]][0] == keys[part[0]]]
    cache.hold("search", [keys[folder] for folder in unchanged])
    made = [part for part in parts if part[0] not in unchanged]
    bundles = cache.map("search", made, key_parts, index, dict[str, bytes], _thread_map)
    record = {folder: kept[folder] for folder in unchanged}
    record.update((folder, (keys[folder], tuple(sorted(bundle)))) for (folder, _), bundle in zip(made, bundles))
    if last is None:  # a build: the parts go into the site one at a time (take_files)
        hashed, (search_files, search_hashes), pending = None, ({}, {}), bundles
    else:
        hashed = ByIdentity(last.bundles)
        (search_files, search_hashes), pending = hashed_bundles(bundles, hashed), []
    if digests:
        search_files[SHARDS] = shard_list([folder for folder, _ in parts])
    return _SearchIndex(search_files, search_hashes, digests, problems, hashed, pending,
                        [kept[folder][1] for folder in unchanged], record)


def _site_files(config: Config, options: BuildOptions, theme: Theme, output: Path, report: Report,
                stage: Callable[[str], ContextManager[None]], cache: Cache,
                live_files: Callable[[Path], dict[str, tuple[int, int, int]] | None], cleanup: ExitStack) -> _MadeSite:
    """Sources -> pages -> articles -> links -> the site's files (a StagedSite unless digest serve writes in place)."""
    return _render_model(_make_model(config, options, report, stage, cache), config, options, theme, output, stage, cache,
                         live_files, cleanup)


def _make_model(config: Config, options: BuildOptions, report: Report, stage: Callable[[str], ContextManager[None]],
                cache: Cache) -> Model:
    """Sources -> pages -> articles -> links: the digest as the render stage takes it."""
    root = config.root.resolve()
    articles_dir = config.resolve(config.paths.articles)

    def parse_many(pairs: list[tuple[str, str]]) -> list[ParsedPage]:
        # read_page_files parses a batch at a time: the packs' other entries are the next batches' (let go by save_stages)
        return cache.map("read", pairs, lambda pair: pair, parse_one, ParsedPage, options.executor.map, more_to_come=True)

    known_texts = options.memory.texts if options.memory is not None else None
    with stage("read"):
        report.add(*recover_pages(articles_dir, root))
        existing, problems = read_page_files(articles_dir, root, parse_many, known_texts)
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
        page_files = read_page_files(articles_dir, root, parse_many, known_texts)[0] if written else existing
    if len(page_files) > config.limits.max_articles:
        raise ContentError(Diagnostic(config.paths.articles, f"{len(page_files):,} pages: more than limits.max_articles "
                                      f"({config.limits.max_articles:,})", hint="raise limits.max_articles in config.yaml"))

    # Per-article: documents -> rendered articles.
    documents = documents_from(page_files, options.memory.documents if options.memory is not None else None)
    documents = [d for d in documents if options.drafts or not d.draft]
    documents, problems = distinct_slugs(documents)
    report.add(*problems)
    kept = _kept_pages(page_files, documents) if options.memory is not None else None
    # The pages as parsed go, their texts with them: the documents hold their bodies as UTF-8 (Document.body_utf8).
    cache.save_stages("read", "strip")
    del existing, page_files
    with stage("markdown"):
        # Rendered now (in parallel) where the cache lacks it, but read only for the articles decorating needs
        # it for (below): an unchanged article's decorated HTML is found in the cache by its body.
        cache.ensure("markdown", [d.body_utf8 for d in documents], _markdown_key, markdown_job, options.executor.map)
    with stage("annotate"):
        annotation_config = config_part(config.annotation)
        per_article = cache.map("annotate", documents, lambda d: (*annotate_key(d), annotation_config),
                                partial(annotate_document, options=options_from(config.annotation)), Annotations,
                                partial(options.executor.map, acyclic=True))
        if kept is not None:  # digest serve: the corpus steps as states that its saves update (digest.delta)
            entities, unified = entity_state({d.slug: found for d, found in zip(documents, per_article)})
            annotations = [unified[d.slug] for d in documents]
            problems = orphaned_notes(documents, annotations)
        else:
            annotations, problems = finish_annotations(documents, per_article)
        # As found, before the digest-wide names: written to the cache and, unless digest serve keeps them, gone
        # before decorating makes the HTML.
        cache.save_stages("annotate")
        found = {d.slug: a for d, a in zip(documents, per_article)} if kept is not None else None
        del per_article
        report.add(*problems)
        # Decorating and describing are per-article too once the corpus part is done, cached by what they read.
        # They run in this process: sending the HTML and annotations to workers costs more than it saves
        # (measured at 10,000 articles: 9.8 s over two processes, 6.9 s in this one).
        entity_root = url_for(config, entity_path("x"))  # in the key: where entity links point
        entity_href = partial(_entity_href, config)

        def decorate(jobs: Sequence[tuple[bytes, Annotations, str, str]]) -> list[tuple[bytes, str]]:
            """Articles the cache has no decorated HTML for: their bodies' HTML (cached by the markdown stage) decorated."""
            made = cache.map("markdown", [body for body, *_ in jobs], _markdown_key, markdown_job, bytes, IN_PROCESS.map)
            return [decorate_job((html, found, summary, title), entity_href)
                    for html, (_, found, summary, title) in zip(made, jobs)]

        finished = cache.map("decorate", [(d.body_utf8, found, d.summary or "", d.title)
                                          for found, d in zip(annotations, documents)],
                             lambda job: (entity_root, *decorate_key(job)), lambda job: decorate([job])[0],
                             tuple[bytes, str], lambda _, jobs: decorate(jobs))
        # Their HTML as UTF-8 (model.Article), the very bytes the cache holds: in digest serve an unchanged
        # article's is the object of the last build, which the render memo hashes by identity.
        articles = [Article(doc, html, annotated, description)
                    for doc, (html, description), annotated in zip(documents, finished, annotations)]
        # These per-article stages are done: their packs are written now rather than on top of the rendered site,
        # and the undecorated HTML only they needed goes before linking (about 1 GB at 100,000 articles).
        cache.save_stages("markdown", "decorate")
        del finished
    articles.sort(key=lambda a: (a.doc.date, a.doc.slug), reverse=True)

    # Whole corpus: links, then the site.
    stories_file = config.resolve(config.paths.stories)
    known_stories, stories_read, problems = read_story_ids(stories_file, config.paths.stories)
    report.add(*problems)
    with stage("link"):
        terms = cache.map("terms", [(a.doc, a.annotations) for a in articles], terms_key, terms_job, ArticleTerms,
                          options.executor.map)
        linked = link_state if kept is not None else _links_alone  # digest serve keeps the state its saves update
        links_kept, links = linked(documents, {a.doc.slug: t for a, t in zip(articles, terms)},
                                   {a.doc.slug: a.annotations for a in articles}, config.linking, config.annotation.aliases,
                                   known_stories)
        if options.memory is not None:
            links = interned_links(links, options.memory)
        # The stories file to keep, cached by what it lists: dumping thousands of stories as YAML takes 0.4 s.
        ids = ({s.id: s.articles for s in links.stories}, links.moved_stories)
        ids_text = cache.cached("story-ids", [repr(ids)], lambda: story_ids_text(*ids))
        cache.save_stages("terms")
        terms_by_slug = {a.doc.slug: t for a, t in zip(articles, terms)} if kept is not None else None
        del terms  # 70 MB at 10,000 articles
        annotated = [(a.doc.slug, a.annotations) for a in articles]
        story_groups = [story.articles for story in links.stories]
        by_slug = dict(annotated)
        if kept is not None:
            index, entries, glossary = index_state([(a.doc.slug, a.doc.date, a.annotations) for a in articles])
            figures, discrepancies = discrepancy_state(by_slug, story_groups)
            named = AnnotationIndex(tuple(same_objects(entries, _key, options.memory.entities)), glossary, discrepancies)
        else:
            # Discrepancies read only the figures and named things of the articles: an edit that changes
            # neither (nor the stories) finds them in the cache (1.5 s a build at 10,000 articles).
            discrepancies = cache.cached("discrepancies", discrepancy_inputs(by_slug, story_groups),
                                         partial(discrepancies_of, by_slug, story_groups), tuple[Discrepancy, ...])
            named = index_annotations(annotated, story_groups, discrepancies)
    corpus = None
    if kept is not None and found is not None and terms_by_slug is not None:
        corpus = Corpus(*kept, found, terms_by_slug, known_stories,
                        frozenset(d.path for d in report.diagnostics), entities, index, figures, links_kept)
    return Model(Site(tuple(articles), links, named), written, ids_text, stories_file, stories_read, corpus)


def interned_links(links: Links, memory: BuildMemory) -> Links:
    """links with the last build's stories and related lists where equal (digest.interning): the render memo knows
    those objects, and does not hash them again."""
    return dataclasses.replace(links, stories=tuple(same_objects(links.stories, _id, memory.stories)),
                               related=dict(same_objects(links.related.items(), _first, memory.related)))


def _links_alone(docs: Sequence[Document], terms: Mapping[str, ArticleTerms], annotations: Mapping[str, Annotations],
                 options: Linking, aliases: Mapping[str, Iterable[str]], known: Mapping[str, Sequence[str] | str]
                 ) -> tuple[None, Links]:
    """The links of a build that keeps no state for later saves (link_corpus)."""
    return None, link_corpus(docs, terms, annotations, options, aliases, known)


def _kept_pages(page_files: list[PageFile], documents: list[Document]) -> tuple[dict[str, Document], dict[str, tuple[str, ...]]]:
    """The documents of the pages by path, and the keep lines of the pages whose document keeps its own slug (for
    Corpus: a page published under another slug, or left out as a draft, is not updated by a save)."""
    by_path = {d.path: d for d in documents}
    natural = {pf.display for pf in page_files if pf.display in by_path
               and by_path[pf.display].slug == safe_slug(pf.page.meta.slug or pf.path.stem)}
    return ({path: doc for path, doc in by_path.items() if path in natural},
            {pf.display: pf.page.meta.keep for pf in page_files if pf.display in natural})


def _render_model(model: Model, config: Config, options: BuildOptions, theme: Theme, output: Path,
                  stage: Callable[[str], ContextManager[None]], cache: Cache,
                  live_files: Callable[[Path], dict[str, tuple[int, int, int]] | None], cleanup: ExitStack,
                  saved: bool = False) -> _MadeSite:
    """The site's files of a model (a StagedSite unless digest serve writes in place), the search index begun.
    saved: the model is digest serve's update for saved pages (digest.delta), of the theme and config of the last."""
    site = model.site
    with stage("render"):
        env = environment(theme, config, options.memory)
        static = {name: path.read_bytes() for name, path in theme.static_files().items()}
        # Pages whose live file is still right are kept, not rendered (digest.render_memo).
        kept = options.memory.render if options.memory is not None else None
        last = load_memo(cache.folder, output, live_files, kept)
        # digest serve's update for saved pages knows what changed since the last render (a build does not: it
        # keys every page), and keeps each page's atoms for the next.
        changed = (changed_atoms(kept.site, site) if saved and kept is not None and kept.site is not None
                   and last is kept.last else None)
        memo = RenderMemo(base_key(theme.template_dirs, config), last,
                          Fingerprints(site, ByIdentity(kept.values if kept else None, keep_last=changed is not None)),
                          changed, atoms=options.memory is not None)
        # A build writes each file into the new site as it is made rather than holding them all (600 MB at 10,000
        # articles); digest serve holds them, to write only those that changed into the site it serves.
        files: MutableMapping[str, bytes | Keep] = {} if options.live is not None else cleanup.enter_context(
            StagedSite(output, cache.subfolder("previous-site")))
        search: list[_Indexing] = []

        def index_articles() -> None:
            """Index the article pages for search in another thread, while the other pages are rendered: Pagefind
            runs as its own processes, and at 10,000 articles it takes about as long as all the rendering.
            Not in a digest serve rebuild, which writes the index after the browser has shown the new pages:
            Pagefind would take the cores the browser needs then."""
            known = load_page_digests(cache.folder, output, live_files(output),
                                      options.memory.page_digests if options.memory is not None else None)
            kept_parts = load_kept_parts(cache.folder, output, live_files(output)) if options.memory is None else {}
            pages = [path for path in files if indexed(path)]  # listed here: files grows while a thread reads it
            search.append(_Indexing(partial(_search_index, config, files, pages, output, cache, known, options.memory,
                                            kept_parts, options.interrupt)))
            if _search_after(options, output) is None:
                search[0].begin()
                cleanup.callback(search[0].wait)  # before the staging folder it reads goes

        render_site(site, config, env, static, memo, files, articles_done=index_articles, interrupt=options.interrupt)
    # The hashes of the values the pages were made of go to digest serve's next build (they hold the values).
    return _MadeSite(files, model.written, memo.last(), memo.fingerprints.values if options.memory is not None else None,
                     len(site.articles), model.ids_text, model.stories_file, model.stories_read, search[0], model)


_id, _key, _first = attrgetter("id"), attrgetter("key"), itemgetter(0)


def _thread_map(compute: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """In threads: each item's work is a Pagefind process, so they run side by side on every core."""
    if len(items) < 2:
        return [compute(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(len(items), os.cpu_count() or 1)) as pool:
        return list(pool.map(compute, items))


def hashed_bundles(bundles: Sequence[dict[str, bytes]], last: ByIdentity[dict[str, bytes]]
                   ) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The files of the search index's parts and, given what digest serve hashed last build (by the part, a
    cached object), their hashes for update_in_place: the parts that are the very objects of then are not
    hashed again (about 11,000 files at 10,000 articles)."""
    files: dict[str, bytes] = {}
    hashes: dict[str, bytes] = {}
    for bundle in bundles:
        files.update(bundle)
        hashes.update(last.of(bundle, _hashed))
    return files, hashes


def _hashed(bundle: dict[str, bytes]) -> dict[str, bytes]:
    return {path: file_digest(data) for path, data in bundle.items()}


def decorate_job(job: tuple[bytes, Annotations, str, str], entity_href: Callable[[str], str]) -> tuple[bytes, str]:
    """An article's HTML with its annotations put in, as UTF-8, and its description: (html, description).
    job: the rendered body (as markdown_job gives it), the annotations, the summary and the title."""
    body, annotations, summary, title = job
    html = decorate_html(body.decode("utf-8", "surrogatepass"), annotations, entity_href)
    return encode_text(html), describe(summary, html, title)


def _markdown_key(body: bytes) -> tuple[str, bytes]:
    return "untrusted", body


def _entity_href(config: Config, key: str) -> str:
    return url_for(config, entity_path(key))


def markdown_job(body: bytes) -> bytes:
    """The HTML of a body (Document.body_utf8), as UTF-8: its Markdown rendered with any raw HTML escaped.
    Bytes, not text, from here to the page: a text with one curly quote in it takes 2 bytes a character,
    and every article's HTML is held until the site is made (at 10,000 articles, 104 MB as text, 60 as bytes)."""
    return encode_text(render_markdown(body.decode("utf-8", "surrogatepass"), allow_html=False))


def annotate_key(doc: Document) -> tuple[str | bytes, ...]:
    """What annotate_document reads of a document, for its cache key: its slug, date, body and editor notes
    (the whole document as JSON cost 0.5 s a build at 10,000 articles)."""
    return doc.slug, doc.date, doc.body_utf8, repr(doc.notes)


def decorate_key(job: tuple[bytes, Annotations, str, str]) -> tuple[str | bytes, ...]:
    """What decorate_job reads, for its cache key: the body (the Markdown, whose HTML it decorates: that HTML
    is made from it alone), of the annotations the entities' keys and spellings, the acronyms and the notes,
    the summary and the title (all the annotations' repr cost 0.6 s)."""
    body, annotations, summary, title = job
    return (body, repr([(e.key, e.forms) for e in annotations.entities]),
            repr([(a.short, a.expansion) for a in annotations.acronyms]), repr(annotations.notes), summary, title)


def terms_key(job: tuple[Document, Annotations]) -> tuple[str | bytes, ...]:
    """What article_terms reads: the title, the body and the named things with their counts."""
    doc, annotations = job
    return doc.title, doc.body_utf8, "\n".join(f"{e.name}\t{e.count}" for e in annotations.entities)


def terms_job(job: tuple[Document, Annotations]) -> ArticleTerms:
    return article_terms(*job)


def strip_job(job: tuple[Source, StripOptions]) -> StrippedArticle:
    """strip_guarded of one (source, options) pair: a top-level function, so a process pool can run it."""
    return strip_guarded(*job)
