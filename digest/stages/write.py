"""Write the built site: into a staging folder beside the output, then swapped in at once.

On Linux the swap is one renameat2(RENAME_EXCHANGE) call, so a reader (or a kill -9) sees the
old site or the new one, never neither; elsewhere it is two renames. Staging folders left by an
interrupted build are removed by the next one. Nothing outside the output folder and its own
staging folders is ever deleted.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import sys
from pathlib import Path, PurePosixPath

from digest.errors import ConfigError, Diagnostic

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


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


def staging_folders(output: Path) -> list[Path]:
    """Staging folders of output left by builds that did not finish."""
    return sorted(output.parent.glob(f".{output.name}.staging-*"))


def write_site(files: dict[str, bytes], output: Path) -> None:
    """Replace output with exactly files ({relative posix path: content})."""
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    for stale in staging_folders(output):
        shutil.rmtree(stale, ignore_errors=True)
    staging = output.with_name(f".{output.name}.staging-{os.getpid()}")
    try:
        for name in sorted(files):
            target = staging / safe_relative(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(files[name])
        _swap_in(staging, output)
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # after the swap it holds the previous site


def _swap_in(staging: Path, output: Path) -> None:
    if not output.exists():
        staging.rename(output)
        staging.mkdir()
        return
    if _exchange(staging, output):
        return
    previous = output.with_name(f".{output.name}.staging-{os.getpid()}-old")
    output.rename(previous)
    staging.rename(output)
    previous.rename(staging)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two folders (Linux renameat2); False where the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0
