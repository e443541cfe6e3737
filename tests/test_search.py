"""Search: Pagefind's bundle of the article pages is byte-stable and its URLs carry the base path."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from digest.config import Config
from digest.search import search_bundle
from tests.stages.test_render import GOLDEN, read_articles, render


def fragments(bundle: dict[str, bytes]) -> list[dict[str, object]]:
    """Pagefind's per-page records: gzip, a 12-byte signature, then JSON."""
    return [json.loads(gzip.decompress(data)[len(b"pagefind_dcd"):])
            for name, data in sorted(bundle.items()) if name.startswith("pagefind/fragment/")]


def test_search_index_is_byte_stable_and_under_the_base_path(tmp_path: Path) -> None:
    files = render(read_articles(GOLDEN / "small-site" / "articles"), tmp_path)
    config = Config(base_url="https://example.org/news/")
    first, problems = search_bundle(files, config)
    second, _ = search_bundle(files, config)
    assert problems == [] and first == second
    assert {"pagefind/pagefind.js", "pagefind/pagefind-entry.json", "pagefind/pagefind-worker.js"} <= set(first)
    assert not any("-ui." in name for name in first)  # Pagefind's own UI is left out
    records = fragments(first)
    assert sorted(str(r["url"]) for r in records) == [
        "/news/articles/2021-11-14-training/", "/news/articles/2021-12-06-deliveries-begin/", "/news/articles/undated-note/"]
    training = next(r for r in records if "training" in str(r["url"]))
    assert training["meta"] == {"title": "Indian crews finish S-400 training"}
    assert "Tags:" not in str(training["content"])  # the article footer is data-pagefind-ignore
