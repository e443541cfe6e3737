"""`digest init`: a new digest folder with a commented config, a sample source and a themes note."""

from __future__ import annotations

from pathlib import Path

from digest import __version__
from digest.deploy import pages_workflow
from digest.errors import ConfigError, Diagnostic

CONFIG_TEMPLATE = """\
# config.yaml — the settings of this digest. Every option is shown with its default.

title: {title}
description: ""            # one line shown under the title and in feeds
base_url: /                # where the site is served: https://user.github.io/news/ for a project site
language: en               # BCP 47 language tag of the articles
theme: default             # a folder in themes/, else the theme packaged with digest
per_page: 20               # articles per page on the home and list pages
entity_per_page: 100       # articles per page on the page of a person, organisation, place...
# cname: news.example.org  # custom domain for GitHub Pages

paths:
  sources: content/sources     # raw articles you drop in: .txt, .html, .md
  articles: content/articles   # Markdown pages digest writes (and pages you write by hand)
  output: site                 # the built site
  themes: themes               # your own themes, overriding the packaged one template by template
  stories: content/stories.yaml  # the story ids given out so far (written by digest build; commit it)

cleaning:
  boilerplate: []          # extra phrases: a line containing one is removed, e.g. ["Subscribe to our newsletter"]
  unicode_slugs: false     # keep non-ASCII letters in URLs instead of transliterating them

annotation:
  enabled: true
  aliases: {{}}              # canonical name: [variants], e.g. {{S-400: [S400, S-400 Triumf]}}
  glossary: {{}}             # acronym: expansion, e.g. {{NSA: National Security Adviser}}
  gazetteer: {{}}            # name: person, organisation, place, system or other, e.g. {{Almaz-Antey: organisation}}
  ignore: []               # capitalised phrases that are never named things, e.g. ["Daily Brief"]

linking:
  related: 5               # related pieces listed per article
  threshold: 0.1           # similarity (0..1) below which nothing is shown
  story_threshold: 0.15    # similarity that puts two mutually nearest articles into one story
  story_titles: {{}}         # story id: title, to override a generated story title
  name_weight: 0.5         # share of similarity from shared named things; the rest from shared words
  date_weight: 0.25        # how much being far apart in time lowers similarity (0: dates ignored)
  date_scale_days: 180.0   # days apart at which the date factor is halfway down
  duplicate_threshold: 0.6 # text overlap that makes two articles one report from two outlets
  reference_match: 0.85    # how closely a "Read More" line must match an article's title (0..1)

limits:
  max_source_bytes: 10000000   # a larger source file is refused with a message
  max_articles: 1000000        # more pages than this stop the build
"""

SAMPLE_SOURCE = """\
Sample: how digest reads an article

Sunday, November 22, 2026

Drop the text of an article you copied from a web page into content/sources/, as this file is.
The first line is taken as the headline. Lines such as share prompts and comment forms are removed.

Run digest build, then digest serve, and open http://127.0.0.1:8000/ in your browser.

Leave a Comment
"""

THEMES_NOTE = """\
# Themes

Copy a template from digest's packaged default theme into themes/default/templates/ to change it;
templates you do not copy come from the packaged theme. Static files go in themes/default/static/.
"""


def init_digest(folder: Path, title: str | None = None) -> list[Path]:
    """Create a digest in folder (missing or empty); the files created."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ConfigError(Diagnostic(str(folder), "folder exists and is not empty", hint="choose a new folder name"))
    files = {
        "config.yaml": CONFIG_TEMPLATE.format(title=_quote(title or folder.resolve().name.replace("-", " ").title())),
        "content/sources/sample.txt": SAMPLE_SOURCE,
        "content/articles/.keep": "",
        "themes/README.md": THEMES_NOTE,
        ".gitignore": "/site/\n/.digest-cache/\n",
        ".github/workflows/pages.yml": pages_workflow(f"digest=={__version__}"),  # publish with GitHub Actions
    }
    created = []
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        created.append(path)
    return created


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
