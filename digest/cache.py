"""A content-hash cache of per-article stage results, on disk in <digest>/.digest-cache/.

An entry's key is the hash of the stage's name, the code that computes it (digest's own source
files and the versions of the libraries it runs on), the relevant config and the input itself.
So an entry can only ever hold what the stage would compute now: nothing needs invalidating, and
a stale result cannot be served. Editing any digest module changes every key: coarse, but it
cannot miss a change in a helper a stage calls.

Values are stored as JSON and read back against the stage's result type (`decode`), never
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

import base64
import dataclasses
import enum
import hashlib
import json
import os
import secrets
import shutil
import sys
import time
import types
import typing
from functools import cache as memoize
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence, TypeVar

from digest import __version__

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


def key_of(stage: str, parts: Iterable[str | bytes]) -> str:
    """The key of one input of a stage: every part length-prefixed, so no two inputs can collide by concatenation."""
    h = hashlib.sha256()
    for part in (stage, code_fingerprint(), *parts):
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little") + data)
    return h.hexdigest()


def config_part(section: object) -> str:
    """A config section (a dataclass) as a stable string, for a key that depends on it."""
    return json.dumps(encode(section), sort_keys=True, ensure_ascii=False)


# --- values as JSON, read back against their type ------------------------------------------

def encode(value: Any) -> Any:
    """value as plain JSON data: dataclasses as objects, tuples as lists, enums as their values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return encode(value.value)
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(encode(v) for v in value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError("only dicts with text keys can be cached")
        return {k: encode(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float)):
        return value
    raise TypeError(f"cannot cache a {type(value).__name__}")


def decode(data: Any, tp: Any) -> Any:
    """data (from encode) as a value of type tp; Undecodable when it does not fit, so a foreign entry is a miss."""
    return _decoder(tp)(data)


Decoder = Callable[[Any], Any]


@memoize
def _decoder(tp: Any) -> Decoder:
    """A function that reads data as type tp, built once per type: decoding runs for every cached article."""
    if tp is Any or tp is object:
        return lambda data: data
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Union or origin is types.UnionType:
        return _union_decoder(tp, [_decoder(arm) for arm in args])
    if origin is typing.Literal:
        return _checked(lambda data: data in args, f"one of {args}")
    if tp is type(None):
        return _checked(lambda data: data is None, "null")
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return _enum_decoder(tp)
    if tp is bool:
        return _checked(lambda data: isinstance(data, bool), "true or false")
    if tp in (str, int):
        return _checked(lambda data: type(data) is tp, tp.__name__)
    if tp is bytes:
        return _checked(lambda data: type(data) is str, "base64 text", base64.b64decode)
    if tp is float:
        return _float_decoder
    if origin in (tuple, list):
        return _sequence_decoder(origin, args)
    if origin in (frozenset, set):
        return _sequence_decoder(list, args, origin)
    if origin is dict and args and args[1] in _PLAIN:
        return _plain_items_decoder(dict, args[1])
    if origin is dict:
        values = _decoder(args[1]) if args else _decoder(Any)
        return _checked(lambda data: isinstance(data, dict), "an object",
                        lambda data: {k: values(v) for k, v in data.items()})
    if dataclasses.is_dataclass(tp):
        return _dataclass_decoder(tp)
    raise TypeError(f"cannot read a cached {tp}")


def _checked(test: Callable[[Any], bool], expected: str, convert: Decoder = lambda data: data) -> Decoder:
    def read(data: Any) -> Any:
        if not test(data):
            raise Undecodable(f"expected {expected}, found {data!r:.60}")
        return convert(data)
    return read


def _union_decoder(tp: Any, arms: list[Decoder]) -> Decoder:
    def read(data: Any) -> Any:
        for arm in arms:
            try:
                return arm(data)
            except Undecodable:
                continue
        raise Undecodable(f"{data!r:.60} is none of {tp}")
    return read


def _enum_decoder(tp: type[enum.Enum]) -> Decoder:
    def read(data: Any) -> Any:
        try:
            return tp(data)
        except ValueError as exc:
            raise Undecodable(str(exc)) from None
    return read


def _float_decoder(data: Any) -> float:
    if isinstance(data, (int, float)) and not isinstance(data, bool):
        return float(data)
    raise Undecodable(f"expected a number, found {data!r:.60}")


def _sequence_decoder(origin: type, args: tuple[Any, ...], make: type | None = None) -> Decoder:
    if args and args[0] in _PLAIN and (origin is list or (len(args) == 2 and args[1] is Ellipsis)):
        return _plain_items_decoder(make or origin, args[0])
    if origin is list or not args or (len(args) == 2 and args[1] is Ellipsis):
        item = _decoder(args[0]) if args else _decoder(Any)
        convert: Decoder = lambda data: (make or origin)(item(d) for d in data)
        return _checked(lambda data: isinstance(data, list), "a list", convert)
    items = [_decoder(a) for a in args]
    return _checked(lambda data: isinstance(data, list) and len(data) == len(items), f"a list of {len(items)}",
                    lambda data: tuple(read(d) for read, d in zip(items, data)))


_PLAIN = (str, int)  # JSON gives them exactly: a check of their type is all their decoding


def _plain_items_decoder(make: type, item: type) -> Decoder:
    """A decoder of a container of str or of int (a dict's values), checked and copied without a call per item:
    each article's words and names (dict[str, int]) were most of the time of reading its cached terms."""
    expected = f"a {make.__name__} of {item.__name__}"

    def read(data: Any) -> Any:
        if isinstance(data, dict) if make is dict else isinstance(data, list):
            items = data.values() if make is dict else data
            if all(type(value) is item for value in items):
                return make(data)
        raise Undecodable(f"expected {expected}, found {data!r:.60}")
    return read


def _dataclass_decoder(tp: Any) -> Decoder:
    hints = typing.get_type_hints(tp)
    fields = [(f.name, _decoder(hints[f.name])) for f in dataclasses.fields(tp)]
    names = {name for name, _ in fields}

    def read(data: Any) -> Any:
        if not isinstance(data, dict) or data.keys() != names:
            raise Undecodable(f"not a {tp.__name__} of this version")
        return tp(**{name: field(data[name]) for name, field in fields})
    return read


# --- the store -----------------------------------------------------------------------------

@dataclasses.dataclass
class _Stage:
    """One stage's entries: those loaded from its packs, those computed in this run, and which were used."""

    folder: Path | None
    packs: list[Path]
    # Read from the packs on the first lookup that memory cannot answer; an entry leaves it as it is decoded
    # (into `values`), so a warm build does not hold each result twice (300 MB at 10,000 articles).
    loaded: dict[str, Any] | None = None
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


class Cache:
    """Results of per-article stages by content hash; folder None keeps nothing between runs (digest build --no-cache).
    memory, when given, answers first and is refreshed by save()."""

    def __init__(self, folder: Path | None, memory: CacheMemory | None = None):
        self.folder = folder
        self.memory = memory
        self.stats: dict[str, CacheStats] = {}
        self._stages: dict[str, _Stage] = {}
        self._saved: set[str] = set()  # stages written by save_stages and not used since

    def cached(self, stage: str, key_parts: Sequence[str | bytes], compute: Callable[[], T], result_type: Any = str) -> T:
        """The stage's result for this input: from the cache when it holds it, else computed and kept."""
        key = key_of(stage, key_parts)
        found = self._lookup(stage, key, result_type)
        if found is not _MISSING:
            return typing.cast(T, found)
        value = compute()
        self._keep(stage, key, value)
        return value

    def map(self, stage: str, items: Sequence[T], key_parts: Callable[[T], Sequence[str | bytes]],
            compute: Callable[[T], R], result_type: Any, mapper: Callable[[Callable[[T], R], Sequence[T]], list[R]]) -> list[R]:
        """compute over items, in order: cached results looked up here, the rest computed by mapper (in parallel)."""
        keys = [key_of(stage, key_parts(item)) for item in items]
        results: list[Any] = [self._lookup(stage, key, result_type) for key in keys]
        store = self._stage(stage)
        if store.loaded:  # the entries no item asked for: a build after an upgrade finds only those (200 MB at 10,000)
            store.loaded.clear()
        todo = [i for i, r in enumerate(results) if r is _MISSING]
        for i, value in zip(todo, mapper(compute, [items[i] for i in todo])):
            results[i] = value
            self._keep(stage, keys[i], value)
        return results

    def save(self) -> None:
        """Write what this run computed, one pack per stage; rewrite a stage whose packs piled up or went stale.
        The memory, when there is one, is refreshed with the results this run used."""
        if self.memory is not None:
            self.memory.stages = {name: {k: store.values[k] for k in store.used} for name, store in self._stages.items()}
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
        # loaded is None when memory answered every lookup (digest serve): the packs were not parsed
        if stage.loaded is not None and stage.packs and 2 * len(stage.loaded_keys - stage.used) > len(stage.used):
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
    def _rewrite(stage: _Stage, packs: list[Path], entries: dict[str, Any]) -> None:
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
    def _load(store: _Stage) -> dict[str, Any]:
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
        if store.loaded is None and remembered and key not in self._keys(store):
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
    """data as compact JSON at path, whole or not at all (a temporary file renamed over it). A record
    that cannot be written only costs the next build time, so a failure is not an error."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        temporary.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        temporary.replace(path)
    except OSError:
        pass


_HEADER_START = f"{_MAGIC} {FORMAT} {__version__} ".encode()  # then the checksum of the rest


def _header(body: bytes) -> bytes:
    return _header_of(hashlib.sha256(body).hexdigest())


def _header_of(checksum: str) -> bytes:
    return _HEADER_START + f"{checksum}\n".encode()


def _write_pack(folder: Path, stored: Mapping[str, Any], computed: Mapping[str, Any]) -> None:
    """A new pack of stored entries (JSON data, as read from packs) and computed ones (values, encoded here).
    Written an entry at a time, the checksum in the header last: the JSON of a whole stage at once, on
    top of a build, took hundreds of MB (the same bytes as json.dumps of all the entries, sorted)."""
    keys = sorted(stored.keys() | computed.keys())
    checksum = hashlib.sha256()
    name = secrets.token_hex(8)
    tmp = folder / f".{name}.tmp"
    with open(tmp, "wb") as f:

        def put(data: bytes) -> None:
            checksum.update(data)
            f.write(data)

        f.write(_header_of("0" * checksum.digest_size * 2))  # the header's room, filled in at the end
        put(json.dumps(keys, separators=(",", ":")).encode("ascii") + b"\n{")
        for i, key in enumerate(keys):
            data = encode(computed[key]) if key in computed else stored[key]
            entry = json.dumps({key: data}, ensure_ascii=False, separators=(",", ":"), sort_keys=True)[1:-1]
            put((b"," if i else b"") + entry.encode("utf-8", "surrogatepass"))
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


def _read_packs(packs: list[Path]) -> dict[str, Any]:
    entries: dict[str, Any] = {}
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


def _read_pack(pack: Path) -> dict[str, Any]:
    """The entries of a pack; an unreadable, corrupt or foreign one is deleted and counts as empty."""
    try:
        data = pack.read_bytes()
    except OSError:
        return {}  # deleted by a concurrent build's rewrite: its entries are in the new pack or recomputed
    header, _, body = data.partition(b"\n")
    try:
        if header + b"\n" != _header(body):
            raise ValueError("foreign or corrupt pack")
        entries = json.loads(body.partition(b"\n")[2].decode("utf-8", "surrogatepass"))
        if not isinstance(entries, dict):
            raise ValueError("not a pack")
        return entries
    except ValueError:
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
        listed = json.loads(keys)
        if not isinstance(listed, list):
            raise ValueError("not a list of keys")
        return frozenset(listed)
    except FileNotFoundError:
        return frozenset()  # deleted by a concurrent build's rewrite
    except (OSError, ValueError):
        return None


def _mark_cache_folder(folder: Path) -> None:
    """Tell git and backup tools that folder is a cache (pytest's .pytest_cache does the same)."""
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# created by digest: a cache, safe to delete\n*\n")
        (folder / "CACHEDIR.TAG").write_text("Signature: 8a477f597d28d172789f06886806bc55\n"
                                             "# digest's build cache; see https://bford.info/cachedir/\n")
