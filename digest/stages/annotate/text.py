"""The plain text the annotators read: Markdown markup taken out, web furniture lines dropped,
paragraphs split into sentences. Regular expressions only, so 10,000 articles take seconds."""

from __future__ import annotations

import re
from dataclasses import dataclass

_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
_FOOTNOTE_DEF = re.compile(r"^\[\^[^\]]+\]:.*$", re.MULTILINE)
_FOOTNOTE_REF = re.compile(r"\[\^[^\]]+\]")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_AUTOLINK = re.compile(r"(?:<(?:https?|mailto):|https?://)[^\s>]*>?")
_TAG = re.compile(r"<[^>\n]*>")
# A line's block mark, matched after the newline that starts the line (plain_text puts one before the
# first): a literal first character lets the engine jump from line to line instead of trying every position.
_BLOCK_MARK = re.compile(r"\n[ \t]*(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+|\d{1,3}[.)][ \t]+)")
_SPACES = re.compile(r"[ \t\u00a0]{2,}|[\t\u00a0]")

# Lines of web furniture that survive a careless copy: never a source of named things.
_NOISE_START = re.compile(
    r"\s*(?:read (?:more|also)|also read|see also|related(?: articles| posts| stories)?|recommended|"
    r"print friendly|leave a (?:comment|reply)|post a comment|please enter your|share (?:this|on)|"
    r"follow us|subscribe|sign up|advertisement|click here|no comments)\b",
    re.IGNORECASE,
)
_NOISE_SOCIAL = re.compile(r"pic\.twitter\.com|(?<!\w)@\w{3,}|^\s*[—–-]\s*[^()]{1,60}\(@\w+\)")


def is_noise_line(line: str) -> bool:
    """A line of web furniture: a 'Read more' link, a comment form, an embedded post."""
    return bool(_NOISE_START.match(line)) or ("@" in line or "twitter" in line) and bool(_NOISE_SOCIAL.search(line))


# A sentence ends at . ! ? (and closing quotes) before a capital, digit or opening quote; not after
# an initial ("S. Jaishankar", "U.S.") or a common abbreviation. The lookbehinds come after the
# punctuation so the engine only tries them there: this runs on every paragraph of every article.
_SENTENCE_END = re.compile(
    r"[.!?](?<!\b[A-Z]\.)(?<!\b(?:Mr|Ms|Dr|St|Jr|Sr|Co|No|vs|Lt)\.)"
    r"(?<!\b(?:Mrs|Gen|Col|Sgt|Inc|Ltd|Gov|Sen|Rep|Rev|Jan|Feb|Aug|Oct|Nov|Dec)\.)(?<!\b(?:Prof|Sept)\.)"
    r"[.!?]*[\"”’')]*\s+(?=[\"“‘'(]?[A-Z0-9])"
)


@dataclass(frozen=True)
class Text:
    """An article as plain text: paragraphs, and each paragraph's sentences with their offsets."""

    paragraphs: tuple[str, ...]
    sentences: tuple[tuple[tuple[int, str], ...], ...]  # per paragraph: (start offset, sentence)

    def sentence_at(self, paragraph: int, offset: int) -> str:
        """The sentence of paragraph that contains the character at offset."""
        found = ""
        for start, sentence in self.sentences[paragraph]:
            if start > offset:
                break
            found = sentence
        return found


def plain_text(markdown: str) -> str:
    """The words of a Markdown text without its markup (links keep their text, code is dropped)."""
    # each pattern only where its telling characters occur: most articles have no code, notes or links
    text = _FENCE.sub("", markdown) if "```" in markdown or "~~~" in markdown else markdown
    if "[^" in text:
        text = _FOOTNOTE_REF.sub("", _FOOTNOTE_DEF.sub("", text))
    if "](" in text:
        text = _LINK.sub(r"\1", _IMAGE.sub("", text))
    if "http" in text or "mailto:" in text:
        text = _AUTOLINK.sub("", text)
    if "<" in text:
        text = _TAG.sub("", text)
    text = _BLOCK_MARK.sub("\n", "\n" + text)[1:]
    text = text.replace("*", "").replace("`", "")  # emphasis and code marks (underscores may be in names)
    if "  " in text or "\t" in text or "\u00a0" in text:
        text = _SPACES.sub(" ", text)
    return text


def split_sentences(paragraph: str) -> tuple[tuple[int, str], ...]:
    """The sentences of paragraph with their start offsets."""
    result = []
    start = 0
    for end in _SENTENCE_END.finditer(paragraph):
        cut = end.end()
        sentence = paragraph[start:cut].rstrip()
        if sentence:
            result.append((start, sentence))
        start = cut
    if paragraph[start:].strip():
        result.append((start, paragraph[start:].rstrip()))
    return tuple(result)


def read_text(markdown: str) -> Text:
    """The Text of an article body: one paragraph per non-empty line, furniture lines left out."""
    paragraphs = []
    for line in plain_text(markdown).splitlines():
        line = line.strip()
        if line and not is_noise_line(line):
            paragraphs.append(line)
    return Text(tuple(paragraphs), tuple(split_sentences(p) for p in paragraphs))
