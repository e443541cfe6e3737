"""Watching a digest: which changed paths matter and how (pure), and bursts of saves batched into one rebuild.

Editors save in bursts (vim writes a probe file `4913`, a backup `x~` and the file; a `git checkout`
touches hundreds of files), so changes are collected until no new one has arrived for `quiet`
seconds, then handed over as one batch. Changes arriving while a batch is being built simply
start the next batch: a save during a rebuild causes exactly one more rebuild.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Callable, Iterable

from watchdog.events import (DirCreatedEvent, DirDeletedEvent, DirMovedEvent, FileCreatedEvent, FileDeletedEvent,
                             FileModifiedEvent, FileMovedEvent, FileSystemEvent, FileSystemEventHandler)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch
from watchdog.observers.polling import PollingObserver

from digest.config import Config
from digest.theme import PACKAGED

# The events that can change what a build reads. Without this filter inotify also reports every
# open and close, and a build reading 10,000 pages would keep the watcher thread busy for nothing.
_EVENTS: list[type[FileSystemEvent]] = [FileCreatedEvent, FileModifiedEvent, FileDeletedEvent, FileMovedEvent,
                                        DirCreatedEvent, DirDeletedEvent, DirMovedEvent]

# Names editors and tools write next to the file being saved; never content (see docs/serve.md).
_TEMP_SUFFIXES = ("~", ".tmp", ".swp", ".swo", ".swx", ".swn", ".part", ".crdownload", "___jb_tmp___", "___jb_old___")
_TEMP_NAMES = {"4913", "Thumbs.db"}


class ChangeKind(IntEnum):
    """What a batch of changes asks of the preview, in rising order: the largest in a batch wins."""

    NONE = 0  # nothing the site depends on
    STYLE = 1  # only stylesheets of a theme: rebuild, then swap the stylesheet in the browser
    SITE = 2  # sources, pages, templates or other theme files: rebuild, then reload the page
    CONFIG = 3  # config.yaml: read it again (paths and theme may move), rebuild, reload


@dataclass(frozen=True)
class Layout:
    """The files a build depends on, as absolute resolved paths."""

    config_file: Path
    sources: Path
    articles: Path
    themes: tuple[Path, ...]  # the digest's themes folder, then the packaged themes
    output: Path
    stories: Path | None = None  # the story ids file (digest.story_ids)

    @classmethod
    def of(cls, config: Config, config_file: Path, output: Path) -> Layout:
        return cls(config_file.resolve(), config.resolve(config.paths.sources), config.resolve(config.paths.articles),
                   (config.resolve(config.paths.themes), PACKAGED.resolve()), output.resolve(),
                   config.resolve(config.paths.stories))

    @property
    def content_folders(self) -> tuple[Path, ...]:
        return (self.sources, self.articles, *self.themes)

    def watch_roots(self) -> list[tuple[Path, bool]]:
        """(folder, recursive) pairs to watch: the config's folder alone, and every content folder below it."""
        roots = [(self.config_file.parent, False)]
        if self.stories is not None:
            roots.append((self.stories.parent, False))
        roots += [(folder, True) for folder in self.content_folders]
        return list(dict.fromkeys(roots))


def is_editor_temp(name: str) -> bool:
    """True for the swap, backup, lock and probe files editors write while saving (vim, emacs, JetBrains)."""
    # Leading "." covers vim's .x.swp, emacs' .#x lock and hidden files, which the build skips too;
    # leading "#" covers emacs' #x# autosave.
    return name in _TEMP_NAMES or name.endswith(_TEMP_SUFFIXES) or name.startswith((".", "#"))


_OWN_PAGE_WRITE = re.compile(r"\.(?P<page>.+)\.\d+\.(?:tmp|aside)")


def is_own_page_write(src: Path, dest: Path) -> bool:
    """True for the renames by which a build writes a page it stripped from a source (digest.pages renames
    `x.md` aside to `.x.md.<pid>.aside`, then `.x.md.<pid>.tmp` to `x.md`): reacting to them would rebuild
    the site a second time for nothing."""
    if src.parent != dest.parent:
        return False
    temporary = _OWN_PAGE_WRITE.fullmatch(src.name)
    if temporary and temporary.group("page") == dest.name:
        return True
    aside = _OWN_PAGE_WRITE.fullmatch(dest.name)
    return bool(aside and aside.group("page") == src.name and dest.name.endswith(".aside"))


def classify_path(path: Path, layout: Layout) -> ChangeKind:
    """What a change to one path means for the site."""
    if path == layout.config_file:
        return ChangeKind.CONFIG
    if path == layout.stories:
        return ChangeKind.SITE
    if path == layout.output or path.is_relative_to(layout.output):
        return ChangeKind.NONE
    for folder in layout.content_folders:
        if folder.is_relative_to(path):  # a parent of a content folder appeared, moved or vanished
            return ChangeKind.SITE
        if path.is_relative_to(folder):
            parts = path.relative_to(folder).parts
            if any(is_editor_temp(part) for part in parts):
                return ChangeKind.NONE
            if folder in layout.themes and path.suffix == ".css" and "static" in parts[:-1]:
                return ChangeKind.STYLE
            return ChangeKind.SITE
    return ChangeKind.NONE


def classify(paths: Iterable[Path], layout: Layout) -> ChangeKind:
    """What a batch of changes means for the site: the largest kind among its paths."""
    return max((classify_path(p, layout) for p in paths), default=ChangeKind.NONE)


class ChangeBatcher:
    """Changed paths, handed over as one batch once `quiet` seconds pass without a new change.

    A batch is also handed over `longest` seconds after its first change, so a file rewritten
    without pause (a log, a running download) cannot hold the preview back forever.
    """

    def __init__(self, quiet: float = 0.05, longest: float = 2.0, clock: Callable[[], float] = time.monotonic):
        self.quiet = quiet
        self.longest = longest
        self.clock = clock
        self._paths: set[Path] = set()
        self._first = 0.0
        self._last = 0.0
        self._changed = threading.Condition()

    def add(self, paths: Iterable[Path]) -> None:
        now = self.clock()
        with self._changed:
            if not self._paths:
                self._first = now
            self._paths.update(paths)
            self._last = now
            self._changed.notify_all()

    def pending(self) -> bool:
        """Whether a change waits to be built (due or not)."""
        with self._changed:
            return bool(self._paths)

    def due_in(self, now: float) -> float | None:
        """Seconds until the pending batch is due (0 when due now); None when nothing is pending."""
        with self._changed:
            if not self._paths:
                return None
            return max(0.0, min(self._last + self.quiet, self._first + self.longest) - now)

    def take(self, now: float) -> frozenset[Path] | None:
        """The pending batch if it is due, emptying it; else None."""
        with self._changed:
            if self.due_in(now) != 0.0:
                return None
            batch = frozenset(self._paths)
            self._paths.clear()
            return batch

    def wait(self, timeout: float) -> frozenset[Path] | None:
        """Block until a batch is due (and return it) or timeout seconds pass (and return None)."""
        deadline = self.clock() + timeout
        with self._changed:
            while True:
                now = self.clock()
                batch = self.take(now)
                if batch is not None or now >= deadline:
                    return batch
                due = self.due_in(now)
                self._changed.wait(min(deadline - now, due if due is not None else deadline - now))


class _Forward(FileSystemEventHandler):
    """Hands each relevant path of a watchdog event to the batcher; irrelevant ones never delay a batch."""

    def __init__(self, watcher: Watcher):
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory and event.event_type == "modified":
            return  # a folder's mtime changes with every file in it; the file's own event follows
        paths = [Path(_text(event.src_path))]
        if event.dest_path:
            paths.append(Path(_text(event.dest_path)))
            if is_own_page_write(*paths):
                return
        relevant = [p for p in paths if classify_path(p, self.watcher.layout) > ChangeKind.NONE]
        if relevant:
            self.watcher.batcher.add(relevant)


def _text(path: bytes | str) -> str:
    return path.decode() if isinstance(path, bytes) else path


class Watcher:
    """watchdog watching a Layout (native file events, or polling with `poll`), feeding a ChangeBatcher."""

    def __init__(self, layout: Layout, batcher: ChangeBatcher, poll: bool = False):
        self.layout = layout
        self.batcher = batcher
        self.observer: BaseObserver = PollingObserver(timeout=0.5) if poll else Observer()
        self._handler = _Forward(self)
        self._watches: dict[tuple[Path, bool], ObservedWatch] = {}

    def start(self) -> None:
        self.update(self.layout)
        self.observer.start()

    def update(self, layout: Layout) -> None:
        """Watch layout's folders: new ones (created since, or moved by config.yaml) added, stale ones dropped."""
        self.layout = layout
        wanted = [root for root in layout.watch_roots() if root[0].is_dir()]
        for key in [k for k in self._watches if k not in wanted]:
            self.observer.unschedule(self._watches.pop(key))
        for folder, recursive in wanted:
            if (folder, recursive) not in self._watches:
                self._watches[(folder, recursive)] = self.observer.schedule(self._handler, str(folder), recursive=recursive,
                                                                           event_filter=_EVENTS)

    def stop(self) -> None:
        self.observer.stop()
        self.observer.join()
