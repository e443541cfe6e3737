"""Is the site up to date? A rebuild with nothing changed should cost a read of the inputs, not a build.

After a successful build, .digest-cache/last-build.json records a hash of every input (digest's
own code and the libraries it uses, the config, the build options, every file under the sources,
the articles and the theme folders, the packaged theme included), the problems the build
reported, and the name, size, modification time and inode of every file it wrote. A build whose
inputs hash the same, and whose output folder still holds exactly those files untouched, is
already done: build_site reports the recorded problems again and returns.

Any difference is a full (cached) build: a file edited, added, removed or renamed anywhere under
those folders, a file of the site changed or deleted by hand, another output folder. The record
is only written when the inputs were not changed by the build itself (pages written from sources)
and is read as untrusted: anything unexpected in it is just "not up to date".
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from digest.cache import code_fingerprint, decode, save_json
from digest.errors import Diagnostic

RECORD = "last-build.json"
_FORMAT = 1


FileState = tuple[int, int, int, int, str]  # size, mtime_ns, ctime_ns, inode, SHA-256 of the bytes


@dataclass(frozen=True)
class LastBuild:
    inputs: str  # Inputs.hash of the build
    output: str  # the output folder, resolved
    articles: int
    diagnostics: tuple[Diagnostic, ...]
    files: dict[str, tuple[int, int, int]]  # relative path -> (size, mtime_ns, inode) as written
    input_files: dict[str, FileState] = dataclasses.field(default_factory=dict)  # every input file, by path


@dataclass(frozen=True)
class Inputs:
    hash: str
    files: dict[str, FileState]
    without_stories: str = ""  # the hash before the story ids file was added (with_story_ids)


def file_bytes(path: Path) -> bytes | None:
    """path's bytes for with_story_ids: None when there is no file; for an unreadable one, bytes that
    differ from any readable file's hash input (the build itself reports it)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"unreadable {exc.errno}".encode()


def with_story_ids(inputs: Inputs, data: bytes | None) -> Inputs:
    """inputs with the story ids file's bytes (None: no file) added. A build that writes new ids
    records the hash of what it wrote this way, without hashing the other inputs again (they may
    have changed since it read them, and the next build must see that)."""
    content = "absent" if data is None else hashlib.sha256(data).hexdigest()
    return Inputs(hashlib.sha256(f"{inputs.without_stories or inputs.hash}\0stories {content}".encode()).hexdigest(),
                  inputs.files, inputs.without_stories or inputs.hash)


def unwritten_since(st: os.stat_result) -> tuple[int, int, int, int]:
    """What of a file's stat is the same as long as it is not written (size, modification and change time, inode):
    any write sets the change time, which no tool can set back."""
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino


def inputs_hash(settings: str, folders: Iterable[Path], known: dict[str, FileState] | None = None) -> Inputs:
    """A hash of digest's code, settings (the config and build options, as text) and every file under folders.

    A file whose size, modification time, change time and inode are those in known is taken to hold
    the bytes known says: any write sets the change time, which no tool can set back, so only an
    unchanged file matches. The others are read and hashed."""
    known = known or {}
    files: dict[str, FileState] = {}
    digest = hashlib.sha256(f"{_FORMAT}\0{code_fingerprint()}\0{settings}\0".encode())

    def content(path: str) -> str:
        try:
            st = os.stat(path)
        except OSError as exc:  # unreadable now: the build will say so; the hash just differs from a readable file's
            return f"unreadable {exc.errno}"
        before = known.get(path)
        if before is not None and before[:4] == unwritten_since(st):
            files[path] = before
            return before[4]
        try:
            with open(path, "rb") as f:
                sha = hashlib.sha256(f.read()).hexdigest()
        except OSError as exc:
            return f"unreadable {exc.errno}"
        files[path] = (*unwritten_since(st), sha)
        return sha

    for folder in dict.fromkeys(folders):
        digest.update(f"\0folder {folder}\0".encode())
        if folder.is_file():
            digest.update(content(str(folder)).encode())
            continue
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames.sort()
            for name in sorted(filenames):
                path = os.path.join(dirpath, name)
                digest.update(f"\0{os.path.relpath(path, folder)}\0{content(path)}".encode("utf-8", "surrogateescape"))
            for name in dirnames:  # a symlinked folder is not walked into: its target names it
                if os.path.islink(os.path.join(dirpath, name)):
                    digest.update(f"\0link {name} -> {os.readlink(os.path.join(dirpath, name))}\0".encode("utf-8", "surrogateescape"))
    return Inputs(digest.hexdigest(), files)


def output_files(output: Path) -> dict[str, tuple[int, int, int]] | None:
    """Every file of the output folder with its size, modification time and inode; None if it is not a plain folder."""
    if not output.is_dir() or output.is_symlink():
        return None
    found: dict[str, tuple[int, int, int]] = {}
    folders = [(str(output), "")]  # (path, its path relative to output with a trailing "/", or "")
    while folders:
        folder, relative = folders.pop()
        with os.scandir(folder) as entries:  # an entry knows its type and stat: no second system call per file
            for entry in entries:
                if entry.is_symlink():
                    return None  # digest never writes links: somebody else put this here
                if entry.is_dir():
                    folders.append((entry.path, f"{relative}{entry.name}/"))
                else:
                    st = entry.stat()
                    found[relative + entry.name] = (st.st_size, st.st_mtime_ns, st.st_ino)
    return found


def save_record(cache_folder: Path | None, record: LastBuild) -> None:
    if cache_folder is not None:  # without the record the next build is a full one, nothing worse
        save_json(cache_folder / RECORD, record)


def load_record(cache_folder: Path | None) -> LastBuild | None:
    """The record of the last build, if there is one that reads as one."""
    if cache_folder is None:
        return None
    try:
        record: LastBuild = decode((cache_folder / RECORD).read_bytes(), LastBuild)
    except (OSError, ValueError):
        return None
    return record


def up_to_date(record: LastBuild | None, inputs: Inputs, output: Path) -> bool:
    """True when the last build built these inputs into output, and the output is as it left it."""
    if record is None or record.inputs != inputs.hash or record.output != str(output):
        return False
    return output_files(output) == record.files
