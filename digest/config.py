"""config.yaml: one typed schema, documented where each option is declared, validated on load.

Every problem of a file is reported at once, each with file, line, key, what was expected and
what was found. Command-line flags override the file (`digest build --base-url ...`).
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit

from digest.errors import ConfigError, Diagnostic

CONFIG_NAME = "config.yaml"


@dataclass(frozen=True)
class Paths:
    """Where a digest keeps its files, relative to the folder of config.yaml."""

    sources: str = "content/sources"  # raw articles: .txt, .html/.htm, .md
    articles: str = "content/articles"  # generated and hand-written Markdown pages
    output: str = "site"  # the built site; replaced atomically by each build
    themes: str = "themes"  # the digest's own themes, overriding the packaged ones
    stories: str = "content/stories.yaml"  # the story ids given out so far, kept so story URLs stay (digest.story_ids)


@dataclass(frozen=True)
class Cleaning:
    """How raw sources are stripped of boilerplate."""

    boilerplate: tuple[str, ...] = ()  # extra site-specific phrases: a line containing one is removed
    unicode_slugs: bool = False  # keep non-ASCII letters in slugs instead of transliterating


@dataclass(frozen=True)
class Annotation:
    """Automatic annotations."""

    enabled: bool = True
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # canonical name: [variants]
    glossary: dict[str, str] = field(default_factory=dict)  # acronym: expansion
    # name: kind (person, organisation, place, system or other), for names the text alone cannot place
    gazetteer: dict[str, str] = field(default_factory=dict)
    ignore: tuple[str, ...] = ()  # capitalised phrases that are never named things (a site's "Daily Brief" label)


@dataclass(frozen=True)
class Linking:
    """Related pieces, stories, duplicates and "Read More" links (docs/linking.md). Spelling
    variants of names merge by rule; what no rule sees goes in annotation.aliases, shared with annotate."""

    related: int = 5  # how many related pieces each article lists at most
    threshold: float = 0.1  # similarity (0..1) below this is never shown: no relative beats a weak one
    story_threshold: float = 0.15  # similarity (dates aside) that puts two mutually nearest articles in one story
    story_titles: dict[str, str] = field(default_factory=dict)  # story id: title to show instead of the generated one
    name_weight: float = 0.5  # share of similarity from shared named things; the rest from shared words
    date_weight: float = 0.25  # how much being far apart in time can lower similarity (0: dates ignored)
    date_scale_days: float = 180.0  # days apart at which the date factor is halfway down
    duplicate_threshold: float = 0.6  # estimated Jaccard similarity of two texts' 5-word shingles that makes them one report
    reference_match: float = 0.85  # how closely a "Read More" line must match an article's title (0..1)


@dataclass(frozen=True)
class Limits:
    """Bounds on what one build takes in, so a runaway file cannot exhaust the machine."""

    max_source_bytes: int = 10_000_000  # a larger source is refused with a message
    max_articles: int = 1_000_000  # more pages than this stop the build


@dataclass(frozen=True)
class Config:
    """A digest's settings (config.yaml). `root` is the folder config.yaml sits in."""

    title: str = "A news digest"
    description: str = ""
    base_url: str = "/"  # where the site is served, e.g. https://user.github.io/news/
    language: str = "en"  # BCP 47 tag, for <html lang> and feeds
    theme: str = "default"
    per_page: int = 20  # articles per page of the home and list pages
    entity_per_page: int = 100  # articles per page of a named thing's page (one can be named in thousands)
    cname: str | None = None  # custom domain for GitHub Pages (written as CNAME)
    paths: Paths = Paths()
    cleaning: Cleaning = Cleaning()
    annotation: Annotation = Annotation()
    linking: Linking = Linking()
    limits: Limits = Limits()
    root: Path = field(default=Path("."), metadata={"internal": True})

    @cached_property  # every link of every page asks for it: a million times at 10,000 articles
    def base_path(self) -> str:
        """The URL path the site lives under, always with a trailing slash: '/' or '/news/'."""
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    @cached_property
    def absolute_base(self) -> str | None:
        """base_url when it is absolute (scheme and host), else None: feeds and sitemaps need one."""
        parts = urlsplit(self.base_url)
        if parts.scheme and parts.netloc:
            return f"{parts.scheme}://{parts.netloc}{self.base_path}"
        return None

    def resolve(self, relative: str) -> Path:
        return (self.root / relative).resolve()


# Keys of Config that are not read from the file.
_INTERNAL = {f.name for f in dataclasses.fields(Config) if f.metadata.get("internal")}


def _file_schema() -> type:
    """Config without its internal fields: the shape config.yaml may have."""
    hints = typing.get_type_hints(Config)
    fields = [(f.name, hints[f.name], f) for f in dataclasses.fields(Config) if f.name not in _INTERNAL]
    return dataclasses.make_dataclass("config", fields, frozen=True)


def load_config(path: Path | None = None, overrides: dict[str, object] | None = None,
                root: Path | None = None) -> Config:
    """The Config of a digest: config.yaml (if it exists) with overrides applied. Raises ConfigError."""
    if path is None:
        root = (root or Path.cwd()).resolve()
        path = root / CONFIG_NAME
        if not path.exists():
            raise ConfigError(Diagnostic(str(path), "no config.yaml here",
                                         hint="run digest in a digest folder, pass --config FILE, or create one with 'digest init DIR'"))
    path = path.resolve()
    display = _display(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(Diagnostic(display, "config file not found", hint="check the --config path")) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(Diagnostic(display, f"cannot read config: {exc}", hint="save it as UTF-8 text")) from exc
    values = parse_config(text, display)
    config = dataclasses.replace(values, root=path.parent)
    if overrides:
        config = dataclasses.replace(config, **{k: v for k, v in overrides.items() if v is not None})
    problems = check_config(config, display)
    if problems:
        raise ConfigError(problems)
    return config


def parse_config(text: str, display: str) -> Config:
    from digest.schema import INVALID, NodeReader, compose  # lazy: YAML costs 15 ms of every `digest strip` start

    node, problems = compose(text, display)
    if problems:
        raise ConfigError(problems)
    if node is None:  # an empty file: all defaults
        return Config()
    reader = NodeReader(display)
    values = reader.read_dataclass(node, _file_schema(), "")
    if values is INVALID or reader.diagnostics:
        raise ConfigError(reader.diagnostics)
    return Config(**{f.name: getattr(values, f.name) for f in dataclasses.fields(values)})


def check_config(config: Config, display: str) -> list[Diagnostic]:
    """Problems that types alone cannot catch."""
    problems = []
    parts = urlsplit(config.base_url)
    if parts.scheme not in ("", "http", "https") or (parts.scheme and not parts.netloc):
        problems.append(Diagnostic(display, f"base_url: expected an http(s) URL or a path, found {config.base_url!r}",
                                   hint="write it like https://user.github.io/news/ or /news/"))
    for name in ("per_page", "entity_per_page"):
        if getattr(config, name) < 1:
            problems.append(Diagnostic(display, f"{name}: expected a number of at least 1, found {getattr(config, name)}"))
    for name in ("max_source_bytes", "max_articles"):
        if getattr(config.limits, name) < 1:
            problems.append(Diagnostic(display, f"limits.{name}: expected a number of at least 1, found {getattr(config.limits, name)}"))
    if config.linking.related < 0:
        problems.append(Diagnostic(display, f"linking.related: expected 0 or more, found {config.linking.related}"))
    for name in ("threshold", "story_threshold", "name_weight", "date_weight", "duplicate_threshold", "reference_match"):
        value = getattr(config.linking, name)
        if not 0 <= value <= 1:
            problems.append(Diagnostic(display, f"linking.{name}: expected a number from 0 to 1, found {value}"))
    if config.linking.date_scale_days <= 0:
        problems.append(Diagnostic(display, f"linking.date_scale_days: expected more than 0, found {config.linking.date_scale_days}"))
    return problems


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
