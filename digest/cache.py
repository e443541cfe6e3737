"""A content-hash cache of per-article stage results, on disk in <digest>/.digest-cache/.

An entry's key is the hash of the stage's name, the code that computes it (digest's own source
files and the versions of the libraries it runs on), the relevant config and the input itself.
So an entry can only ever hold what the stage would compute now: nothing needs invalidating, and
a stale result cannot be served. Editing any digest module changes every key: coarse, but it
cannot miss a change in a helper a stage calls.

Values are stored as JSON and read back against the stage's result type (`decode`, by msgspec), never
unpickled. Each stage keeps its entries in a few pack files, because on many disks creating a
file costs milliseconds while reading one costs microseconds: a build writes one pack per stage
with what it computed, merges all but the biggest pack when packs pile up, and rewrites the
stage into a single pack when most entries are no longer used. A pack starts with a header line
naming the cache format, digest's version and a checksum of the rest; a truncated, corrupt or foreign pack is deleted and its
entries recomputed, never an error. The header's second line lists the pack's keys, so a rebuild in
`digest serve`, which finds nearly everything in memory, learns that an edited article's key is in no
pack without parsing the packs. Packs are written to a temporary file and renamed, and a build deletes
only the packs it read itself, so concurrent builds share the folder safely.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import secrets
import shutil
import sys
import time
import typing
from functools import cache as memoize
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence, TypeVar

import msgspec

from digest import __version__
from digest.collector import cycle_collector_paused
from digest.interning import ByIdentity

T = TypeVar("T")
R = TypeVar("R")

FORMAT = 2
FOLDER_NAME = ".digest-cache"
_MAGIC = "digest-cache"
# Libraries whose output ends up in cached values: a new version of one may render differently.
_LIBRARIES = ("markdown-it-py", "mdit-py-plugins", "pygments", "pyyaml", "charset-normalizer", "anyascii",
              "trafilatura", "justext", "ftfy", "lxml")
# Rewrite a stage into one pack when it has more packs than this, or when most entries went unused.
_MAX_PACKS = 8


class Undecodable(ValueError):
    """A stored value does not have the shape of the stage's result type."""


@memoize
def code_fingerprint() -> str:
    """A hash of digest's source files, Python's version and the versions of the libraries it uses."""
    package = Path(__file__).resolve().parent
    h = hashlib.sha256(f"{__version__}\0{sys.version}\0".encode())
    for name in _LIBRARIES:
        try:
            h.update(f"{name}={metadata.version(name)}\0".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name}=absent\0".encode())
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def key_of(stage: str, parts: Iterable[str | bytes], long_texts: ByIdentity[bytes] | None = None) -> str:
    """The key of one input of a stage: every part length-prefixed, so no two inputs can collide by concatenation.
    A text of more than LONG_TEXT characters (or bytes) goes in by its own hash, kept in long_texts by the text's identity:
    an article's body is in the keys of three stages, and digest serve's next build holds the same objects."""
    h = hashlib.sha256()
    for part in (stage, code_fingerprint(), *parts):
        if len(part) > LONG_TEXT:
            h.update(b"\1" + (long_texts.of(part, _text_hash) if long_texts is not None else _text_hash(part)))
            continue
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(b"\0" + len(data).to_bytes(8, "little") + data)
    return h.hexdigest()


LONG_TEXT = 256


def _text_hash(text: str | bytes) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text).digest()


def config_part(section: object) -> str:
    """A config section (a dataclass) as a stable string, for a key that depends on it."""
    return msgspec.json.encode(section, order="sorted").decode("utf-8")


# --- values as JSON, read back against their type ------------------------------------------

def encode(value: Any) -> bytes:
    """value as JSON: dataclasses as objects, tuples and sets as arrays, enums as their values, bytes as base64;
    dict keys and sets sorted, so the same value gives the same bytes. TypeError for what JSON cannot hold;
    UnicodeEncodeError for text that is not Unicode (a lone surrogate).

    msgspec makes the plain data (in C) and the standard library writes it: msgspec's own writer, though
    faster, leaves a UTF-8 copy inside every non-ASCII string it writes (CPython caches it on the string),
    and a build's article texts outlive their packs: 160 MB more at 10,000 articles."""
    plain = msgspec.to_builtins(value, order="deterministic")
    if isinstance(plain, dict) and not all(isinstance(k, str) for k in plain):
        raise TypeError("only dicts with text keys can be cached")
    return json.dumps(plain, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def decode(data: bytes | msgspec.Raw, tp: Any) -> Any:
    """data (from encode) as a value of type tp; Undecodable when it does not fit, so a foreign entry is a miss.
    msgspec reads the JSON in C and checks it against tp as it goes, without the plain-data tree a json.loads
    would make first (10,000 cached annotations: 3.7 s -> 0.4 s)."""
    try:
        return _decoder(tp).decode(data)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise Undecodable(str(exc)) from None


@memoize
def _decoder(tp: Any) -> msgspec.json.Decoder[Any]:
    return msgspec.json.Decoder(tp)


# --- the store -----------------------------------------------------------------------------

@dataclasses.dataclass
class _Stage:
    """One stage's entries: those loaded from its packs, those computed in this run, and which were used."""

    folder: Path | None
    packs: list[Path]
    # Read from the packs on the first lookup that memory cannot answer; an entry leaves it as it is decoded
    # (into `values`), so a warm build does not hold each result twice (300 MB at 10,000 articles).
    loaded: dict[str, msgspec.Raw] | None = None
    loaded_keys: frozenset[str] = frozenset()  # every key of loaded as it was read
    keys: frozenset[str] | None = None  # the keys the packs list, read instead of them while memory answers
    # The keys computed in this run and not yet written; their values are in `values`, encoded only as the
    # pack is written (kept encoded as well, 10,000 articles' annotations and terms took 200 MB more).
    new: set[str] = dataclasses.field(default_factory=set)
    used: set[str] = dataclasses.field(default_factory=set)
    values: dict[str, Any] = dataclasses.field(default_factory=dict)  # decoded, for a second lookup in the same run


@dataclasses.dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0


class CacheMemory:
    """Decoded results kept between the builds of one process (digest serve): a rebuild finds what the
    last build used without reading the packs or decoding them again. Holds one build's worth."""

    def __init__(self) -> None:
        self.stages: dict[str, dict[str, Any]] = {}
        self.long_texts: ByIdentity[bytes] | None = None  # hashes of the texts in the keys (key_of)


class Cache:
    """Results of per-article stages by content hash; folder None keeps nothing between runs (digest build --no-cache).
    memory, when given, answers first and is refreshed by save()."""

    def __init__(self, folder: Path | None, memory: CacheMemory | None = None):
        self.folder = folder
        self.memory = memory
        self.stats: dict[str, CacheStats] = {}
        # Only with a memory, which holds these texts anyway: a ByIdentity keeps what it hashed alive, and a build
        # lets go of texts as it goes (the page texts, the HTML before annotations: 170 MB at 10,000 articles).
        self.long_texts = ByIdentity(memory.long_texts) if memory is not None else None
        self._stages: dict[str, _Stage] = {}
        self._saved: set[str] = set()  # stages written by save_stages and not used since

    def cached(self, stage: str, key_parts: Sequence[str | bytes], compute: Callable[[], T], result_type: Any = str) -> T:
        """The stage's result for this input: from the cache when it holds it, else computed and kept."""
        key = key_of(stage, key_parts, self.long_texts)
        found = self._lookup(stage, key, result_type)
        if found is not _MISSING:
            return typing.cast(T, found)
        value = compute()
        self._keep(stage, key, value)
        return value

    def map(self, stage: str, items: Sequence[T], key_parts: Callable[[T], Sequence[str | bytes]],
            compute: Callable[[T], R], result_type: Any, mapper: Callable[[Callable[[T], R], Sequence[T]], list[R]],
            more_to_come: bool = False) -> list[R]:
        """compute over items, in order: cached results looked up here, the rest computed by mapper (in parallel).
        more_to_come: the stage maps more items after these (the pages, read a few thousand at a time), so what
        the packs hold beyond these items is kept for them, not let go."""
        keys = [self.key(stage, key_parts(item)) for item in items]
        with cycle_collector_paused():  # decoding makes many long-lived objects: 10,000 annotations took 3 s, not 0.4
            results: list[Any] = [self._lookup(stage, key, result_type) for key in keys]
        store = self._stage(stage)
        if store.loaded and not more_to_come:  # the entries no item asked for: a build after an upgrade finds only those (200 MB at 10,000)
            store.loaded.clear()
        todo = [i for i, r in enumerate(results) if r is _MISSING]
        for i, value in zip(todo, mapper(compute, [items[i] for i in todo])):
            results[i] = value
            self._keep(stage, keys[i], value)
        return results

    def ensure(self, stage: str, items: Sequence[T], key_parts: Callable[[T], Sequence[str | bytes]],
               compute: Callable[[T], R], mapper: Callable[[Callable[[T], R], Sequence[T]], list[R]]) -> None:
        """Make the stage hold compute's result for every item: those it lacks are computed by mapper (in
        parallel), those it holds are kept without being read, for a later map that may ask for a few of them."""
        keys = [self.key(stage, key_parts(item)) for item in items]
        store = self._stage(stage)
        remembered = self.memory.stages.get(stage, {}) if self.memory is not None else {}
        held = self._keys(store)
        todo = []
        for i, key in enumerate(keys):
            if key in remembered and key not in store.values:
                store.values[key] = remembered[key]
            if key in store.values or key in held:
                store.used.add(key)
                self.stats[stage].hits += 1
            else:
                todo.append(i)
                self.stats[stage].misses += 1
        for i, value in zip(todo, mapper(compute, [items[i] for i in todo])):
            self._keep(stage, keys[i], value)

    def key(self, stage: str, key_parts: Sequence[str | bytes]) -> str:
        """The key of one input of stage, as cached and map look it up."""
        return key_of(stage, key_parts, self.long_texts)

    def hold(self, stage: str, keys: Iterable[str]) -> None:
        """Keep these entries in the stage's packs, as if looked up, without reading them: the build keeps what
        they made (the search index's parts whose files it keeps as they are)."""
        wanted = set(keys)
        if wanted:
            store = self._stage(stage)
            store.used.update(wanted & self._keys(store))

    def save(self) -> None:
        """Write what this run computed, one pack per stage; rewrite a stage whose packs piled up or went stale.
        The memory, when there is one, is refreshed with the results this run used."""
        if self.memory is not None:
            # (an entry held but never read, Cache.hold and Cache.ensure, stays in the packs only)
            # (a stage this run did not use keeps what it held: digest serve's update for saved pages uses few)
            self.memory.stages = {**self.memory.stages, **{name: {k: store.values[k] for k in store.used if k in store.values}
                                                         for name, store in self._stages.items()}}
            self.memory.long_texts = self.long_texts
        self.save_stages(*(name for name in self._stages if name not in self._saved))

    def save_stages(self, *names: str) -> None:
        """Write these stages now, as save does, and let go of what only writing needed (the entries read from
        their packs and, with no memory to refresh, the results): a build calls it when it is done with the
        per-article stages, so their packs are not written on top of the rendered site, and their results
        do not outlive the rest of the build's use of them. A stage used again is saved again by save."""
        for name in names:
            store = self._stages.get(name)
            if store is None:
                continue
            try:
                self._save_stage(store)
            except OSError:
                pass  # a cache that cannot be written only costs time
            store.new.clear()
            store.loaded = store.keys = None  # a later lookup reads the packs again, this run's among them
            store.loaded_keys = frozenset()
            store.packs = _packs(store.folder)
            if self.memory is None:
                store.values = {}
            self._saved.add(name)

    def _save_stage(self, stage: _Stage) -> None:
        if stage.folder is None:
            return
        # The keys the packs hold, as far as this run learnt them: none when memory answered every lookup (digest
        # serve) or nothing was looked up; from the key lists when every lookup missed (a first build after an upgrade).
        held = stage.loaded_keys if stage.loaded is not None else stage.keys or frozenset()
        if stage.packs and 2 * len(held - stage.used) > len(stage.used):
            # Mostly entries of articles since changed or deleted: read again, as the used ones left `loaded`.
            self._rewrite(stage, stage.packs, _read_packs(stage.packs))
        elif len(stage.packs) >= _MAX_PACKS:
            # Packs piled up, one a build: the small ones are merged, and the biggest (the first build's, all
            # of a large digest) stays as it is rather than being parsed and written again for a few entries.
            small = sorted(stage.packs, key=_size)[:-1]
            self._rewrite(stage, small, _read_packs(small))
        elif stage.new:
            _write_pack(stage.folder, {}, {k: stage.values[k] for k in stage.new})

    @staticmethod
    def _rewrite(stage: _Stage, packs: list[Path], entries: dict[str, msgspec.Raw]) -> None:
        """Replace packs by one pack of their entries this build used, and what it computed."""
        assert stage.folder is not None
        _write_pack(stage.folder, {k: v for k, v in entries.items() if k in stage.used and k not in stage.new},
                    {k: stage.values[k] for k in stage.new})
        for pack in packs:
            pack.unlink(missing_ok=True)
        _remove_abandoned(stage.folder)

    def _stage(self, name: str) -> _Stage:
        self._saved.discard(name)
        if name not in self._stages:
            self.stats[name] = CacheStats()
            folder = self._stage_folder(name)
            self._stages[name] = _Stage(folder, _packs(folder))
        return self._stages[name]

    @staticmethod
    def _load(store: _Stage) -> dict[str, msgspec.Raw]:
        if store.loaded is None:
            store.loaded = _read_packs(store.packs)
            store.loaded_keys = frozenset(store.loaded)
        return store.loaded

    @classmethod
    def _keys(cls, store: _Stage) -> frozenset[str]:
        """The keys the stage's packs hold, from their key lists (the packs are parsed only when a list cannot be read)."""
        if store.keys is None:
            lists = [_read_pack_keys(pack) for pack in store.packs]
            if None in lists:
                cls._load(store)
                store.keys = store.loaded_keys
            else:
                store.keys = frozenset().union(*lists)
        return store.keys

    def subfolder(self, name: str) -> Path | None:
        """A folder of the cache for other build state (the previous site), or None when there is no cache."""
        if self.folder is None:
            return None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            _mark_cache_folder(self.folder)
        except OSError:
            return None  # e.g. .digest-cache is a file, or read-only: build without a cache
        return self.folder / name

    def _stage_folder(self, name: str) -> Path | None:
        folder = self.subfolder(f"v{FORMAT}/{name}")
        try:
            if folder is not None:
                if not folder.parent.exists():
                    _remove_other_formats(folder.parent)
                folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return None
        return folder

    def _lookup(self, stage: str, key: str, result_type: Any) -> Any:
        store = self._stage(stage)
        if key in store.values:
            self.stats[stage].hits += 1
            return store.values[key]
        remembered = self.memory.stages.get(stage, {}) if self.memory is not None else {}
        if key in remembered:
            store.used.add(key)
            store.values[key] = remembered[key]
            self.stats[stage].hits += 1
            return remembered[key]
        if store.loaded is None and key not in self._keys(store):
            self.stats[stage].misses += 1  # an edited article: no pack holds it, and none need be parsed to know
            return _MISSING
        data = self._load(store).pop(key, _MISSING)  # (what this run computed is in store.values)
        if data is not _MISSING:
            try:
                value = decode(data, result_type)
            except Undecodable:
                value = _MISSING
            if value is not _MISSING:
                store.used.add(key)
                store.values[key] = value
                self.stats[stage].hits += 1
                return value
        self.stats[stage].misses += 1
        return _MISSING

    def _keep(self, stage: str, key: str, value: Any) -> None:
        store = self._stage(stage)
        store.new.add(key)
        store.used.add(key)
        store.values[key] = value


_MISSING: Any = object()


def save_json(path: Path, data: Any) -> None:
    """data as compact JSON at path (as encode writes it), whole or not at all (a temporary file renamed over it).
    A record that cannot be written only costs the next build time, so a failure is not an error."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        temporary.write_bytes(encode(data))
        temporary.replace(path)
    except (OSError, UnicodeEncodeError):
        pass


_ENTRIES = msgspec.json.Decoder(dict[str, msgspec.Raw])  # a pack's body: each entry's JSON found, not parsed
_HEADER_START = f"{_MAGIC} {FORMAT} {__version__} ".encode()  # then the checksum of the rest


def _header(body: bytes | memoryview) -> bytes:
    return _header_of(hashlib.sha256(body).hexdigest())


def _header_of(checksum: str) -> bytes:
    return _HEADER_START + f"{checksum}\n".encode()


def _write_pack(folder: Path, stored: Mapping[str, msgspec.Raw], computed: Mapping[str, Any]) -> None:
    """A new pack of stored entries (their JSON, as read from packs) and computed ones (values, encoded here).
    Written an entry at a time, the checksum in the header last: the JSON of a whole stage at once, on
    top of a build, took hundreds of MB. A value JSON cannot hold (text with a lone surrogate) is left out:
    listed but absent, it is recomputed when next asked for."""
    keys = sorted(stored.keys() | computed.keys())
    checksum = hashlib.sha256()
    name = secrets.token_hex(8)
    tmp = folder / f".{name}.tmp"
    with open(tmp, "wb") as f:

        def put(data: bytes) -> None:
            checksum.update(data)
            f.write(data)

        f.write(_header_of("0" * checksum.digest_size * 2))  # the header's room, filled in at the end
        put(encode(keys) + b"\n{")
        separator = b""
        for key in keys:
            try:
                data = encode(computed[key]) if key in computed else bytes(stored[key])
            except UnicodeEncodeError:
                continue
            put(separator + encode(key) + b":" + data)
            separator = b","
        put(b"}")
        f.seek(0)
        f.write(_header_of(checksum.hexdigest()))
    os.replace(tmp, folder / f"{name}.pack")


def _remove_abandoned(folder: Path) -> None:
    """Remove temporary files that builds killed while writing a pack left behind (not ones being written now)."""
    for tmp in folder.glob(".*.tmp"):
        try:
            if time.time() - tmp.stat().st_mtime > 3600:
                tmp.unlink()
        except OSError:
            pass


def _read_packs(packs: list[Path]) -> dict[str, msgspec.Raw]:
    entries: dict[str, msgspec.Raw] = {}
    for pack in packs:
        entries.update(_read_pack(pack))
    return entries


def _packs(folder: Path | None) -> list[Path]:
    """The packs in a stage's folder (none without one)."""
    return sorted(folder.glob("*.pack")) if folder is not None else []


def _size(pack: Path) -> int:
    try:
        return pack.stat().st_size
    except OSError:
        return 0


def _read_pack(pack: Path) -> dict[str, msgspec.Raw]:
    """The entries of a pack, each its JSON unparsed (parsed by decode as it is asked for); an unreadable,
    corrupt or foreign pack is deleted and counts as empty."""
    try:
        data = pack.read_bytes()
    except OSError:
        return {}  # deleted by a concurrent build's rewrite: its entries are in the new pack or recomputed
    # Slices of one view of the file's bytes, not copies: each entry is a msgspec.Raw into them (partitioned,
    # a pack was in memory three times over while it was parsed: 260 MB for a stage at 10,000 articles).
    view = memoryview(data)
    try:
        end_of_header = data.index(b"\n") + 1
        if data[:end_of_header] != _header(view[end_of_header:]):
            raise ValueError("foreign or corrupt pack")
        return _ENTRIES.decode(view[data.index(b"\n", end_of_header) + 1:])
    except (ValueError, msgspec.DecodeError):
        pack.unlink(missing_ok=True)
        return {}


def _remove_other_formats(formats_folder: Path) -> None:
    """Delete the packs of earlier cache formats (v1/, ...) beside formats_folder: no build of this version reads them."""
    for other in formats_folder.parent.glob("v[0-9]*"):
        if other.is_dir() and other != formats_folder:
            shutil.rmtree(other, ignore_errors=True)


def _read_pack_keys(pack: Path) -> frozenset[str] | None:
    """The keys a pack lists, read without parsing its entries; None when the list cannot be read."""
    try:
        with open(pack, "rb") as f:
            header, keys = f.readline(), f.readline()
        if not header.startswith(_HEADER_START):
            raise ValueError("foreign pack")
        return _decoder(frozenset[str]).decode(keys)
    except FileNotFoundError:
        return frozenset()  # deleted by a concurrent build's rewrite
    except (OSError, ValueError, msgspec.DecodeError):
        return None


def _mark_cache_folder(folder: Path) -> None:
    """Tell git and backup tools that folder is a cache (pytest's .pytest_cache does the same)."""
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# created by digest: a cache, safe to delete\n*\n")
        (folder / "CACHEDIR.TAG").write_text("Signature: 8a477f597d28d172789f06886806bc55\n"
                                             "# digest's build cache; see https://bford.info/cachedir/\n")
