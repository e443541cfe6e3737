"""build_site: the pipeline, top to bottom (its stages are in digest.pipeline).

    sources --ingest--> Source --strip--> StrippedArticle --convert--> content/articles/*.md
    content/articles/*.md --read--> Document --annotate, render Markdown--> Article
    [Article] --link--> Links;  Site --render--> {path: bytes} --write--> site/

Per-article work (strip, convert, annotate, Markdown) is a map over articles: it runs in any
order, in parallel (digest.parallel) and is cached by content hash (digest.cache); linking needs
the whole corpus and runs once, after. Problems are collected into a Report;
content errors skip that article and fail the build at the end, after every problem is known.
Before all that, a build whose inputs did not change since the last one stops (digest.uptodate).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, ContextManager, Hashable, Iterable

from digest.cache import FOLDER_NAME, CacheMemory
from digest.collector import freeze_done_work, work_frozen
from digest.config import Config
from digest.errors import Report
from digest.model import Document
from digest.parallel import Executor
from digest.profile import StageTimer
from digest.stages.write import LiveOutput, check_output_folder
from digest.theme import Theme, find_theme
from digest.uptodate import FileState, Inputs, file_bytes, inputs_hash, load_record, up_to_date, with_story_ids

if TYPE_CHECKING:  # (the modules of the stages are imported only when there is work to do)
    from jinja2 import Environment

    from digest.interning import ByIdentity
    from digest.model import EntityEntry, Related, Story
    from digest.pages import KnownDocuments, KnownTexts
    from digest.pipeline import Model
    from digest.render_memo import RenderMemory
    from digest.search import PageDigests

Progress = Callable[[str, int, int], None]  # (stage, its number, how many stages)
STAGES = ("inputs", "read", "strip", "pages", "markdown", "annotate", "link", "render", "search", "cache", "write")


@dataclass
class BuildMemory:
    """What one build leaves in the process for the next (digest serve), each part owned by the step named:
    a rebuild finds the last one's results without reading or decoding them again, and the very objects
    of then where nothing changed (digest.interning)."""

    cache: CacheMemory = field(default_factory=CacheMemory)  # per-article results, decoded
    texts: KnownTexts = field(default_factory=dict)  # the pages' texts by path and stat (digest.pages)
    documents: KnownDocuments = field(default_factory=dict)  # the pages' documents by path and parse (digest.pages)
    stories: dict[Hashable, Story] = field(default_factory=dict)  # by id (digest.interning.same_objects)
    related: dict[Hashable, tuple[str, tuple[Related, ...]]] = field(default_factory=dict)  # by slug
    entities: dict[Hashable, EntityEntry] = field(default_factory=dict)  # by key
    render: RenderMemory | None = None  # page keys and value hashes (digest.render_memo)
    bundles: ByIdentity[dict[str, bytes]] | None = None  # the hashes of the search parts' files, by the part
    page_digests: PageDigests | None = None  # what Pagefind read of the article pages written (digest.search)
    model: Model | None = None  # the digest the last successful build rendered (digest.pipeline.Model)
    inputs: Inputs | None = None  # what that build read (digest.uptodate)
    # pages read since by build_saved (None: deleted), whose rest is unwritten
    saved: dict[str, FileState | None] = field(default_factory=dict)
    environment: tuple[str, Environment] | None = None  # its templates, compiled, by theme and config (environment_of)


@dataclass(frozen=True)
class BuildOptions:
    output: Path | None = None  # overrides config paths.output
    drafts: bool = False
    progress: Progress | None = None
    executor: Executor = Executor()  # where per-article stages run (digest build --executor)
    cache: bool = True  # keep per-article results in .digest-cache/ between builds (off: --no-cache)
    timer: StageTimer | None = None  # records the time of each stage (digest build --profile)
    memory: BuildMemory | None = None  # what the last build in this process left for this one (digest serve)
    live: LiveOutput | None = None  # the output folder as this process left it: updated in place (digest serve)
    # Given a list, the build leaves its records for the next build (in .digest-cache/) in it, to be run once the
    # new site is shown, or left out if another build follows at once (digest serve); without, it writes them itself.
    deferred: list[Callable[[], None]] | None = None
    # Given a list too, a build that updates the output in place (live) leaves the search index in it: to be run
    # once the browser shows the new pages (digest serve). That step puts its records into deferred.
    search_after: list[Callable[[], None]] | None = None
    # Asked now and then while the rest of the site is rendered and indexed: True stops the build (errors.Interrupted)
    # there, for a newer change (digest serve). Nothing it had yet to write is written; the next build writes it.
    interrupt: Callable[[], bool] | None = None
    # Build even when nothing changed since the last build: digest serve, started on an up-to-date site, builds once
    # more while idle for the model the build keeps in memory (BuildMemory.model), which its quick path starts from.
    force: bool = False


@dataclass
class BuildResult:
    report: Report
    articles: int = 0
    files: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    up_to_date: bool = False  # nothing changed since the last build: nothing was built or written


def output_folder(config: Config, options: BuildOptions) -> Path:
    return (options.output or config.resolve(config.paths.output)).resolve()


def build_site(config: Config, options: BuildOptions = BuildOptions()) -> BuildResult:
    """Build the digest of config into its output folder; raises ContentError (after writing nothing) on broken content."""
    started = time.perf_counter()
    result = BuildResult(Report())
    timer = options.timer or StageTimer()
    with work_frozen():  # each stage starts by freezing what the ones before made (digest.collector)
        _build(config, options, result, timer)
    result.seconds = time.perf_counter() - started
    result.timings = dict(timer.seconds)
    return result


def _build(config: Config, options: BuildOptions, result: BuildResult, timer: StageTimer) -> None:
    report = result.report
    root = config.root.resolve()
    output = output_folder(config, options)
    check_output_folder(output, root, [config.resolve(config.paths.sources), config.resolve(config.paths.articles),
                                       config.resolve(config.paths.themes), root / FOLDER_NAME])
    theme = find_theme(config.theme, config.resolve(config.paths.themes))
    progress = options.progress or (lambda stage, done, total: None)

    def stage(name: str) -> ContextManager[None]:
        """Time a stage, and tell the progress display it is running."""
        progress(name, STAGES.index(name) + 1, len(STAGES))
        freeze_done_work()
        return timer.stage(name)

    # Nothing changed since the last build (digest.uptodate): say what it said, and stop.
    cache_folder = root / FOLDER_NAME if options.cache else None
    articles_dir = config.resolve(config.paths.articles)
    with stage("inputs"):
        last = load_record(cache_folder)
        inputs = _inputs(config, options, theme, last.input_files if last else None) if cache_folder else Inputs("", {})
        inputs = with_story_ids(inputs, file_bytes(config.resolve(config.paths.stories)))
    # A quick update whose rest is unwritten (build_saved) left the output unlike the record: never up to date then.
    unfinished = options.memory is not None and bool(options.memory.saved)
    if not (options.force or unfinished) and cache_folder is not None and last is not None \
            and up_to_date(last, inputs, output):
        report.add(*last.diagnostics)
        result.articles, result.files, result.up_to_date = last.articles, len(last.files), True
        return

    from digest.pipeline import run_stages  # the heavy part: imported only when there is something to build

    if options.memory is not None:
        options.memory.model = None  # until this build succeeds: a save after a failed build needs a whole one
        options.memory.saved = {}

    result.articles, result.files = run_stages(config, options, theme, output, inputs, report, stage)
    if options.memory is not None and options.memory.model is not None:
        options.memory.inputs = inputs


def _inputs(config: Config, options: BuildOptions, theme: Theme, known: dict[str, FileState] | None) -> Inputs:
    """What a build of config reads, hashed (digest.uptodate): the config, the options, the sources, pages and theme."""
    return inputs_hash(f"{config!r}\0drafts={options.drafts}", [config.resolve(config.paths.sources),
                                                                 config.resolve(config.paths.articles), *theme.folders],
                       known)


def _contents(files: dict[str, FileState]) -> dict[str, str]:
    """The hash of each file's bytes (a file touched but not changed is no news)."""
    return {path: state[4] for path, state in files.items()}


def build_saved(config: Config, options: BuildOptions, paths: Iterable[Path]) -> Callable[[], BuildResult]:
    """digest serve's quick path for saved article pages (digest.delta): the last build's model updated for them and
    their pages written at once (readers of any other page of the site wait meanwhile); then the step returned
    renders and writes the rest, as a whole build would. NotIncremental when only a whole build will do."""
    from digest.delta import NotIncremental, saved_documents, update_model
    from digest.pipeline import first_pages, run_stages

    started = time.perf_counter()
    memory, live = options.memory, options.live
    model = memory.model if memory is not None else None
    output = output_folder(config, options)
    if memory is None or live is None or model is None or model.corpus is None or memory.inputs is None \
            or live.known(output) is None:
        raise NotIncremental("no build of this process to start from")
    root = config.root.resolve()
    timer = options.timer or StageTimer()
    with work_frozen(), timer.stage("read"):
        read: dict[str, FileState | None] = {}
        changed = saved_documents(paths, model.corpus, (a.doc.slug for a in model.site.articles), root,
                                  config.resolve(config.paths.articles), read)
        memory.saved.update(read)  # (with those of saves whose rest was not written: a later save writes it)
    with work_frozen(), timer.stage("annotate"):
        try:
            update = update_model(model, changed, config, memory)
        except BaseException:
            memory.model = None  # its corpus steps' states may be half updated
            raise
    memory.model = update.model
    theme = find_theme(config.theme, config.resolve(config.paths.themes))
    with work_frozen(), timer.stage("render"):
        first_pages(update, config, options, theme, output)
    last_inputs = memory.inputs
    shown = time.perf_counter() - started

    def finish() -> BuildResult:
        """The rest of the site, as a whole build of the same files writes it; NotIncremental when a file changed
        that the update did not read (a change the watcher did not report): only a whole build will do then."""
        result = BuildResult(Report())
        finish_started = time.perf_counter()
        with work_frozen():
            with timer.stage("inputs"):
                expected = {path: state for path, state in {**last_inputs.files, **memory.saved}.items()
                            if state is not None}  # (None: a page deleted)
                inputs = _inputs(config, options, theme, expected)
                if _contents(inputs.files) != _contents(expected):
                    memory.model = None
                    raise NotIncremental("files changed that the update did not read")
                inputs = with_story_ids(inputs, update.model.stories_read)

            def stage(name: str) -> ContextManager[None]:
                freeze_done_work()
                return timer.stage(name)

            result.articles, result.files = run_stages(config, options, theme, output, inputs, result.report, stage,
                                                       model=update.model)
        memory.inputs, memory.saved = inputs, {}
        result.seconds = shown + time.perf_counter() - finish_started
        result.timings = dict(timer.seconds)
        return result

    return finish


def load_documents(config: Config) -> tuple[list[Document], Report]:
    """The documents of content/articles/ as they stand, without building (for check and strip)."""
    from digest.pages import document_from, read_page_files

    report = Report()
    page_files, problems = read_page_files(config.resolve(config.paths.articles), config.root.resolve())
    report.add(*problems)
    return [document_from(pf) for pf in page_files], report
