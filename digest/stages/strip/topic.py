"""Topic similarity: is a paragraph about what the rest of the article is about?

An advertisement or a teaser pasted after an article shares almost none of its content words;
the article's own last paragraph shares many. Position matters as much as words: only the tail
of an article is judged, from the end backwards, stopping at the first paragraph that is on topic.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
# Words that say nothing about a topic, in the languages most digests are written in.
STOPWORDS = frozenset("""
the and for are but not you all any can had her was one our out day get has him his how man new now old see two way who
boy did its let put say she too use that with have this will your from they know want been good much some time very when
come here just like long make many more only over such take than them well were what which would there their about after
again also back because before being between both could does down each even every first into most other said same should
since still then these those through under until upon while where whose without within would year years also says said
according told asked added made may might must shall being they them these this those who whom whose whom into onto per
via yet nor off own once ever most more less least very really just about above below across among along around
les des une dans pour par sur est que qui pas plus avec der die das und den dem ist nicht mit von auf für los las del
por con para una que como más
""".split())


def content_words(text: str) -> set[str]:
    """The content words of text, crudely stemmed (first five letters: Russia/Russian, defence/defense)."""
    return {w[:5] for w in (t.lower() for t in _TOKEN.findall(text)) if w not in STOPWORDS}


def off_topic_tail(paragraphs: list[str], min_words: int = 8, max_shared: float = 0.1) -> int:
    """How many paragraphs at the end of paragraphs are off the article's topic (0 when the end is on topic).

    A tail paragraph is off topic when almost none of its content words (at most max_shared of them)
    occur in the article before it — its neighbour left out, since an advertisement often comes as a
    teaser line and a paragraph that share each other's words. Short paragraphs say too little to be
    judged and stop the scan, and the scan never reaches into the first two thirds of the article.
    """
    if len(paragraphs) < 4 or len(content_words(paragraphs[-1])) < min_words:
        return 0  # the scan would stop at once: no need to read the whole article's words
    bags = [content_words(p) for p in paragraphs]
    cut = len(paragraphs)
    for i in range(len(paragraphs) - 1, 0, -1):
        if i < len(paragraphs) * 2 // 3 or len(bags[i]) < min_words:
            break
        topic: set[str] = set().union(*bags[:max(i - 1, 1)])
        if len(topic) < 40:  # too little article before it to know the article's topic
            break
        if len(bags[i] & topic) / len(bags[i]) > max_shared:
            break
        cut = i
    return len(paragraphs) - cut
