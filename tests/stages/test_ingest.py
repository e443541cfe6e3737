"""ingest: any encoding in, text out; bad files reported by name, never raised."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from digest.errors import Severity
from digest.stages.ingest import decode, read_source

TEXT = "Café owners welcome the city’s new rules — “at last”."


@pytest.mark.parametrize("data", [
    TEXT.encode("utf-8"),
    codecs.BOM_UTF8 + TEXT.encode("utf-8"),
    codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
    codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
], ids=["utf-8", "utf-8-bom", "utf-16-le", "utf-16-be"])
def test_unicode_encodings_decode_exactly(data: bytes) -> None:
    assert decode(data, "x.txt") == (TEXT, [])


def test_windows_1252_is_detected_with_a_warning() -> None:
    text, problems = decode("Café naïve résumé, a short note about the café’s menu.".encode("cp1252"), "x.txt")
    assert text == "Café naïve résumé, a short note about the café’s menu."
    assert [p.severity for p in problems] == [Severity.WARNING]


def test_binary_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    source, problems = read_source(path, tmp_path)
    assert source is None
    assert str(problems[0]) == ("photo.txt: error: this looks like a binary file, not an article — "
                                "save the article as text (.txt) or as a web page (.html)")


def test_empty_and_too_large_files_are_reported(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"  \n")
    (tmp_path / "big.txt").write_bytes(b"word " * 300)
    assert "empty file" in read_source(tmp_path / "empty.txt", tmp_path)[1][0].message
    source, problems = read_source(tmp_path / "big.txt", tmp_path, max_bytes=1000)
    assert source is None and problems[0].message == "too large (1,500 bytes; the limit is 1,000)"


def test_missing_file_says_so(tmp_path: Path) -> None:
    assert str(read_source(tmp_path / "gone.txt", tmp_path)[1][0]) == "gone.txt: error: no such file — check the path"
