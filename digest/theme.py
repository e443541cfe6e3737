"""Themes: where templates and static files are looked up, and the Jinja2 environment.

Lookup order, first match wins, template by template and file by file:
  1. <digest>/themes/<theme>/templates/  (and static/)
  2. the theme of that name packaged with digest
  3. the packaged default theme
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
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
        loader=_theme_loader()([str(p) for p in theme.template_dirs]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(globals_)
    env.filters.update(filters)
    return env


def check_templates_again(env: jinja2.Environment) -> None:
    """Have the next use of each of env's templates check its file again (Jinja2 compiles one whose file changed):
    digest serve keeps an environment between builds, and calls this once a render."""
    next_round = getattr(env.loader, "next_round", None)
    if next_round is not None:
        next_round()


@cache
def _theme_loader() -> type[jinja2.FileSystemLoader]:
    """The class of the themes' template loader (made on first use: a build with nothing to do never imports Jinja2)."""
    import jinja2

    class ThemeLoader(jinja2.FileSystemLoader):
        """A FileSystemLoader whose templates check their files once a round (a render) rather than at every use:
        Jinja2 asks at each page, and again for each template a page extends (about 100,000 file stats at 10,000
        articles)."""

        round = 0

        def next_round(self) -> None:
            self.round += 1

        def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
            source, filename, unchanged = super().get_source(environment, template)
            checked = self.round

            def uptodate() -> bool:
                nonlocal checked
                if checked != self.round:
                    if not unchanged():
                        return False
                    checked = self.round
                return True

            return source, filename, uptodate

    return ThemeLoader
