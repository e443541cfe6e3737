"""An article body that its page splits into several containers, with advertisements between them.

Some publishers' templates close the body's container before each mid-article advertisement and
open an identical one after it. An extractor that scores containers keeps the best one and stops
at its end, so the rest of the article is lost. This step finds the container that holds the
extraction's last paragraph and appends the text of the later containers of the same tag and
class that sit near it, read as prose and are not in the extraction already (a footer or a box of
links that shares a generic class with the body's container is none of those).
"""

from __future__ import annotations

from lxml import etree

_BLOCKS = ("p", "h2", "h3", "h4", "li", "blockquote", "pre")
_SKIPPED = ("aside", "figure", "figcaption", "script", "style", "noscript", "form", "nav", "button")
_MIN_LAST_WORDS = 8  # a shorter last line (a caption, a sign-off) is no anchor to find the body by
_MIN_CONTINUATION_WORDS = 30  # less than this is a teaser or a label, not the rest of an article
_MAX_LINK_SHARE = 0.3  # more of its words in links than this is a list of links, not prose
_MIN_PROSE_SHARE = 0.75  # the share of a continuation's words in blocks of _PROSE_WORDS words or more
_PROSE_WORDS = 10
_MAX_KINSHIP = 3  # a continuation and the body's container meet at most this many levels above the container
_MAX_CLIMB = 6  # how far above the last paragraph the body's container may be


def continued_text(tree: etree._Element, text: str) -> str:
    """text, with the article's later containers in tree appended when the extraction stopped at the end of the first."""
    anchor = _anchor(tree, text)
    found = _container_and_later_twins(anchor) if anchor is not None else None
    if found is None:
        return text
    container, twins = found
    extra: list[str] = []
    for twin in twins:
        if _near(container, twin):
            blocks = _block_texts(twin)
            if _reads_as_prose(twin, blocks) and blocks[0] not in text:
                extra.extend(blocks)
    return "\n".join((text, *extra)) if extra else text


def _anchor(tree: etree._Element, text: str) -> etree._Element | None:
    """The paragraph of tree that the extraction's last paragraph came from (None when not found)."""
    lines = [" ".join(line.split()) for line in text.splitlines()[-3:]]
    last = next((line for line in reversed(lines) if len(line.split()) >= _MIN_LAST_WORDS), None)
    if last is None:
        return None
    return next((p for p in tree.iter("p") if " ".join(p.text_content().split()) == last), None)


def _container_and_later_twins(anchor: etree._Element) -> tuple[etree._Element, list[etree._Element]] | None:
    """The nearest classed ancestor of anchor with namesakes after it in the page (same tag, same class), and those."""
    element = anchor.getparent()
    for _ in range(_MAX_CLIMB):
        if element is None or element.tag in ("body", "html"):
            break
        css = element.get("class")
        if css:
            namesakes = [e for e in element.getroottree().iter(element.tag) if e.get("class") == css]
            later = namesakes[namesakes.index(element) + 1:]
            if later:
                return element, [e for e in later if not _inside(e, element)]
        element = element.getparent()
    return None


def _near(container: etree._Element, twin: etree._Element) -> bool:
    """Whether twin is in the same part of the page as container: they meet a few levels above it."""
    return any(twin in ancestor.iterdescendants(twin.tag)
               for _, ancestor in zip(range(_MAX_KINSHIP), container.iterancestors()))


def _reads_as_prose(container: etree._Element, blocks: list[str]) -> bool:
    """Whether blocks (container's) are an article's paragraphs rather than a list of links, labels or short items."""
    counts = [len(block.split()) for block in blocks]
    words = sum(counts)
    prose = sum(n for n in counts if n >= _PROSE_WORDS)
    return (words >= _MIN_CONTINUATION_WORDS and prose >= _MIN_PROSE_SHARE * words
            and _link_words(container) <= _MAX_LINK_SHARE * words)


def _inside(element: etree._Element, container: etree._Element) -> bool:
    return any(ancestor is container for ancestor in element.iterancestors())


def _block_texts(container: etree._Element) -> list[str]:
    """The text of container's innermost blocks, one per line, outside asides, figures and forms."""
    texts = []
    for block in container.iter(*_BLOCKS):
        if any(block.iterdescendants(*_BLOCKS)) or any(a.tag in _SKIPPED for a in block.iterancestors()):
            continue
        text = " ".join(block.text_content().split())
        if text:
            texts.append(text)
    return texts


def _link_words(container: etree._Element) -> int:
    return sum(len(link.text_content().split()) for link in container.iter("a"))
