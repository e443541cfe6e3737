"""`digest serve`: build, serve the output folder, watch the digest, rebuild and reload the browser.

    watchdog events --Watcher--> ChangeBatcher --batch--> classify --> build_site --> PreviewState
                                                                                     |
    browser <--HTML with reload.js, Server-Sent Events-- PreviewServer <-------------+

Each batch of changes is a full in-process `build_site`, which writes only the files that changed
into the output folder, renaming them into place while the server waits (digest.stages.write
.update_in_place), so what is served is always one complete build; a failed build leaves the last
good site in place and shows its diagnostics over the page. The search index is written last, after
the browser is told, and requests for it wait until it is (LiveOutput.held_back). Results the last
build computed are kept in memory (digest.build.BuildMemory), so a rebuild redoes only what the
change touched.
"""

from __future__ import annotations

import threading
import time
import traceback
import webbrowser
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import jinja2

from digest.build import BuildMemory, BuildOptions, BuildResult, build_saved, build_site, output_folder
from digest.config import CONFIG_NAME, Config, load_config
from digest.delta import NotIncremental
from digest.errors import ConfigError, Diagnostic, DigestError, Interrupted
from digest.serve.server import PreviewServer, PreviewState
from digest.serve.watch import ChangeBatcher, ChangeKind, Layout, Watcher, classify
from digest.stages.write import LiveOutput
from digest.uptodate import file_bytes


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"  # only this machine, unless told otherwise
    port: int = 8000  # 0 picks a free port
    open_browser: bool = False
    poll: bool = False  # poll the file system instead of native events (network mounts, WSL2, containers)
    drafts: bool = False
    config_file: Path | None = None  # default: config.yaml in the config's root
    quiet: float = 0.05  # seconds without a new change before a batch of changes is built (a burst of saves takes a few ms)


Say = Callable[[str], None]


def diagnostics_from_exception(exc: BaseException, root: Path) -> list[Diagnostic]:
    """Diagnostics for an unexpected build failure, located in the template when Jinja2 raised it."""
    if isinstance(exc, DigestError):
        return exc.diagnostics
    message = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        return [Diagnostic(_shown(exc.filename, root), f"template: {exc.message}", line=exc.lineno)]
    # Jinja2 rewrites tracebacks so template frames carry the template's file and line.
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".html", ".xml", ".jinja", ".j2")):
            return [Diagnostic(_shown(frame.filename, root), f"template: {message}", line=frame.lineno)]
    return [Diagnostic("digest", f"the build failed: {message}", hint="run 'digest build -v' for the traceback")]


def _shown(filename: str, root: Path) -> str:
    path = Path(filename)
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else filename


class Preview:
    """A running preview: server thread, watcher and rebuild loop, started and stopped together."""

    def __init__(self, config: Config, options: ServeOptions = ServeOptions(), say: Say = print,
                 complain: Say | None = None):
        self.config = config
        self.options = options
        self.say = say  # progress: what changed, what was built, where it is served
        self.complain = complain or say  # diagnostics, which even --quiet shows
        self.config_file = (options.config_file or config.root / CONFIG_NAME).resolve()
        self.state = PreviewState()
        self.memory = BuildMemory()  # each rebuild finds the last one's results decoded, in memory
        self.live = LiveOutput()  # each rebuild writes only what changed into the output folder, in place
        self.batcher = ChangeBatcher(quiet=options.quiet)
        self.records: list[Callable[[], None]] = []  # the last build's records, written when nothing else waits
        # Started on an up-to-date site, the first build built nothing and kept no model for the quick path: the
        # preview builds once more, in full, the first time nothing waits (warm_up), so the first save is quick too.
        self.cold = False
        self.watcher = Watcher(self.layout(), self.batcher, poll=options.poll)
        self.server: PreviewServer | None = None
        self._server_thread: threading.Thread | None = None

    @property
    def output(self) -> Path:
        return output_folder(self.config, BuildOptions())

    @property
    def url(self) -> str:
        assert self.server is not None, "start() first"
        host, port = self.options.host, self.server.server_address[1]
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}{self.config.base_path}"

    def layout(self) -> Layout:
        return Layout.of(self.config, self.config_file, self.output)

    def start(self) -> None:
        """Build once, then serve and watch. The server starts even if the build fails: the browser shows why."""
        address = (self.options.host, self.options.port)
        try:
            self.server = PreviewServer(address, self.site, self.state, files_lock=self.live.lock,
                                        held_back=self.live.held_back)
        except OSError as exc:
            raise ConfigError(Diagnostic("digest serve", f"cannot listen on {address[0]}:{address[1]}: {exc.strerror or exc}",
                                         hint="pick another port with --port, or stop the program using this one")) from exc
        self.watcher.start()  # before building, so a save during the first build is not missed
        self.build(ChangeKind.SITE)
        self._server_thread = threading.Thread(target=self.server.serve_forever, name="digest-serve-http",
                                               kwargs={"poll_interval": 0.1})
        self._server_thread.start()
        self.say(f"serving {self.output} at {self.url} — press Ctrl-C to stop")
        if self.options.open_browser:
            webbrowser.open(self.url)

    def site(self) -> tuple[Path, str]:
        return self.output, self.config.base_path

    def step(self, timeout: float) -> ChangeKind | None:
        """Wait up to timeout for a batch of changes and rebuild for it; the kind built, or None."""
        batch = self.batcher.wait(timeout)
        if batch is None:
            if self.cold:
                self.warm_up()
            self.write_records()
            return None
        batch = frozenset(p for p in batch if not self.own_write(p))
        kind = classify(batch, self.watcher.layout)
        if kind is ChangeKind.NONE:
            return None
        shown = sorted(_shown(str(p), self.config.root.resolve()) for p in batch)
        self.say(f"changed: {', '.join(shown[:3])}{f' and {len(shown) - 3} more' if len(shown) > 3 else ''}")
        if kind is not ChangeKind.SITE or not self.update(batch):
            self.build(kind)
        return kind

    def own_write(self, path: Path) -> bool:
        """Whether path is the stories file as the last build wrote it (its ids), which is no news to the next."""
        model = self.memory.model
        return model is not None and path == model.stories_file and file_bytes(path) == model.ids_text.encode()

    def update(self, batch: frozenset[Path]) -> bool:
        """Show saved article pages through the quick path (digest.delta): their pages first, then the rest of the site,
        while the server holds back requests for it. False when the batch needs a whole build (nothing shown yet)."""
        if self.state.errors is not None:
            return False  # the overlay is up: a whole build says what is still wrong, or clears it
        started = time.perf_counter()
        after: list[Callable[[], None]] = []
        records: list[Callable[[], None]] = []
        options = BuildOptions(drafts=self.options.drafts, memory=self.memory, live=self.live, deferred=records,
                               search_after=after, interrupt=self.batcher.pending)
        try:
            finish = build_saved(self.config, options, batch)
        except NotIncremental:
            return False
        except Exception as exc:  # noqa: BLE001 — any failure must reach the browser, not kill the server
            self.failed(exc, "build failed; still serving the last good site")
            return True
        self.say(f"saved page{'s' if len(batch) > 1 else ''} written in {time.perf_counter() - started:.2f}s; "
                 "the rest of the site follows")
        self.state.building()
        self.state.succeeded_and_shown(style_only=False)
        try:
            result = finish()
        except Interrupted:
            self.records = []  # the last complete build's no longer describe the output
            self.say(f"shown in {time.perf_counter() - started:.2f}s; the rest waits for the next change")
            return True
        except NotIncremental:
            return False  # (the other pages are still held back: the whole build writes them)
        except Exception as exc:  # noqa: BLE001
            self.memory.model = None
            self.failed(exc, "build failed; still serving the last good site")
            return True
        self.finished(result, started, records, after)
        return True

    def warm_up(self) -> None:
        """Build the up-to-date site once more, writing nothing new, for the model the quick path starts from. Saves
        made meanwhile wait for it (at 10,000 articles, about as long as a whole rebuild), then take the quick path."""
        self.cold = False
        started = time.perf_counter()
        try:
            records: list[Callable[[], None]] = []
            result = build_site(self.config, BuildOptions(drafts=self.options.drafts, memory=self.memory, live=self.live,
                                                          deferred=records, force=True))
        except Exception as exc:  # noqa: BLE001 — as any build's: the browser shows why
            self.failed(exc, "build failed; still serving the last good site")
            return
        self.records = records  # (its warnings are the ones the first build repeated: not said twice)
        if self.memory.model is not None:
            self.say(f"ready for quick rebuilds ({time.perf_counter() - started:.2f}s)")

    def build(self, kind: ChangeKind) -> bool:
        """Rebuild the site (re-reading config.yaml first for a CONFIG change); publish the outcome."""
        was_broken = self.state.errors is not None
        self.state.building()
        started = time.perf_counter()
        try:
            if kind is ChangeKind.CONFIG:
                self.config = load_config(self.config_file)
                self.watcher.update(self.layout())
            after: list[Callable[[], None]] = []
            records: list[Callable[[], None]] = []
            result = build_site(self.config, BuildOptions(drafts=self.options.drafts, memory=self.memory, live=self.live,
                                                          deferred=records, search_after=after))
        except Exception as exc:  # noqa: BLE001 — any failure must reach the browser, not kill the server
            self.cold = False
            return self.failed(exc, "build failed; still serving the last good site")
        self.cold = result.up_to_date
        self.watcher.update(self.layout())  # folders the build created (content/articles/) are watched too
        # The browser is told, and shows the new pages, first: what the build left for after is the search index
        # (requests for it wait until it is written), then the records for the next build.
        self.state.succeeded_and_shown(style_only=kind is ChangeKind.STYLE and not was_broken)
        return self.finished(result, started, records, after)

    def finished(self, result: BuildResult, started: float, records: list[Callable[[], None]],
                 after: list[Callable[[], None]]) -> bool:
        """Say how a build went, keep its records, and run what it left for after the browser was told."""
        for d in result.report.diagnostics:
            self.complain(str(d))
        if result.up_to_date:
            self.say(f"up to date: {result.articles} articles, nothing to build (checked in "
                     f"{time.perf_counter() - started:.2f}s)")
        else:
            self.say(f"built {result.articles} articles in {time.perf_counter() - started:.2f}s")
        self.records = records  # the last build's, if not yet written: these will do
        shown = len(result.report.diagnostics)
        try:
            for step in after:
                step()
        except Interrupted:
            return True  # the next build makes the index; readers of it wait until then
        except Exception as exc:  # noqa: BLE001
            return self.failed(exc, "the search index failed; the pages are new, the index is the last build's")
        for d in result.report.diagnostics[shown:]:
            self.complain(str(d))
        return True

    def write_records(self) -> None:
        """Write the last build's records for the next build, if not yet written. They only spare a later digest
        process work (this one keeps what they say in memory), and cost about a second at 10,000 articles, so
        they wait until no change is waiting to be built (step), or until the preview stops."""
        try:
            for record in self.records:
                record()
        except OSError as exc:
            self.complain(f"cannot write the records for the next build: {exc}")
        self.records = []  # (the loop's thread builds too: no build replaces them meanwhile)

    def failed(self, exc: Exception, outcome: str) -> bool:
        """Show why a build failed, in the terminal and over the page; False."""
        self.live.settle()  # readers held back for files this build was to write get the last good ones
        problems = diagnostics_from_exception(exc, self.config.root.resolve())
        for d in problems:
            self.complain(str(d))
        self.complain(outcome)
        self.state.failed(problems)
        return False

    def run(self, stop: threading.Event | None = None, interval: float = 0.25) -> None:
        """Rebuild on every batch of changes until stop is set (checked every interval seconds) or Ctrl-C."""
        while stop is None or not stop.is_set():
            self.step(interval)

    def close(self) -> None:
        """Stop watching and serving; wait for every thread (open event streams included) to end; write what the
        last build left to write."""
        if self.watcher.observer.is_alive():
            self.watcher.stop()
        self.write_records()
        if self.server is not None:
            if self._server_thread is not None:  # shutdown() would wait forever for a loop never started
                self.server.shutdown()
                self._server_thread.join()
            self.server.server_close()


def serve(config: Config, options: ServeOptions = ServeOptions(), say: Say = print, complain: Say | None = None) -> None:
    """Preview a digest until Ctrl-C."""
    preview = Preview(config, options, say, complain)
    try:
        preview.start()
        preview.run()
    except KeyboardInterrupt:
        say("stopping")
    finally:
        preview.close()
