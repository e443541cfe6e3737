"""`digest strip` end to end, and re-stripping inside `digest build` (editor edits and keep: entries)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import SEEDS, run_digest

FIELDS = {"path", "title", "date", "source", "author", "tags", "summary", "see_also", "body", "removed"}


def test_strip_jsonl_gives_one_object_per_seed(tmp_path: Path) -> None:
    seeds = sorted(str(p) for p in SEEDS.glob("*.txt"))
    result = run_digest("strip", "--format", "jsonl", *seeds, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["path"] for r in records] == seeds
    assert all(FIELDS <= r.keys() for r in records)
    bank = records[0]
    assert "JS Bank" not in bank["body"] and {"text": "Print Friendly, PDF & Email", "rule": "print-share"} in bank["removed"]
    assert len(bank["see_also"]) == 3


def test_strip_reports_each_bad_file_and_still_strips_the_good_one(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02\x03" * 100)
    (tmp_path / "boiler.txt").write_text("Leave a Comment\n\nShare on Facebook\n", encoding="utf-8")
    (tmp_path / "huge.txt").write_bytes(b"a" * 50_000_000)
    (tmp_path / "odd.txt").write_bytes(b"Title line\n\n" + "Ce texte a des octets \xe9tranges \x81\x8d mais reste un article lisible ici.".encode("latin-1"))
    good = next(SEEDS.glob("001_*.txt"))
    names = ["empty.txt", "binary.txt", "boiler.txt", "huge.txt", "odd.txt", str(good)]
    result = run_digest("strip", "--format", "jsonl", *names, cwd=tmp_path)
    assert result.returncode == 1
    records = {Path(r["path"]).name: r for r in map(json.loads, result.stdout.splitlines())}
    assert len(records) == 6
    assert records[good.name]["title"] == "India desperate to get S-400, what is Russia saying?"
    assert records["binary.txt"]["error"] == "this looks like a binary file, not an article"
    assert records["huge.txt"]["error"].startswith("too large (50,000,000 bytes")
    assert records["odd.txt"]["body"].startswith("Ce texte")
    assert "empty.txt: warning: empty file" in result.stderr
    assert "boiler.txt: warning: nothing of an article is left after stripping" in result.stderr


def test_strip_explain_lists_removed_lines_with_their_rules(tmp_path: Path) -> None:
    result = run_digest("strip", "--format", "text", "--explain", str(next(SEEDS.glob("002_*.txt"))), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    listing = result.stdout.split("\nremoved:\n", 1)[1]
    assert "  comment-prompt  LEAVE A REPLY" in listing
    assert "  promo           READ ALSO: US summit on democracy while Kashmir boils over is blatant hypocrisy" in listing


def test_rebuild_keeps_an_editor_edited_page_and_reports_it(example_digest: Path) -> None:
    run_digest("build", cwd=example_digest, check=True)
    (page,) = (example_digest / "content" / "articles").glob("*receive-russian-s400s*.md")
    edited = page.read_text(encoding="utf-8").replace("India will acquire", "India is to acquire")
    page.write_text(edited, encoding="utf-8")
    source = next((example_digest / "content" / "sources").glob("000_*.txt"))
    source.write_text(source.read_text(encoding="utf-8") + "\n\nOne more paragraph from the source, long enough to be kept as text.\n",
                      encoding="utf-8")
    result = run_digest("build", cwd=example_digest)
    assert result.returncode == 0, result.stderr
    assert page.read_text(encoding="utf-8") == edited
    assert f"{page.relative_to(example_digest).as_posix()}: warning: you edited this page" in result.stderr


def test_keep_entry_brings_a_removed_line_back_on_rebuild(example_digest: Path) -> None:
    run_digest("build", cwd=example_digest, check=True)
    (page,) = (example_digest / "content" / "articles").glob("*receive-russian-s400s*.md")
    page.write_text(page.read_text(encoding="utf-8").replace("\ngenerated: ", "\nkeep:\n- Print Friendly, PDF & Email\ngenerated: "),
                    encoding="utf-8")
    result = run_digest("build", cwd=example_digest)
    assert result.returncode == 0 and "you edited this page" not in result.stderr, result.stderr
    text = page.read_text(encoding="utf-8")
    assert "\nPrint Friendly, PDF & Email\n\n" in text.split("\n---\n", 1)[1]  # back in the body
    assert "keep:\n- Print Friendly, PDF & Email\n" in text  # and the instruction kept for the next run
    run_digest("build", cwd=example_digest, check=True)
    assert page.read_text(encoding="utf-8") == text
    stripped = run_digest("strip", "--format", "jsonl", str(next((example_digest / "content" / "sources").glob("000_*.txt"))),
                          cwd=example_digest)
    assert "Print Friendly, PDF & Email" in json.loads(stripped.stdout)["body"]
