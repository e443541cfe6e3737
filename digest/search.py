"""Full-text search: a Pagefind index of the article pages, as more output files.

Pagefind's binary (the PyPI package ships it) indexes the article pages in a temporary folder;
the bundle comes back as bytes for pagefind/. Result URLs are stored relative to the site root
('/articles/x/'): pagefind.js puts its own location's base path (/news/) in front when it runs,
so one bundle works under any sub-path.
(Its Python service API waits 0.1 s per message, too slow for one message per page.)
Its output is byte-stable for the same pages added in the same order (tests/stages/test_search.py
holds it to that). Only the files the search page needs are kept: not Pagefind's own UI.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from pathlib import Path
from typing import TypeVar

from digest.cache import save_json
from digest.config import Config
from digest.errors import Diagnostic, DigestError, Interrupted, stop_if_asked, warning
from digest.sharding import split

T = TypeVar("T")
BUNDLE = "pagefind/"
SHARDS = BUNDLE + "shards.json"  # the folders of the other indexes, relative to BUNDLE
PAGES_RECORD = "search-pages.json"  # in .digest-cache/: the last build's page digests (load_page_digests)
SHARD_SIZE = 500  # article pages per index: an edit re-indexes one index of about this many pages
# What an index needs beyond the main one: search.js merges it into the main one, whose script and
# WebAssembly do the searching.
_RUNTIME_FILES = ("pagefind.js", "pagefind-worker.js", "wasm.")
# Pagefind's prebuilt UIs: our search page has its own small script (static/js/search.js).
_UI_FILES = ("pagefind-ui.", "pagefind-component-ui.", "pagefind-modular-ui.", "pagefind-highlight.")


def _pagefind_binary() -> Path | None:
    try:
        from pagefind.service import get_executable
    except ImportError:
        return None
    return get_executable()


def indexed(path: str) -> bool:
    """Is this output file a page the index holds? (The article pages.)"""
    return path.startswith("articles/") and path.endswith("/index.html")


def _indexed_pages(files: Mapping[str, bytes]) -> dict[str, bytes]:
    return {path: data for path, data in sorted(files.items()) if indexed(path)}


_BODY = b"data-pagefind-body"


def indexed_part(page: bytes) -> bytes:
    """What Pagefind reads of a page: its one data-pagefind-body element when no other data-pagefind
    attribute is outside it, else the whole page; either without the elements Pagefind ignores
    altogether (data-pagefind-ignore="all"). An article's related pieces or story line change
    with its neighbours; its text does not, and neither need its part of the index."""
    at = page.find(_BODY)
    if at < 0 or page.find(_BODY, at + 1) >= 0:
        return _without_ignored(page)
    span = _element(page, at)
    if span is None or b"data-pagefind" in page[:span[0]] or b"data-pagefind" in page[span[1]:]:
        return _without_ignored(page)
    return _without_ignored(page[span[0]:span[1]])


_IGNORED = b'data-pagefind-ignore="all"'


def _without_ignored(part: bytes) -> bytes:
    """part without its elements that carry data-pagefind-ignore="all" (part itself when one cannot be delimited)."""
    at = part.find(_IGNORED)
    while at >= 0:
        span = _element(part, at)
        if span is None:
            return part
        part = part[:span[0]] + part[span[1]:]
        at = part.find(_IGNORED, span[0])
    return part


def _element(page: bytes, at: int) -> tuple[int, int] | None:
    """(start, end) of the element whose start tag holds position at, found by counting its tag name's
    openings and closings; None when it cannot be delimited."""
    start = page.rfind(b"<", 0, at)
    name = re.match(rb"<([A-Za-z][A-Za-z0-9-]*)", page[start:at]) if start >= 0 else None
    if name is None:
        return None
    depth = 0
    for tag in re.compile(rb"<(/?)" + re.escape(name.group(1)) + rb"(?=[\s>/])", re.IGNORECASE).finditer(page, start):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            end = page.find(b">", tag.end()) + 1
            return (start, end) if end > 0 else None
    return None


def page_digest(page: bytes) -> bytes:
    """A hash of what Pagefind reads of an article page."""
    return hashlib.sha256(indexed_part(page)).digest()


def search_key(files: Mapping[str, bytes], config: Config) -> str:
    """A hash of everything the index depends on: what Pagefind reads of the article pages, the language
    and the Pagefind binary."""
    return digests_key({path: page_digest(data) for path, data in _indexed_pages(files).items()}, config)


def digests_key(digests: Mapping[str, bytes], config: Config) -> str:
    """search_key of the pages whose page_digest digests holds."""
    digest = hashlib.sha256(f"{config.language}\0{_pagefind_binary()}\0".encode())
    for path, page in sorted(digests.items()):
        digest.update(path.encode() + b"\0" + page)
    return digest.hexdigest()


PageDigests = tuple[Mapping[str, tuple[int, int, int]], Mapping[str, bytes]]  # (the files written, page digests)


def load_page_digests(cache_folder: Path | None, output: Path, live: Mapping[str, tuple[int, int, int]] | None,
                      last: PageDigests | None = None) -> dict[str, bytes]:
    """The page_digest of each article page the last build recorded (or, in digest serve, kept in memory: last),
    for the pages still as it wrote them (the same size, modification time and inode in live, the output's files):
    a build need not read them again."""
    if cache_folder is None or live is None:
        return {}
    if last is not None:
        written, digests = last
        return {path: digest for path, digest in digests.items() if path in live and live[path] == written.get(path)}
    try:
        data = json.loads((cache_folder / PAGES_RECORD).read_text(encoding="utf-8"))
        if data.get("output") != str(output):
            return {}
        return {path: bytes.fromhex(digest) for path, (size, mtime, inode, digest) in data["pages"].items()
                if live.get(path) == (size, mtime, inode)}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def save_page_digests(cache_folder: Path | None, output: Path, digests: Mapping[str, bytes],
                      written: Mapping[str, tuple[int, int, int]] | None) -> None:
    """Record the page digests of the article pages just written, with the files' stats (written: output_files)."""
    if cache_folder is None:
        return
    if written is None:
        try:
            (cache_folder / PAGES_RECORD).unlink(missing_ok=True)
        except OSError:
            pass  # without the record the next build reads its pages again, nothing worse
        return
    save_json(cache_folder / PAGES_RECORD, {"output": str(output), "pages": {
        path: [*written[path], digest.hex()] for path, digest in sorted(digests.items()) if path in written}})


PARTS_RECORD = "search-parts.json"  # in .digest-cache/: the last build's parts, by key, and their files' stats
PartFiles = dict[str, tuple[str, tuple[str, ...]]]  # {folder: (its cache key, the names of its files)}


def load_kept_parts(cache_folder: Path | None, output: Path, live: Mapping[str, tuple[int, int, int]] | None) -> PartFiles:
    """The parts of the search index the last build wrote whose files are all still as it wrote them in output
    (live: the output's files): a build whose part has the same key keeps those files instead of writing them again."""
    if cache_folder is None or live is None:
        return {}
    try:
        data = json.loads((cache_folder / PARTS_RECORD).read_text(encoding="utf-8"))
        if data.get("output") != str(output):
            return {}
        return {folder: (key, tuple(names)) for folder, (key, names) in data["parts"].items()
                if all(live.get(name) == tuple(stat) for name, stat in names.items())}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def save_kept_parts(cache_folder: Path | None, output: Path, parts: PartFiles,
                    written: Mapping[str, tuple[int, int, int]] | None) -> None:
    """Record the parts just written with their files' stats (written: output_files), for load_kept_parts."""
    if cache_folder is None:
        return
    known = {folder: [key, {name: written[name] for name in names}] for folder, (key, names) in sorted(parts.items())
             if written is not None and all(name in written for name in names)}
    save_json(cache_folder / PARTS_RECORD, {"output": str(output), "parts": known})


def shards(pages: Mapping[str, T]) -> list[tuple[str, dict[str, T]]]:
    """The article pages split into (folder, pages) of about SHARD_SIZE pages each; the first folder is BUNDLE.

    Pagefind has no incremental mode: one index of the whole digest is rebuilt, every page of it,
    when any article changes. Split by a hash of each page's path, an edit re-indexes only its part
    (and all parts are built in parallel). The count changes only as the digest grows past a multiple of SHARD_SIZE.
    """
    parts = split(sorted(pages.items()), itemgetter(0), SHARD_SIZE)
    return [(BUNDLE if i == 0 else f"{BUNDLE}shard-{i}/", dict(part)) for i, part in enumerate(parts)]


def shard_list(folders: list[str]) -> bytes:
    """pagefind/shards.json: the other indexes search.js merges into the main one."""
    return json.dumps([f.removeprefix(BUNDLE) for f in folders if f != BUNDLE]).encode("utf-8") + b"\n"


def search_bundle(files: Mapping[str, bytes], config: Config, folder: str = BUNDLE,
                  interrupt: Callable[[], bool] | None = None) -> tuple[dict[str, bytes], list[Diagnostic]]:
    """The files of a Pagefind index in folder of every article page of files; none (and a warning) without Pagefind.
    An index in another folder than BUNDLE leaves out the search code: it is merged into the main one.
    interrupt is asked while the pages are laid out for Pagefind and while it runs: True stops it and raises
    errors.Interrupted (digest serve)."""
    pages = _indexed_pages(files)
    if not pages:  # Pagefind refuses to build an empty index; the search page says there is none
        return {}, []
    binary = _pagefind_binary()
    if binary is None:
        return {}, [_no_pagefind()]
    with tempfile.TemporaryDirectory(prefix="digest-search-") as tmp:
        site = Path(tmp) / "site"
        for count, (path, data) in enumerate(pages.items()):
            if count % _ASK_EVERY == 0:
                stop_if_asked(interrupt, "search")
            target = site / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        return _pagefind_bundle(binary, site, None, Path(tmp) / "bundle", config, folder, interrupt), []


def search_bundle_in(site: Path, pages: Sequence[str], config: Config, folder: str = BUNDLE,
                     interrupt: Callable[[], bool] | None = None) -> tuple[dict[str, bytes], list[Diagnostic]]:
    """search_bundle of the article pages among pages, as they stand in the folder site (a build's staging folder):
    Pagefind reads them there, named by its --glob, where search_bundle first writes a copy of each page
    (10,000 files at 10,000 articles, beside the rendering)."""
    paths = sorted(path for path in pages if indexed(path))
    glob = _glob_of(paths)
    if glob is None:
        return search_bundle({path: (site / path).read_bytes() for path in paths}, config, folder, interrupt)
    binary = _pagefind_binary()
    if binary is None:
        return {}, [_no_pagefind()]
    with tempfile.TemporaryDirectory(prefix="digest-search-") as tmp:
        return _pagefind_bundle(binary, site, glob, Path(tmp) / "bundle", config, folder, interrupt), []


def _no_pagefind() -> Diagnostic:
    return warning("digest", "search: Pagefind is not installed, so the site has no search index",
                   hint="pip install 'pagefind[extended]'")


_GLOB_PLAIN = re.compile(r"[A-Za-z0-9._/-]+")  # (what a glob means as it is: any other character may be syntax)
_GLOB_MOST = 100_000  # characters: one argument of a command may hold 128 KiB on Linux


def _glob_of(paths: list[str]) -> str | None:
    """A glob that matches exactly paths (at least one); None when one of them holds a character other than
    ASCII letters, digits and ._/- (which a glob may treat specially), or the glob would be too long for a command line."""
    if not paths or not all(_GLOB_PLAIN.fullmatch(path) for path in paths):
        return None
    glob = paths[0] if len(paths) == 1 else "{" + ",".join(paths) + "}"
    return glob if len(glob.encode("utf-8")) <= _GLOB_MOST else None


def _pagefind_bundle(binary: Path, site: Path, glob: str | None, out: Path, config: Config, folder: str,
                     interrupt: Callable[[], bool] | None) -> dict[str, bytes]:
    """Run Pagefind over the pages of site (those glob matches, else all) into out; the files of the bundle."""
    command = [str(binary), "--site", str(site), "--output-path", str(out),
               "--force-language", config.language.split("-")[0], *(["--glob", glob] if glob is not None else [])]
    returncode, stdout, stderr = _run(command, interrupt)
    if returncode != 0:
        raise DigestError(Diagnostic("digest", f"search: Pagefind failed: {stdout.strip()} {stderr.strip()}",
                                     hint="check that Pagefind runs: python3 -m pagefind --version"))
    return {folder + p.relative_to(out).as_posix(): p.read_bytes()
            for p in sorted(out.rglob("*")) if p.is_file() and not p.name.startswith(_UI_FILES)
            and (folder == BUNDLE or not p.name.startswith(_RUNTIME_FILES))}


_PAGEFIND_TIMEOUT = 300.0
_ASK_EVERY = 32  # pages laid out for Pagefind: about 30 ms


def _run(command: list[str], interrupt: Callable[[], bool] | None) -> tuple[int, str, str]:
    """(exit code, output, errors) of command, stopped (errors.Interrupted) when interrupt says so."""
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        deadline = time.monotonic() + _PAGEFIND_TIMEOUT
        while True:
            try:
                stdout, stderr = process.communicate(timeout=0.05 if interrupt is not None else _PAGEFIND_TIMEOUT)
                return process.returncode, stdout, stderr
            except subprocess.TimeoutExpired:
                if (interrupt is not None and interrupt()) or time.monotonic() > deadline:
                    process.kill()
                    process.communicate()
                    if interrupt is not None and interrupt():
                        raise Interrupted("search") from None
                    raise DigestError(Diagnostic("digest", "search: Pagefind took longer than 5 minutes",
                                                 hint="check that Pagefind runs: python3 -m pagefind --version")) from None
