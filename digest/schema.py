"""Read YAML against Python types, strictly, reporting every problem with its line and column.

Shared by config.yaml and front matter. Parsing goes through yaml.compose (safe: no tags are
constructed), so we see each value's node and its position. YAML 1.1 surprises are handled on
purpose: where a string is expected, an unquoted `no`, `on` or `2021-04-06` is taken as the text
written, not as a boolean or a date. Anchors and aliases are refused (the "billion laughs" bomb
needs them, and no digest file does), and so are explicit tags such as `!!python/object`.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import re
import types
import typing
from typing import Any, Literal, Union

import yaml

from digest.errors import Diagnostic, Severity

_STANDARD_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq",
}
_TYPE_NAMES = {
    "tag:yaml.org,2002:str": "text", "tag:yaml.org,2002:int": "a whole number",
    "tag:yaml.org,2002:float": "a number", "tag:yaml.org,2002:bool": "true/false",
    "tag:yaml.org,2002:null": "nothing", "tag:yaml.org,2002:timestamp": "a date",
    "tag:yaml.org,2002:map": "a mapping", "tag:yaml.org,2002:seq": "a list",
}
_TRUE = {"true", "yes", "on"}
_FALSE = {"false", "no", "off"}


class Invalid:
    """Marks a value that failed to read; its diagnostic is already recorded."""


INVALID = Invalid()


# libyaml parses front matter about 15 times faster than PyYAML's Python parser, and builds the same
# node tree for plain YAML, but not always for exotic YAML (tags, complex keys, tabs, where an empty
# value starts), and its error messages differ. So it reads only text without those characters, its
# tree is kept only without empty plain values, and any error is reported by the Python parser.
# tests/test_yaml_fast_path.py checks the two agree on everything the fast path accepts.
_FAST_LOADER = getattr(yaml, "CSafeLoader", None)
_NOT_FOR_FAST = re.compile("[^\n\x20-\x7e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]|[!&*?%@`|>{}#\\\\]")
_SLOW: Any = object()


def compose_fast(text: str) -> Any:
    """The node tree of text by libyaml, or _SLOW when the Python parser must read it."""
    if _FAST_LOADER is None or _NOT_FOR_FAST.search(text):
        return _SLOW
    try:
        node = yaml.compose(text, Loader=_FAST_LOADER)
    except yaml.YAMLError:
        return _SLOW
    return _SLOW if node is not None and _has_empty_plain(node) else node


def _has_empty_plain(node: yaml.Node) -> bool:
    if isinstance(node, yaml.ScalarNode):
        return node.value == "" and not node.style
    if isinstance(node, yaml.SequenceNode):
        return any(_has_empty_plain(child) for child in node.value)
    return any(_has_empty_plain(k) or _has_empty_plain(v) for k, v in node.value)


def compose(text: str, path: str, line_offset: int = 0) -> tuple[yaml.Node | None, list[Diagnostic]]:
    """The YAML node tree of text, or a located diagnostic when it does not parse."""
    fast = compose_fast(text)
    if fast is not _SLOW:
        return fast, []
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader), []
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + line_offset if mark else None
        column = mark.column + 1 if mark else None
        problem = exc.problem or exc.context or "not valid YAML"
        return None, [Diagnostic(path, f"YAML: {problem}", line, column,
                                 "check the indentation and quote values that contain ': ' or start with a special character")]
    except yaml.YAMLError as exc:
        return None, [Diagnostic(path, f"YAML: {exc}", 1 + line_offset, None, "fix the YAML syntax")]


def type_name(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if tp is str:
        return "text"
    if tp is bool:
        return "true or false"
    if tp is int:
        return "a whole number"
    if tp is float:
        return "a number"
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(tp))
    if origin in (list, tuple):
        return f"a list of {type_name(typing.get_args(tp)[0])}"
    if origin is dict:
        return f"a mapping of names to {type_name(typing.get_args(tp)[1])}"
    if origin in (Union, types.UnionType):
        names = [type_name(a) for a in typing.get_args(tp) if a is not type(None)]
        return " or ".join(names)
    if dataclasses.is_dataclass(tp):
        return "a mapping"
    return getattr(tp, "__name__", str(tp))


def found_name(node: yaml.Node) -> str:
    if node.tag == "tag:yaml.org,2002:null":
        return "nothing"
    if isinstance(node, yaml.ScalarNode):
        return f"{_TYPE_NAMES.get(node.tag, 'a value')} {node.value!r}"
    return _TYPE_NAMES.get(node.tag, "a value")


class NodeReader:
    """Turns a node tree into typed values, collecting diagnostics instead of raising."""

    def __init__(self, path: str, line_offset: int = 0):
        self.path = path
        self.line_offset = line_offset
        self.diagnostics: list[Diagnostic] = []
        self._seen: set[int] = set()

    def fail(self, node: yaml.Node | None, message: str, hint: str | None = None,
             severity: Severity = Severity.ERROR) -> Invalid:
        line = column = None
        if node is not None:
            line = node.start_mark.line + 1 + self.line_offset
            column = node.start_mark.column + 1
        self.diagnostics.append(Diagnostic(self.path, message, line, column, hint, severity))
        return INVALID

    def expect(self, node: yaml.Node, key: str, tp: Any, hint: str | None = None) -> Invalid:
        return self.fail(node, f"{key}: expected {type_name(tp)}, found {found_name(node)}", hint)

    def read(self, node: yaml.Node, tp: Any, key: str) -> Any:
        """The value of node as type tp; INVALID (with a diagnostic) when it does not fit."""
        if node.tag not in _STANDARD_TAGS:
            return self.fail(node, f"{key}: the tag {node.tag} is not allowed", "remove the tag; only plain YAML values are read")
        origin = typing.get_origin(tp)
        if origin in (Union, types.UnionType):
            options = typing.get_args(tp)
            if node.tag == "tag:yaml.org,2002:null" and type(None) in options:
                return None
            real = [a for a in options if a is not type(None)]
            if len(real) == 1:
                return self.read(node, real[0], key)
            for option in real:  # e.g. str | list[str]: take the first that fits the node's shape
                if self._shape_fits(node, option):
                    return self.read(node, option, key)
            return self.expect(node, key, tp)
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            if id(node) in self._seen:
                return self.fail(node, f"{key}: YAML anchors and aliases (&name, *name) are not allowed", "write the value out in full")
            self._seen.add(id(node))
        if origin in (list, tuple):
            if not isinstance(node, yaml.SequenceNode):
                return self.expect(node, key, tp)
            item_type = typing.get_args(tp)[0]
            items = [self.read(child, item_type, f"{key}[{i}]") for i, child in enumerate(node.value)]
            if any(item is INVALID for item in items):
                return INVALID
            return tuple(items) if origin is tuple else items
        if origin is dict:
            if not isinstance(node, yaml.MappingNode):
                return self.expect(node, key, tp)
            return self._mapping(node, typing.get_args(tp)[1], key)
        if dataclasses.is_dataclass(tp):
            return self.read_dataclass(node, tp, key)
        if origin is Literal:
            text = self.scalar_text(node)
            if text not in typing.get_args(tp):
                return self.expect(node, key, tp)
            return text
        if tp is Any or tp is object:
            return self._plain(node, key)
        if not isinstance(node, yaml.ScalarNode):
            return self.expect(node, key, tp)
        if tp is str:
            if node.tag == "tag:yaml.org,2002:null":
                return self.expect(node, key, tp, "write a value, or remove the key")
            return node.value  # the text as written: `no` stays "no", 2021-04-06 stays a string
        if tp is bool:
            lowered = node.value.lower()
            if node.tag == "tag:yaml.org,2002:bool" and lowered in _TRUE | _FALSE:
                return lowered in _TRUE
            return self.expect(node, key, tp, "write true or false")
        if tp is int:
            if node.tag == "tag:yaml.org,2002:int":
                try:
                    return int(node.value.replace("_", ""), 0)
                except ValueError:
                    pass
            return self.expect(node, key, tp)
        if tp is float:
            if node.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
                try:
                    return float(node.value.replace("_", ""))
                except ValueError:
                    pass
            return self.expect(node, key, tp)
        raise TypeError(f"schema type not supported: {tp!r}")

    def _shape_fits(self, node: yaml.Node, tp: Any) -> bool:
        origin = typing.get_origin(tp)
        if origin in (list, tuple):
            return isinstance(node, yaml.SequenceNode)
        if origin is dict or dataclasses.is_dataclass(tp):
            return isinstance(node, yaml.MappingNode)
        return isinstance(node, yaml.ScalarNode)

    def _plain(self, node: yaml.Node, key: str) -> Any:
        """An untyped value (kept for themes): scalars as text, collections recursively."""
        if isinstance(node, yaml.ScalarNode):
            return None if node.tag == "tag:yaml.org,2002:null" else node.value
        if isinstance(node, yaml.SequenceNode):
            return [self.read(child, Any, f"{key}[{i}]") for i, child in enumerate(node.value)]
        return self._mapping(node, Any, key)  # not read() again: it already marked this node as seen

    def _mapping(self, node: yaml.MappingNode, value_type: Any, key: str) -> dict[str, Any]:
        """The entries of a mapping node, each value read as value_type; bad entries reported and left out."""
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            name = self.scalar_text(key_node)
            if name is None:
                self.fail(key_node, f"{key}: keys must be plain names")
                continue
            value = self.read(value_node, value_type, f"{key}.{name}")
            if value is not INVALID:
                result[name] = value
        return result

    @staticmethod
    def scalar_text(node: yaml.Node) -> str | None:
        return node.value if isinstance(node, yaml.ScalarNode) else None

    def read_dataclass(self, node: yaml.Node, tp: Any, key: str, unknown: str = "error") -> Any:
        """A dataclass from a mapping node: unknown keys get a did-you-mean, missing required keys an error."""
        if not isinstance(node, yaml.MappingNode):
            return self.expect(node, key, tp)
        hints = _type_hints(tp)
        fields = {f.name: f for f in dataclasses.fields(tp)}
        values: dict[str, Any] = {}
        failed = False
        prefix = f"{key}." if key else ""
        for key_node, value_node in node.value:
            name = self.scalar_text(key_node)
            if name is None or name not in fields:
                if unknown == "error":
                    close = difflib.get_close_matches(str(name), list(fields), n=1)
                    hint = f"did you mean '{close[0]}'?" if close else "known keys: " + ", ".join(fields)
                    self.fail(key_node, f"unknown key '{prefix}{name}'", hint)
                    failed = True
                continue
            value = self.read(value_node, hints[name], prefix + name)
            if value is INVALID:
                failed = True
            else:
                values[name] = value
        for name, f in fields.items():
            if name not in values and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                if not failed:
                    self.fail(node, f"missing key '{prefix}{name}'", f"add '{name}:' ({type_name(hints[name])})")
                failed = True
        if failed:
            return INVALID
        return tp(**{k: _freeze(v, hints[k]) for k, v in values.items()})


@functools.lru_cache(maxsize=64)  # bounded: config.py makes a new schema class per load
def _type_hints(tp: Any) -> dict[str, Any]:
    """typing.get_type_hints, once per dataclass: it compiles every annotation again on each call."""
    return typing.get_type_hints(tp)


def _freeze(value: Any, tp: Any) -> Any:
    """Lists become tuples where the field is typed as a tuple (frozen dataclasses)."""
    if isinstance(value, list) and typing.get_origin(tp) is tuple:
        return tuple(value)
    return value
