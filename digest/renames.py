"""Renames that other processes cannot tear: Linux renameat2, with a portable fallback.

exchange(a, b) swaps two folders in one step (the site swap); rename_new(a, b) renames a to b
only where b does not exist, in one step, so a build never writes over a file an editor saved.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import sys
from functools import cache
from pathlib import Path
from typing import Any

_AT_FDCWD = -100
_RENAME_NOREPLACE = 1
_RENAME_EXCHANGE = 2


@cache
def _renameat2() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    return getattr(libc, "renameat2", None)


def _call(a: Path, b: Path, flags: int) -> int | None:
    """0 on success, the errno on failure, None when the system has no renameat2."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return None
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), flags) == 0:
        return 0
    return ctypes.get_errno()


def exchange(a: Path, b: Path) -> bool:
    """Atomically swap two folders; False where the system cannot."""
    return _call(a, b, _RENAME_EXCHANGE) == 0


def rename_new(source: Path, target: Path) -> bool:
    """Rename source to target unless target exists (then False, source left as it is)."""
    result = _call(source, target, _RENAME_NOREPLACE)
    if result == 0:
        return True
    if result == errno.EEXIST:
        return False
    try:  # no renameat2, or a file system without RENAME_NOREPLACE: a hard link fails where target exists
        os.link(source, target)
    except FileExistsError:
        return False
    except OSError:  # nor hard links: an exclusive create, then the bytes (not atomic, but never over a file)
        try:
            with open(target, "xb") as f:
                f.write(source.read_bytes())
        except FileExistsError:
            return False
    source.unlink()
    return True
