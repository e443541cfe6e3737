"""Write the built site: into a temporary folder beside the output, then swapped in by renames.

A failed or interrupted build leaves the previous site as it was; nothing outside the output
folder is ever deleted.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path, PurePosixPath

from digest.errors import ConfigError, Diagnostic


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


def write_site(files: dict[str, bytes], output: Path) -> None:
    """Replace output with exactly files ({relative posix path: content})."""
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = output.with_name(f".{output.name}.new-{os.getpid()}")
    previous = output.with_name(f".{output.name}.old-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        for name in sorted(files):
            target = staging / safe_relative(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(files[name])
        if output.exists():
            output.rename(previous)
        staging.rename(output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if previous.exists() and not output.exists():
            previous.rename(output)
        raise
    shutil.rmtree(previous, ignore_errors=True)
