"""Read raw sources: decode bytes to text whatever the encoding, and say what kind of article each is."""

from __future__ import annotations

import codecs
import hashlib
from pathlib import Path

from digest.errors import Diagnostic, warning
from digest.model import Source, SourceKind
from digest.paths import link_outside

KINDS: dict[str, SourceKind] = {".txt": "text", ".text": "text", ".html": "html", ".htm": "html", ".md": "markdown",
                                ".markdown": "markdown"}


def decode(data: bytes, path: str) -> tuple[str | None, list[Diagnostic]]:
    """The text of data: UTF-8 (BOM or not), UTF-16 with a BOM, else the encoding charset-normalizer detects."""
    if b"\x00" in data[:8192] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None, [Diagnostic(path, "this looks like a binary file, not an article",
                                 hint="save the article as text (.txt) or as a web page (.html)")]
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(encoding), []
            except UnicodeDecodeError:
                break
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # lazy: most sources are UTF-8, and it costs 60 ms to import

    matches = from_bytes(data)
    best = matches.best()
    if best is not None:
        # On short texts many single-byte code pages fit equally well; Windows-1252 is by far the likeliest.
        western = next((m for m in matches if m.encoding in ("cp1252", "latin_1") and m.chaos <= best.chaos + 0.05), None)
        best = western or best
    if best is None:
        return data.decode("utf-8", errors="replace"), [warning(path, "the encoding could not be detected; undecodable bytes were replaced",
                                                                hint="save the file as UTF-8")]
    return str(best), [warning(path, f"not UTF-8: read as {best.encoding}", hint="save the file as UTF-8 to be sure")]


def read_source(path: Path, root: Path, max_bytes: int | None = None) -> tuple[Source | None, list[Diagnostic]]:
    """The Source at path (relative names against root), or None with the reason."""
    display = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    if outside := link_outside(root, path, display):
        return None, [outside]
    kind = KINDS.get(path.suffix.lower())
    if kind is None:
        return None, [warning(display, f"skipped: '{path.suffix}' files are not articles",
                              hint="use .txt, .html, .htm or .md")]
    try:
        if max_bytes is not None and path.stat().st_size > max_bytes:
            return None, [Diagnostic(display, f"too large ({path.stat().st_size:,} bytes; the limit is {max_bytes:,})",
                                     hint="split the file, or raise limits.max_source_bytes in config.yaml")]
        data = path.read_bytes()
    except FileNotFoundError:
        return None, [Diagnostic(display, "no such file", hint="check the path")]
    except OSError as exc:
        return None, [Diagnostic(display, f"cannot read: {exc.strerror or exc}", hint="check the file's permissions")]
    text, problems = decode(data, display)
    if text is None:
        return None, problems
    if not text.strip():
        return None, [warning(display, "empty file: nothing to publish", hint="paste the article's text into it, or delete it")]
    return Source(display, kind, text, hashlib.sha256(data).hexdigest(), tuple(problems)), []


def list_sources(folder: Path) -> list[Path]:
    """Source files under folder, sorted so the order never depends on the file system."""
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.rglob("*") if p.is_file() and not _hidden(p.relative_to(folder))),
                  key=lambda p: p.as_posix())


def _hidden(relative: Path) -> bool:
    return any(part.startswith((".", "_")) or part.endswith("~") for part in relative.parts)
