"""Reading a built digest's data back: site/digest.json with the parts of its lists joined (docs/digest-json.md).

For other tools, digest's tests and its benchmarks; a build never reads its output's data.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def read_digest(site: Path) -> dict[str, Any]:
    """digest.json of the site folder with each list whole: its parts joined in order, then the articles
    newest first again (by date, then slug, as the site lists them); the other lists come part by part."""
    index = json.loads((site / "digest.json").read_text(encoding="utf-8"))
    data = {key: value for key, value in index.items() if key != "parts"}
    for key, paths in index["parts"].items():
        data[key] = [item for path in paths for item in json.loads((site / path).read_text(encoding="utf-8"))]
    data["articles"].sort(key=lambda a: (a["date"], a["slug"]), reverse=True)
    return data
