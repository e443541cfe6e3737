"""Names that become paths, and paths that must stay inside the digest.

Sources and pages are untrusted: a symlink among them may point anywhere on the editor's machine,
and a name taken from a file or from front matter may hold '..', a drive letter, a NUL byte or a
name Windows reserves. These checks keep every read inside the digest and every output path a
plain folder name (see SECURITY.md).
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from pathlib import Path

from digest.errors import Diagnostic, warning
from digest.model import Document
from digest.slugs import is_reserved_name, slugify, unique_slugs

# Characters that end a path segment or change a URL's meaning, or that Windows refuses in names.
_NOT_IN_SEGMENT = re.compile(r"[/\\:*?\"<>|#%\s]")


def inside_digest(root: Path, path: Path) -> bool:
    """True when path, with every symlink resolved, lies inside the digest folder root — or involves no
    symlink at all (a sources folder the trusted config puts elsewhere is read as it is)."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):  # dangling, or a symlink loop
        return False
    return target == path.absolute() or target.is_relative_to(root.resolve())


def link_outside(root: Path, path: Path, display: str) -> Diagnostic | None:
    """A warning when path is a symlink to something outside the digest: it is skipped, never read."""
    if not path.is_symlink() and not path.exists():
        return None  # a plain missing file: the reader says so
    if inside_digest(root, path):
        return None
    return warning(display, "skipped: it links to a file outside the digest (or to nothing)",
                   hint="copy the file into the digest instead of linking to it")


def is_safe_segment(name: str) -> bool:
    """True when name can be one folder of an output path and one segment of a URL as it is."""
    return (bool(name) and name not in (".", "..") and not name.startswith(".") and not name.endswith(".")
            and not _NOT_IN_SEGMENT.search(name) and not is_reserved_name(name)
            and all(unicodedata.category(c)[0] != "C" for c in name))


def safe_slug(name: str) -> str:
    """name when it is safe as one URL segment and folder, else its slug: for slugs that come from
    front matter or a file name rather than from slugify."""
    return name if is_safe_segment(name) else slugify(name)


def distinct_slugs(documents: list[Document]) -> tuple[list[Document], list[Diagnostic]]:
    """documents with repeated slugs numbered (-2, -3 ...) in the order given, each renamed one reported:
    two pages at one URL would leave one of them unpublished without a word."""
    slugs = unique_slugs([doc.slug for doc in documents])
    first: dict[str, str] = {}
    for doc in documents:
        first.setdefault(doc.slug, doc.path)
    problems = [warning(doc.path, f"slug '{doc.slug}' is taken by {first[doc.slug]}: published as '{slug}'",
                        hint="give the page a slug of its own in its front matter")
                for doc, slug in zip(documents, slugs) if slug != doc.slug]
    return [dataclasses.replace(doc, slug=slug) for doc, slug in zip(documents, slugs)], problems
