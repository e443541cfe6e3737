"""Write the built site: into a staging folder beside the output, then swapped in at once.

On Linux the swap is one renameat2(RENAME_EXCHANGE) call, so a reader (or a kill -9) sees the
old site or the new one, never neither; elsewhere it is two renames. Staging folders left by an
interrupted build are removed by the next one. Nothing outside the output folder and its own
staging folders is ever deleted.

`digest serve` updates its output in place instead (update_in_place): it knows what the folder
holds, as its last build left it, so a save writes the few files that changed rather than
linking tens of thousands into a new folder. The new files are written beside the output first;
only then, under a lock its server holds while it reads a file, are they renamed into place and
the files no longer built deleted, so no request sees an update half done.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import threading
from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable, Self

from digest.errors import ConfigError, Diagnostic, DigestError
from digest.model import KEEP, Keep
from digest.renames import exchange


def check_output_folder(output: Path, root: Path, protected: list[Path]) -> None:
    """Refuse an output folder whose replacement would delete the digest itself."""
    output = output.resolve()
    for folder in [root.resolve(), *[p.resolve() for p in protected]]:
        if output == folder or folder.is_relative_to(output):
            raise ConfigError(Diagnostic(str(output), f"refusing to build into {output}: it holds {folder.name or folder}",
                                         hint="choose an output folder of its own, such as site/"))
    if output == Path(output.anchor) or output == Path.home():
        raise ConfigError(Diagnostic(str(output), "refusing to build into a root or home folder", hint="choose a folder such as site/"))


def safe_relative(name: str) -> PurePosixPath:
    """name as a relative path that stays inside the output folder; ValueError otherwise."""
    if "\x00" in name or "\\" in name:
        raise ValueError(f"unsafe output path {name!r}")
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts or ":" in path.parts[0]:
        raise ValueError(f"unsafe output path {name!r}")
    return path


def safe_name(name: str) -> str:
    """name as safe_relative gives it back, as a string; a name already in that form (every name a build
    makes) is checked without a PurePosixPath, which took a fifth of the write of 28,000 files."""
    parts = name.split("/")
    if "\x00" in name or "\\" in name or ":" in parts[0] or any(part in ("", ".", "..") for part in parts):
        return safe_relative(name).as_posix()  # a ValueError, or a name to normalise
    return name


def staging_folders(output: Path) -> list[Path]:
    """Staging folders of output left by builds that did not finish: not those of a build still running
    beside this one (a build stages its site from render to write, tens of seconds at 10,000 articles)."""
    return sorted(folder for folder in output.parent.glob(f".{output.name}.staging-*")
                  if not _running(folder.name.rpartition(".staging-")[2].split("-")[0]))


def _running(pid: str) -> bool:
    """Whether pid is a process running now, other than this one (whose leftovers are stale as well)."""
    if not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)  # signal 0: only asks whether it exists
    except PermissionError:
        return True  # another user's
    except (ProcessLookupError, OverflowError):
        return False
    return True


def write_site(files: Mapping[str, bytes | Keep], output: Path, reuse: Path | None = None) -> None:
    """Replace output with exactly files ({relative posix path: content, or KEEP for the live file as it is}).

    A file whose bytes did not change is the old file itself (hard-linked, else copied with its
    times), so it keeps its modification time and deploys that compare times copy only what
    changed. With reuse, the replaced site is kept there and becomes the next build's staging
    folder, so a rebuild writes only what changed instead of every file and folder again.
    """
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    for stale in staging_folders(output):
        shutil.rmtree(stale, ignore_errors=True)
    wanted = {safe_name(name): data for name, data in files.items()}
    if _holds_exactly(output, wanted):
        return  # nothing changed: no swap, not a file touched
    with StagedSite(output, reuse) as site:
        for relative in sorted(wanted):
            site[relative] = wanted[relative]
        site.finish()


class StagedSite(MutableMapping[str, bytes | Keep]):
    """A new site for output, each file written into a staging folder beside it as it is set, and swapped in
    whole by finish(), as write_site does: a build sets each page as it renders it instead of holding the
    whole site in memory until the end (at 10,000 articles, 600 MB). Getting a file reads it back from
    the staging folder (KEEP for one set so). Used in a with block, at whose end the staging folder
    (after a swap, the replaced site) becomes reuse, the next build's staging folder, or is removed.
    """

    def __init__(self, output: Path, reuse: Path | None = None) -> None:
        self.output = output.resolve()
        self.reuse = reuse
        self.output.parent.mkdir(parents=True, exist_ok=True)
        for stale in staging_folders(self.output):
            shutil.rmtree(stale, ignore_errors=True)
        self.staging = self.output.with_name(f".{self.output.name}.staging-{os.getpid()}")
        claimed = reuse is not None and _claim(reuse, self.staging)
        if not claimed:
            self.staging.mkdir()
        # The first site (no output, an empty staging folder): nothing to compare with, link to or remove, so
        # each file is written without looking up what stands there (a third of the write of 30,000 files).
        self._fresh = not claimed and not os.path.lexists(self.output)
        self._live: dict[str, bool] = {}  # every file set: is it the live file (its bytes did not change)?
        self._stats: FileStats = {}  # every file set: its size, modification time and inode, as placed
        self._kept: set[str] = set()  # the files set as KEEP
        self._folders = {""}  # the folders of the staging folder made, or found to be folders, so far

    def __setitem__(self, name: str, data: bytes | Keep) -> None:
        relative = safe_name(name)
        self._make_folder(relative.rpartition("/")[0])
        # (strings, not Paths: two Path joins a file were a fifth of the write of 28,000 files)
        if self._fresh and not isinstance(data, Keep) and relative not in self._live and relative not in self._folders:
            self._live[relative], st = False, _write_new(f"{self.staging}/{relative}", data)
        else:
            self._live[relative], st = _place(f"{self.staging}/{relative}", f"{self.output}/{relative}", data)
        self._stats[relative] = (st.st_size, st.st_mtime_ns, st.st_ino)
        if isinstance(data, Keep):
            self._kept.add(relative)
        else:
            self._kept.discard(relative)

    def __getitem__(self, name: str) -> bytes | Keep:
        if name not in self._live:
            raise KeyError(name)
        return KEEP if name in self._kept else (self.staging / name).read_bytes()

    def __delitem__(self, name: str) -> None:
        raise TypeError("a file set in a staged site stays in it")

    def __iter__(self) -> Iterator[str]:
        return iter(self._live)

    def __len__(self) -> int:
        return len(self._live)

    def finish(self) -> None:
        """Make output hold exactly the files set: the staging folder swapped in, unless output holds them already
        (then not a file of it is touched)."""
        _prune(self.staging, self._live)
        if not (all(self._live.values()) and _holds_only(self.output, self._live)):
            _swap_in(self.staging, self.output)

    def file_stats(self) -> FileStats:
        """The files of output after finish(), as output_files would find them, known without walking it
        (0.5 s at 10,000 articles): a swap moves the files, and a kept file is the live one."""
        return dict(self._stats)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.reuse is not None:
            _claim(self.staging, self.reuse)
        shutil.rmtree(self.staging, ignore_errors=True)

    def _make_folder(self, folder: str) -> None:
        """Make folder in the staging folder, and the folders it is in; what stands where one goes (a file,
        a link, left by the site the staging folder was) is removed first, so nothing is written through a link."""
        if folder in self._folders:
            return
        self._make_folder(folder.rpartition("/")[0])
        if self._fresh and folder not in self._live:
            os.mkdir(f"{self.staging}/{folder}")
            self._folders.add(folder)
            return
        path = self.staging / folder
        try:
            st = path.lstat()
        except FileNotFoundError:
            st = None
        if st is None or not stat.S_ISDIR(st.st_mode):
            if st is not None:
                path.unlink()
            path.mkdir()
        self._folders.add(folder)


FileStats = dict[str, tuple[int, int, int]]  # relative path: (size, modification time in ns, inode), as output_files


@dataclass
class LiveOutput:
    """What a long-running process (digest serve) knows of its output folder between builds."""

    lock: threading.Lock = field(default_factory=threading.Lock)  # held by readers of the folder, and by an update
    folder: tuple[int, int] | None = None  # (device, inode) of the output folder as the last build left it
    files: FileStats | None = None  # its files then
    # Hashes of the contents of those files that an update wrote or compared: the next one compares with
    # these instead of reading the files (at 10,000 articles, the 11,000 files of the search index).
    digests: dict[str, bytes] = field(default_factory=dict)
    # The folder (a prefix of relative paths) an update left to a later one, while that one is due: digest serve
    # writes the search index after the pages. Its files are the last build's until then: readers wait (held_back).
    later: str | None = None
    # The paths (below the base path) of files an update has yet to write, while it is due: digest serve writes
    # the pages of saved articles first, the rest of the site after (write_first). Readers of them wait too.
    waiting: Callable[[str], bool] | None = None
    settled: threading.Condition = field(init=False)  # notified when that later update is done

    def __post_init__(self) -> None:
        self.settled = threading.Condition(self.lock)

    def remember(self, output: Path, files: FileStats | None, digests: dict[str, bytes] | None = None) -> None:
        self.folder, self.files = (_identity(output), files) if files is not None else (None, None)
        self.digests = digests if digests is not None and files is not None else {}

    def known(self, output: Path) -> FileStats | None:
        """The files of output as the last build left them, if it is still that folder (not one swapped in since)."""
        return self.files if self.files is not None and _identity(output.resolve()) == self.folder else None

    def held_back(self, path: str, timeout: float = 60.0) -> None:
        """Wait (up to timeout) while path is one a later update is due to write. Call with lock held."""
        self.settled.wait_for(lambda: (self.later is None or not path.startswith(self.later))
                              and (self.waiting is None or not self.waiting(path)), timeout)

    def settle(self) -> None:
        """The later updates are done (or given up): the folder is as they leave it."""
        with self.lock:
            self.later = self.waiting = None
            self.settled.notify_all()


def write_first(files: Mapping[str, bytes], output: Path, live: LiveOutput, waiting: Callable[[str], bool]) -> bool:
    """Write files into output at once, ahead of the rest of an update (update_in_place writes that, as a whole):
    readers of any path waiting() says is still to come wait until it has (LiveOutput.held_back). False, and nothing
    written, when live does not know what output holds."""
    output = output.resolve()
    known = live.known(output)
    if known is None or any(safe_name(path) != path for path in files):
        return False
    written = {}
    with live.lock:
        if _identity(output) != live.folder or live.files is None:
            return False
        live.waiting = waiting
        for path, data in sorted(files.items()):
            digest = file_digest(data)
            if _still_holds(output, path, data, digest, known, live.digests):
                continue
            target = output / path
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            temporary.write_bytes(data)
            os.replace(temporary, target)
            st = target.lstat()
            written[path] = ((st.st_size, st.st_mtime_ns, st.st_ino), digest)
        # New dicts, not the old ones changed: what a build kept of the output (render memo, search) holds those.
        live.files = {**live.files, **{path: stats for path, (stats, _) in written.items()}}
        live.digests = {**live.digests, **{path: digest for path, (_, digest) in written.items()}}
    return True


def update_in_place(files: Mapping[str, bytes | Keep], output: Path, live: LiveOutput,
                    hashed: Mapping[str, bytes] = {}, later: str | None = None) -> FileStats | None:
    """Make output hold exactly files by writing only what changed into it; its files' stats after, or None
    (and nothing touched) when live does not know what output holds: the caller writes a new site instead.
    hashed: the file_digest of some of files, known already. later: a folder ('pagefind/') whose files are left
    as they are, for an update due soon (LiveOutput.later: until live.settle(), readers of them wait)."""
    output = output.resolve()
    known = live.known(output)
    if known is None:
        return None  # never built by this process, or replaced since (by a `digest build` beside it)
    # Names already in the folder were checked when they were written.
    wanted: dict[str, bytes | Keep] = {name if name in known else safe_name(name): data for name, data in files.items()}
    if any(isinstance(data, Keep) and path not in known for path, data in wanted.items()):
        return None
    if later is not None:
        wanted.update((path, KEEP) for path in known if path.startswith(later) and path not in wanted)
    digests = {path: digest for path, digest in live.digests.items() if path in wanted}
    changed = {}
    for path, data in wanted.items():
        if not isinstance(data, Keep):
            digest = hashed.get(path) or file_digest(data)
            if not _still_holds(output, path, data, digest, known, digests):
                changed[path] = data
            digests[path] = digest
    removed = sorted(known.keys() - wanted.keys())
    known_folders = _folders_of(known)
    if any(path in known_folders for path in changed) or any(path in known for path in _folders_of(changed)):
        return None  # a file where a folder was, or the other way round: left to a whole new site
    staging = output.with_name(f".{output.name}.staging-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        written = []
        for number, (path, data) in enumerate(sorted(changed.items())):
            (staging / str(number)).write_bytes(data)
            written.append((staging / str(number), path))
        with live.lock:
            if _identity(output) != live.folder:
                return None  # a `digest build` swapped in a new site meanwhile: not to be written into
            live.files = None  # until the update is done: a failure part way leaves the next build a whole new site
            live.later = later
            live.waiting = None  # (the pages written first are written again: they are these files' now)
            for path in removed:
                (output / path).unlink(missing_ok=True)
            _remove_empty_folders(output, removed)
            for temporary, path in written:
                (output / path).parent.mkdir(parents=True, exist_ok=True)
                os.replace(temporary, output / path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    after = {path: stats for path, stats in known.items() if path in wanted}
    for path in changed:
        st = (output / path).lstat()
        after[path] = (st.st_size, st.st_mtime_ns, st.st_ino)
    live.remember(output, after, digests)
    return after


def _still_holds(output: Path, path: str, data: bytes, digest: bytes, known: FileStats, digests: dict[str, bytes]) -> bool:
    """Whether the live file at path holds data: by the hash of what was last written there, else by reading it."""
    if path not in known or known[path][0] != len(data):
        return False
    return digests[path] == digest if path in digests else _holds(output / path, data)


def file_digest(data: bytes) -> bytes:
    """What update_in_place compares files by."""
    return hashlib.blake2b(data, digest_size=16).digest()


def _identity(folder: Path) -> tuple[int, int] | None:
    try:
        st = folder.lstat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISDIR(st.st_mode) else None


def _remove_empty_folders(output: Path, removed: list[str]) -> None:
    """Remove the folders that removed files leave empty, deepest first."""
    for folder in sorted(_folders_of(dict.fromkeys(removed)) - {""}, key=lambda f: -f.count("/")):
        try:
            (output / folder).rmdir()
        except OSError:
            pass  # not empty: it holds files still built


def _claim(folder: Path, name: Path) -> bool:
    """Move folder to name (one rename, so only one of concurrent builds gets it); False when it cannot."""
    if folder.is_symlink() or not folder.is_dir():
        return False
    try:
        folder.rename(name)
        return True
    except OSError:
        return False


# Relative paths are handled as "a/b/c.html" strings here: at tens of thousands of files, hashing
# PurePosixPath objects cost seconds.

def _holds_exactly(folder: Path, wanted: dict[str, bytes | Keep]) -> bool:
    """True when folder holds exactly the wanted files and folders, byte for byte (a rebuild that changed nothing)."""
    # The files rendered anew first: after an edit one of them differs, and the walk is not needed.
    if any(not isinstance(data, Keep) and not _holds(folder / path, data) for path, data in wanted.items()):
        return False
    return _holds_only(folder, wanted)


def _holds_only(folder: Path, wanted: Mapping[str, object]) -> bool:
    """True when folder holds the wanted files and folders and nothing else (their contents are not compared)."""
    if not folder.is_dir() or folder.is_symlink():
        return False
    folders = _folders_of(wanted)
    found = 0
    for dirpath, dirnames, filenames in os.walk(folder):
        here = _relative(dirpath, folder)
        if any(_join(here, name) not in folders or os.path.islink(os.path.join(dirpath, name)) for name in dirnames):
            return False
        for name in filenames:
            if _join(here, name) not in wanted or _stat(os.path.join(dirpath, name)) is None:
                return False
            found += 1
    return found == len(wanted)


def _holds(path: Path, data: bytes) -> bool:
    st = _stat(path)
    return st is not None and st.st_size == len(data) and path.read_bytes() == data


def _relative(dirpath: str, root: Path) -> str:
    """dirpath (from os.walk(root)) relative to root, "" for root itself."""
    relative = os.path.relpath(dirpath, root)
    return "" if relative == "." else relative.replace(os.sep, "/")


def _join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


def _folders_of(wanted: Mapping[str, object]) -> set[str]:
    """Every folder that holds a wanted file, "" (the root) included."""
    folders = {""}
    for path in wanted:
        folder = path.rpartition("/")[0]
        while folder and folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    return folders


def _prune(staging: Path, wanted: Mapping[str, object]) -> None:
    """Remove from staging every file, folder and link that is not one of the wanted files or their folders."""
    folders = _folders_of(wanted)
    for dirpath, dirnames, filenames in os.walk(staging, topdown=False):
        here = _relative(dirpath, staging)
        for name in filenames:
            if _join(here, name) not in wanted:
                os.unlink(os.path.join(dirpath, name))
        for name in dirnames:
            path = os.path.join(dirpath, name)
            if os.path.islink(path):
                os.unlink(path)
            elif _join(here, name) not in folders:
                shutil.rmtree(path)


def _place(target: str, live: str, data: bytes | Keep) -> tuple[bool, os.stat_result]:
    """Make target (in a staging folder) hold data, keeping the live site's file wherever the bytes are the same;
    whether target is now the live file, and target's status. The staging folder may be an earlier site whose
    files are hard links to the live one: a file there is never written in place, always unlinked first, so the
    live site is not touched."""
    old, current = _stat(live), _stat(target)
    if isinstance(data, Keep) and old is None:
        raise DigestError(Diagnostic(live, "this file of the site went away during the build",
                                     hint="build again: the next build writes it"))
    if isinstance(data, Keep) or (old is not None and old.st_size == len(data) and _read(live) == data):
        assert old is not None
        if current is not None and (current.st_ino, current.st_dev) == (old.st_ino, old.st_dev):
            return True, current
        _remove(target, current)
        try:
            os.link(live, target)
        except OSError:  # a file system without hard links
            shutil.copy2(live, target)
            return True, os.lstat(target)
        return True, old
    if (current is not None and current.st_size == len(data) and (old is None or current.st_ino != old.st_ino)
            and _read(target) == data):
        return False, current
    _remove(target, current)
    with open(target, "wb") as f:
        f.write(data)
    return False, os.lstat(target)


def _write_new(target: str, data: bytes) -> os.stat_result:
    """Write data into a new file at target (nothing may stand there); its status."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        return os.fstat(fd)
    finally:
        os.close(fd)


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def _stat(path: str | Path) -> os.stat_result | None:
    """The file's status when it is a regular file, else None."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return st if stat.S_ISREG(st.st_mode) else None


def _remove(target: str, current: os.stat_result | None) -> None:
    if current is not None or os.path.islink(target):
        os.unlink(target)
    elif os.path.isdir(target):
        shutil.rmtree(target)


def _swap_in(staging: Path, output: Path) -> None:
    if not output.exists():
        staging.rename(output)
        staging.mkdir()
        return
    if exchange(staging, output):
        return
    previous = output.with_name(f".{output.name}.staging-{os.getpid()}-old")
    output.rename(previous)
    staging.rename(output)
    previous.rename(staging)
