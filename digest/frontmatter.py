"""Markdown pages with YAML front matter: read strictly (file:line:column errors), written stably."""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
from dataclasses import dataclass
from typing import Any

import yaml

from digest.errors import Diagnostic, Severity
from digest.model import Note, RemovedLine
from digest.paths import safe_slug
from digest.schema import INVALID, NodeReader, compose

_FENCE = re.compile(r"\A---[ \t]*\r?\n")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)


@dataclass(frozen=True)
class PageMeta:
    """The front matter keys digest reads; others are kept for themes as extras."""

    title: str
    date: str | None = None  # 2021-04-06 or 2021-04-06T10:30:00+05:30
    date_inferred: bool = False  # the date was guessed, not read from the article
    slug: str | None = None  # overrides the file name in URLs
    summary: str | None = None
    dateline: str | None = None
    author: str | None = None
    source: str | None = None  # the outlet
    url: str | None = None  # the original article
    tags: tuple[str, ...] | str = ()
    see_also: tuple[str, ...] = ()
    notes: tuple[Note, ...] = ()
    draft: bool = False
    source_file: str | None = None  # the raw source this page was generated from
    generated: str | None = None  # hash of the generated text: a different hash means the editor changed it
    removed: tuple[RemovedLine, ...] = ()  # lines strip removed, with the rule that removed each
    keep: tuple[str, ...] = ()  # removed lines the editor wants back


KNOWN_KEYS = [f.name for f in dataclasses.fields(PageMeta)]


@dataclass(frozen=True)
class Page:
    meta: PageMeta
    body: str
    body_line: int
    extra: tuple[tuple[str, Any], ...] = ()


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """(front matter YAML or None, body, line number where the body starts)."""
    opening = _FENCE.match(text)
    if not opening:
        return None, text, 1
    closing = _CLOSE.search(text, opening.end())
    if not closing:
        return None, text, 1
    yaml_text = text[opening.end():closing.start()]
    rest = text[closing.end():]
    if rest.startswith("\r\n"):
        rest = rest[2:]
    elif rest.startswith("\n"):
        rest = rest[1:]
    body_line = text[:len(text) - len(rest)].count("\n") + 1
    return yaml_text, rest, body_line


def parse_page(text: str, path: str) -> tuple[Page | None, list[Diagnostic]]:
    """The page in text, or None with located diagnostics; warnings may come with a page."""
    yaml_text, body, body_line = split_front_matter(text)
    if yaml_text is None:
        return None, [Diagnostic(path, "no front matter", 1, None,
                                 "start the file with a '---' line, then 'title: ...' and 'date: YYYY-MM-DD', then '---'")]
    node, problems = compose(yaml_text, path, line_offset=1)
    if problems:
        return None, problems
    if not isinstance(node, yaml.MappingNode):
        return None, [Diagnostic(path, "front matter: expected a mapping of keys to values", 2, None,
                                 "write it as lines of 'key: value'")]
    reader = NodeReader(path, line_offset=1)
    known_nodes = []
    extra: list[tuple[str, Any]] = []
    for key_node, value_node in node.value:
        name = reader.scalar_text(key_node)
        if name in KNOWN_KEYS:
            known_nodes.append((key_node, value_node))
            continue
        close = difflib.get_close_matches(str(name), KNOWN_KEYS, n=1, cutoff=0.8)
        if close:
            reader.fail(key_node, f"front matter: unknown key '{name}'", f"did you mean '{close[0]}'?", Severity.WARNING)
        value = reader.read(value_node, Any, str(name))
        if value is not INVALID:
            extra.append((str(name), value))
    known = yaml.MappingNode(node.tag, known_nodes, node.start_mark, node.end_mark)
    meta = reader.read_dataclass(known, PageMeta, "")
    if meta is not INVALID:
        meta = _check_meta(meta, reader, node)
    if meta is INVALID or any(d.severity is Severity.ERROR for d in reader.diagnostics):
        return None, reader.diagnostics
    return Page(meta, body, body_line, tuple(extra)), reader.diagnostics


def _check_meta(meta: PageMeta, reader: NodeReader, node: yaml.MappingNode) -> Any:
    def node_of(key: str) -> yaml.Node:
        for k, v in node.value:
            if getattr(k, "value", None) == key:
                return v
        return node

    changes: dict[str, Any] = {}
    if not meta.title.strip():
        return reader.fail(node_of("title"), "front matter: title is empty", "write the article's headline")
    if meta.date is not None:
        normal = normalize_date(meta.date)
        if normal is None:
            return reader.fail(node_of("date"), f"front matter: date {meta.date!r} is not a date",
                               "write it as 2021-04-06 or 2021-04-06T10:30:00+05:30")
        changes["date"] = normal
    if meta.slug is not None and safe_slug(meta.slug) != meta.slug:
        reader.fail(node_of("slug"), f"front matter: slug {meta.slug!r} cannot be part of a URL",
                    f"write it as '{safe_slug(meta.slug)}' (the page is published there)", Severity.WARNING)
    if isinstance(meta.tags, str):  # `tags: defence` means one tag
        changes["tags"] = (meta.tags,)
    return dataclasses.replace(meta, **changes) if changes else meta


def normalize_date(text: str) -> str | None:
    """text as an ISO 8601 date or timestamp, or None when it is not one."""
    text = text.strip()
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()
    except ValueError:
        return None


def dump_page(meta: dict[str, Any], body: str) -> str:
    """A page file: front matter in the order given (None and empty values left out), then the body."""
    clean = {k: v for k, v in meta.items() if v not in (None, (), [], "", False)}
    front = yaml.dump(_plain(clean), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100,
                      default_flow_style=False)
    return f"---\n{front}---\n\n{body.strip()}\n"


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in dataclasses.asdict(value).items() if v not in (None, "")}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


class _Dumper(yaml.SafeDumper):
    """Quotes every string that YAML 1.1 would read back as something else (no, 2021-04-06, 1e3)."""


_YAML_BREAKS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]")


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    # YAML reads NEL and the Unicode separators as line breaks: only double quotes keep them
    if _YAML_BREAKS.search(value):
        style: str | None = '"'
    else:
        style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)
