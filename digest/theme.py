"""Themes: where templates and static files are looked up, and the Jinja2 environment.

Lookup order, first match wins, template by template and file by file:
  1. <digest>/themes/<theme>/templates/  (and static/)
  2. the theme of that name packaged with digest
  3. the packaged default theme
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from digest.errors import ConfigError, Diagnostic

if TYPE_CHECKING:
    import jinja2

PACKAGED = Path(__file__).parent / "themes"


@dataclass(frozen=True)
class Theme:
    name: str
    folders: tuple[Path, ...]  # theme roots, highest priority first

    @property
    def template_dirs(self) -> list[Path]:
        return [f / "templates" for f in self.folders if (f / "templates").is_dir()]

    def static_files(self) -> dict[str, Path]:
        """{relative posix path: file} of every static file, earlier folders overriding later ones."""
        found: dict[str, Path] = {}
        for folder in reversed(self.folders):
            static = folder / "static"
            if static.is_dir():
                for path in sorted(static.rglob("*")):
                    if path.is_file() and not path.name.startswith("."):
                        found[path.relative_to(static).as_posix()] = path
        return dict(sorted(found.items()))


def find_theme(name: str, site_themes: Path) -> Theme:
    candidates = [site_themes / name, PACKAGED / name, PACKAGED / "default"]
    folders = tuple(dict.fromkeys(p for p in candidates if p.is_dir()))
    if not (site_themes / name).is_dir() and not (PACKAGED / name).is_dir():
        raise ConfigError(Diagnostic("config.yaml", f"theme: no theme named {name!r}",
                                     hint=f"create {site_themes / name}/templates/, or use theme: default"))
    return Theme(name, folders)


def make_environment(theme: Theme, globals_: dict[str, object], filters: dict[str, Callable[..., object]]) -> jinja2.Environment:
    """A Jinja2 environment over the theme, autoescaping everything, undefined names an error."""
    import jinja2  # here, not above: a build with nothing to do never needs it

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in theme.template_dirs]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(globals_)
    env.filters.update(filters)
    return env
