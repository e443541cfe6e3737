"""Story ids that stay: the ids given out by earlier builds, kept in a file of the digest.

A story's id is its URL (`stories/<id>/`). The first time a group of articles becomes a story it
takes the slug of its earliest article. After that the id belongs to the group, not to a rule: a
build gives each story the known id its articles carried most often, so an article added before
the story's first one, or a story that gains, loses or swaps articles, keeps its URL. When two
stories merge, the one contributing more articles keeps its id; when one splits, the bigger part
keeps it and the other part gets a new one. An id that stops being a story's while its articles
live on in another story is remembered as moved there, and its URL redirects to that story.

The ids live in `content/stories.yaml` (config `paths.stories`), an input of the build like the
pages: a clean build of the same folder gives the same ids, and committing the file keeps the URLs
stable wherever the digest is built. An editor may rename a story there: the new key is its new id.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml

from digest.errors import Diagnostic
from digest.schema import NodeReader, compose

HEADER = """\
# Story ids: which articles each story had when it was last built, so that its URL
# (stories/<id>/) stays the same as articles come and go. Written by `digest build`;
# commit it with your digest. To rename a story, change its key here (the old URL goes).
# `old-id: new-id` lines are stories merged into another: their URLs redirect there.
"""


def assign_story_ids(groups: Sequence[Sequence[str]], known: Mapping[str, Sequence[str] | str]) -> list[str]:
    """An id for each group of slugs (each in date order): the known id most of its articles had,
    else its earliest article's slug. Ids are unique; the result does not depend on the groups' order.
    Moved ids (str entries) are never given out again: their URLs redirect."""
    carried: dict[str, str] = {}  # slug: the known id it was listed under (the first id, if listed twice)
    for story_id in sorted(known):
        entry = known[story_id]
        for slug in entry if not isinstance(entry, str) else ():
            carried.setdefault(slug, story_id)
    claims = sorted(((-count, story_id, tuple(group)), k)
                    for k, group in enumerate(groups)
                    for story_id, count in Counter(carried[s] for s in group if s in carried).items())
    ids: list[str | None] = [None] * len(groups)
    taken: set[str] = set()
    for (_, story_id, _), k in claims:  # the strongest claims first: most articles carried over
        if ids[k] is None and story_id not in taken:
            ids[k] = story_id
            taken.add(story_id)
    # New stories: named after their earliest article, or the next one if that name is a kept story's.
    reserved = taken | set(known)
    for k in sorted((k for k, i in enumerate(ids) if i is None), key=lambda k: tuple(groups[k])):
        ids[k] = _fresh_id(groups[k], reserved)
        reserved.add(ids[k])
    return [i for i in ids if i is not None]


def moved_ids(known: Mapping[str, Sequence[str] | str], story_of: Mapping[str, str]) -> dict[str, str]:
    """{old id: current id} for the known ids no story has now whose articles (most of those still
    there) are in one now, and for the ids that had moved before and whose story still exists."""
    current = set(story_of.values())
    moved: dict[str, str] = {}
    for old, entry in known.items():
        if old in current:
            continue
        if isinstance(entry, str):
            moved[old] = entry
            continue
        homes = Counter(story_of[s] for s in entry if s in story_of)
        if homes:
            moved[old] = min(homes, key=lambda i: (-homes[i], i))
    resolved = {}
    for old, target in moved.items():
        seen = {old}
        while target not in current and target in moved and target not in seen:  # moved again since
            seen.add(target)
            target = moved[target]
        if target in current:
            resolved[old] = target
    return dict(sorted(resolved.items()))


def _fresh_id(group: Sequence[str], reserved: set[str]) -> str:
    for slug in group:
        if slug not in reserved:
            return slug
    n = 2
    while f"{group[0]}-{n}" in reserved:
        n += 1
    return f"{group[0]}-{n}"


def parse_story_ids(text: str, path: str) -> tuple[dict[str, tuple[str, ...] | str], list[Diagnostic]]:
    """The ids of a stories file: {id: slugs, or the id it moved into}. Problems are located by line."""
    # Whole-line comments (the header) are blanked, lines kept: a comment sends YAML to its slow parser.
    text = "\n".join("" if line.lstrip().startswith("#") else line for line in text.split("\n"))
    node, problems = compose(text, path)
    if problems:
        return {}, [_with_hint(d) for d in problems]
    if node is None:
        return {}, []
    reader = NodeReader(path)
    found = reader.read(node, dict[str, tuple[str, ...] | str], "")
    if reader.diagnostics:
        return {}, [_with_hint(d) for d in reader.diagnostics]
    return dict(found), []


def _with_hint(problem: Diagnostic) -> Diagnostic:
    fix = problem.hint or "each entry is `story-id: [article-slug, ...]` or `old-id: new-id`"
    return Diagnostic(problem.path, problem.message, problem.line, problem.column,
                      f"{fix}; or delete the file to give stories new ids", problem.severity)


def story_ids_text(stories: Mapping[str, Sequence[str]], moved: Mapping[str, str] = {}) -> str:
    """The stories file for {id: slugs} and {old id: id}: ids sorted, slugs as given (date order)."""
    entries: dict[str, list[str] | str] = {i: list(stories[i]) for i in stories}
    entries.update({old: new for old, new in moved.items() if old not in stories})
    body = yaml.safe_dump({i: entries[i] for i in sorted(entries)}, allow_unicode=True, sort_keys=False,
                          default_flow_style=False, width=100) if entries else "{}\n"
    return HEADER + body


# --- the file (I/O) -----------------------------------------------------------------------------------

def read_story_ids(path: Path, display: str) -> tuple[dict[str, tuple[str, ...] | str], bytes | None, list[Diagnostic]]:
    """The known ids, the file's bytes as read (None when there is none) and its problems."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}, None, []
    except OSError as exc:
        return {}, None, [Diagnostic(display, f"cannot read the story ids: {exc.strerror}",
                                     hint="make it readable, or delete it to give stories new ids")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return {}, data, [Diagnostic(display, "the story ids are not UTF-8 text", hint="delete it to give stories new ids")]
    known, problems = parse_story_ids(text, display)
    return known, data, problems


def save_story_ids(path: Path, text: str, read: bytes | None) -> bool:
    """Write text to path unless it holds it already or changed since it was read (an editor's save
    is never overwritten: the next build reads it). True when written; raises OSError."""
    for leftover in path.parent.glob(f".{path.name}.*.tmp"):  # what a killed build left
        leftover.unlink(missing_ok=True)
    new = text.encode()
    if new == read or (path.read_bytes() if path.exists() else None) != read:
        return False
    # Named as digest.pages names its temporary pages, so `digest serve` knows the write for its own.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary.write_bytes(new)
    os.replace(temporary, path)
    return True
