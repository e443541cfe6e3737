"""Text normalisation before any rule runs: mojibake repaired, odd spaces made plain, lost-emoji runs dropped."""

from __future__ import annotations

import re
import unicodedata

# Sequences that UTF-8 read as cp1252/latin-1 produces ("â€™", "Ã©", "Â "): only then is ftfy worth its import.
_MOJIBAKE_HINT = re.compile("[\u00c2\u00c3\u00e2\u00c5\u00d0\u00d1][\u0080-\u00bf\u2018-\u203a\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u20ac\u2122]")
# Spaces that are not U+0020: no-break, thin, ideographic ... (zero-width ones go entirely)
_ODD_SPACE = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t\f\v]+")
_ZERO_WIDTH = re.compile("[\u200b-\u200d\u2060\ufeff\u00ad]")
_MANY_SPACES = re.compile(" {2,}")
# Control and invisible format characters (but not the LTR/RTL marks bidirectional text needs).
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u180e\u202a-\u202e\u2061-\u2064\u2066-\u206f\ufff9-\ufffb]")
# A drop cap copied as its own word: "T he Davis Cup began" (never A, I, O or X, which are words).
_DROP_CAP = re.compile(r"(?m)^([B-HJ-NP-WYZ]) ([a-z]{1,12}\b)")
# Where an emoji or a non-Latin word was lost to an encoding step, "????" remains.
PLACEHOLDER_RUN = re.compile(r"(?<![\w?])\?{2,}(?![\w?])")


def normalize_text(text: str) -> str:
    """text with mojibake repaired, line ends unified and every line's spacing made plain."""
    if _MOJIBAKE_HINT.search(text):
        import ftfy  # lazy: 40 ms of start-up most inputs do not need

        text = ftfy.fix_text(text, normalization="NFC", uncurl_quotes=False)
    else:
        text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = _ZERO_WIDTH.sub("", text)
    text = _ODD_SPACE.sub(" ", text)
    text = _CONTROL.sub("", text)
    text = _DROP_CAP.sub(r"\1\2", text)
    text = _MANY_SPACES.sub(" ", text)  # spaces only: never across a line end
    return "\n".join(line.strip() for line in text.split("\n"))


def drop_placeholders(line: str) -> str:
    """line without its '????' runs (and the ' | ' left dangling after one)."""
    if "??" not in line:
        return line
    cleaned = PLACEHOLDER_RUN.sub("", line)
    cleaned = re.sub(r"^\s*[|:–—-]\s*", "", cleaned)
    return _MANY_SPACES.sub(" ", cleaned).strip()

