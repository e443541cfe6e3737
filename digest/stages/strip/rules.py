"""Line rules: what a single line of a page says about itself (a comment form, a share bar, a promo ...).

Each rule is named; the name is what `digest strip --explain` and the page's `removed:` list show.
The rules match the *shape* of site furniture — short lines made of a few well-known words —
never the sentences of particular articles, and a long line of prose is never removed by a word
it happens to contain.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

WORD = re.compile(r"\w+")

# A line longer than this is prose, whatever words it contains.
SHORT_LINE_WORDS = 14


def _any(*patterns: str) -> tuple[str, ...]:
    return patterns


# "Read More: <title>" and its kin: the title goes to see_also, the line leaves the body.
PROMO = re.compile(
    r"^\W*(?:read\s+(?:more|also|next|this)|also\s+read|see\s+also|related(?:\s+(?:story|article|news|post|link|reading))?"
    r"|more\s+on\s+this(?:\s+story)?|must\s+read|don'?t\s+miss|recommended|suggested|watch|listen|click\s+here)"
    r"\s*(?::|\||»|›|>|–|—|-{1,2})\s*(?P<title>\S.{3,250})$",
    re.IGNORECASE,
)

# "Jane Doe contributed reporting.": a credit line, which may run long.
CREDITS = re.compile(r"\bcontributed\s+(?:reporting|to\s+this\s+(?:report|story|article))\b", re.IGNORECASE)
# Pitches that run longer than a menu item but are no more article: newsletter sign-ups, "follow our coverage".
PITCH = re.compile(
    r"\b(?:sign(?:ing)?\s*up|subscrib\w*|register)\b.{0,120}\b(?:newsletters?|inbox|e-?mail)\b"
    r"|\b(?:newsletters?|inbox)\b.{0,120}\b(?:sign(?:ing)?\s*up|subscrib\w*)\b"
    r"|^\W*follow\s+(?:@\w+|us|\w+(?:'s)?\s+(?:full\s+)?coverage)\b"
    r"|^\W*start\s+your\s+day\s+with\b"
    r"|\bLd-Writethru\b",
    re.IGNORECASE)
# A cheap first test for PITCH, on the lower-cased line: one of the words it needs.
_PITCH_WORDS = ("sign", "subscri", "regist", "newsletter", "inbox", "follow", "start", "writethru")
# Words of account and newsletter furniture: enough on their own only in a very short line ("Sign in",
# "Newsletters", "Subscribe now"), since an article may say "the newsletter was published on Monday".
# Matched against the lower-cased line: much faster than re.IGNORECASE, which defeats the regex engine's first-letter scan.
BARE_ACCOUNT_WORDS = re.compile(r"\b(?:subscribe|subscription|newsletters?|sign(?:ing|ed)?\s*(?:up|in)|inbox|log\s*(?:in|out))\b")
# ... or in a line that speaks to the reader ("Keep an eye on your inbox", "Please log in to comment").
ADDRESSES_READER = re.compile(r"\b(?:you|your|please|I\s+agree|opt-in|free|now|today)\b", re.IGNORECASE)
# A teaser's section tag: "Hong Kong protests escalate [VIDEO]".
TEASER_TAG = re.compile(r"\[(?:[A-Z]{3,}|[A-Z][a-z]+ [A-Z][a-z]+)\]\W*$")
# "SOURCE: Al Jazeera News": who published the article.
SOURCE_LINE = re.compile(r"^\W*sources?\s*:\s*(?P<source>[^:]{2,60}?)\W*$", re.IGNORECASE)

# Whole-line furniture, by rule name. Tested against short lines only (see SHORT_LINE_WORDS).
SHORT_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("print-share", _any(
        r"\bprint\s+friendly\b",
        r"^\W*(?:print|e-?mail|share|tweet|pin|save|copy\s+link|whatsapp|facebook|twitter|linkedin|reddit|telegram|"
        r"pinterest|flipboard|messenger|instagram|youtube|tiktok|sms|more|x)(?:\W+(?:print|e-?mail|share|tweet|pin|save|"
        r"copy\s+link|whatsapp|facebook|twitter|linkedin|reddit|telegram|pinterest|flipboard|messenger|instagram|youtube|"
        r"tiktok|sms|more|x|this|article|story|page|on|via|\d+))*\W*$",
        r"^\W*share\s+(?:this|on|via|the|article|story|post|page)\b",
        r"^\W*(?:click\s+to\s+)?share\s+on\b",
        r"^\W*[\d.,]+[km]?\s+shares?\W*$",
        r"^\W*(?:pdf\s*&\s*e-?mail|print\s+this\s+(?:article|page))\W*$",
    )),
    ("comment-prompt", _any(
        r"^\W*(?:leave|post|add|write|submit|join|start|view|show|hide|load)\s+(?:a|an|your|the|new|all|more)?\s*"
        r"(?:\d+\s+)?(?:comments?|reply|replies|responses?|discussion|conversation)\b",
        r"^\W*(?:\d+|no|one|two|three)\s+(?:comments?|replies|responses?|thoughts)(?:\s+(?:on|to)\s+[“\"‘'].*)?\W*$",
        r"^\W*comments?\s*(?:\(\d+\)|\d+)?\W*$",
        r"^\W*(?:please\s+)?(?:enter|type|write)\s+your\s+(?:comment|name|e-?mail|website|reply|message)",
        r"^\W*(?:your\s+)?(?:name|e-?mail|website|comment|message)\s*\*?\s*(?:\(required\))?\W*$",
        r"\byour\s+e-?mail\s+address\s+will\s+not\s+be\s+published",
        r"\brequired\s+fields\s+are\s+marked",
        r"\bno\s+comments?\s+(?:yet|available|so\s+far)",
        r"\bbe\s+the\s+first\s+to\s+(?:comment|reply|respond)",
        r"\bcomments?\s+(?:are|is)\s+(?:closed|disabled|moderated)",
        r"\bmust\s+be\s+logged\s+in\s+to\s+(?:post|leave|comment)",
        r"\blog\s*in\s+to\s+(?:comment|reply)",
        r"\bsave\s+my\s+name,?\s+e-?mail",
        r"\bnotify\s+me\s+of\s+(?:new|follow-?up)\s+(?:comments|posts)",
        r"^\W*(?:cancel\s+)?reply\W*$",
        r"\bcomment\s+box\b",
        r"^\W*(?:\w+\s+){0,2}comments?\W*(?:\d+\W*)?$",
        # the same headings in the other languages news sites are most often written in
        r"^\W*(?:kommentare?|commentaires?|comentarios?|commenti|comentários|komentar|коммента\w*|댓글|コメント|评论|評論)\b",
        r"^\W*(?:tinggalkan\s+balasan|deja\s+un\s+comentario|lascia\s+un\s+commento|laisser\s+un\s+commentaire"
        r"|schreibe\s+einen\s+kommentar|deixe\s+um\s+comentário|оставить\s+комментарий)",
        r"^\W*\(?view\s+all\)?\W*$",
    )),
    ("follow-subscribe", _any(
        r"^\W*(?:follow|like|join|find)\s+(?:us|me|@\w+)\b",
        r"\b(?:follow|like|join|find)\s+(?:\w+\s+){0,3}on\s+(?:twitter|facebook|instagram|linkedin|youtube|telegram|"
        r"whatsapp|tiktok|threads|bluesky|x)\b",
        r"\bclick\s+here\b",
        r"\bregister\s+(?:now|here|for\s+free)\b",
        r"\bdownload\s+(?:the|our)\s+(?:app|\w+\s+app)\b",
        r"\bin\s+your\s+inbox\b",
        r"\bget\s+(?:the\s+)?(?:latest|breaking)\s+(?:news|updates|headlines)\b",
    )),
    ("cookie-notice", _any(
        r"\b(?:use|uses|using|accept|consent|enable|manage|allow)\b.{0,40}\bcookies?\b",
        r"\bcookies?\b.{0,40}\b(?:policy|settings|preferences|consent|experience|notice)\b",
        r"\bprivacy\s+(?:policy|settings|notice|preferences)\b",
        r"\bterms\s+(?:of\s+(?:use|service)|and\s+conditions|&\s+conditions)\b",
        r"\b(?:accept|agree|consent|reject)\s+(?:all|&\s+close)?\b.*\b(?:cookies?|consent)\b",
    )),
    ("advertisement", _any(
        r"^\W*(?:advertisement|advertising|sponsored(?:\s+content)?|promoted|paid\s+content|ad|ads)\W*$",
        r"\b(?:story|article)\s+continues\s+(?:below|after)\b",
        r"^\W*scroll\s+(?:down\s+)?to\s+continue\b",
    )),
    ("copyright", _any(
        r"^\W*(?:©|\(c\)|copyright)\s",
        r"\ball\s+rights\s+reserved\b",
    )),
    ("related-heading", _any(
        r"^\W*(?:related|recommended|popular|trending|latest|more|top)\s*(?:articles?|stories|posts?|news|reads?|videos?|links?|"
        r"from\s+\w+(?:\s+\w+)?|on\s+\w+|for\s+you|now|this\s+week)?\W*$",
        r"^\W*(?:you\s+(?:may|might)\s+(?:also\s+)?(?:like|enjoy|be\s+interested\s+in)|most\s+(?:read|popular|viewed|shared)"
        r"|what\s+to\s+read\s+next|editor'?s\s+picks?|in\s+case\s+you\s+missed\s+it|more\s+stories|read\s+more|see\s+more"
        r"|load\s+more|show\s+more|don'?t\s+miss|see\s+more|next\s+(?:article|story|post)|previous\s+(?:article|story|post)|back\s+to\s+top)\W*$",
    )),
    ("navigation", _any(
        r"^\W*home\s*(?:»|›|>|/|\|)",
        r"^\W*(?:skip\s+to\s+(?:main\s+)?content|toggle\s+navigation|main\s+menu|menu|search|close|open\s+menu|submit|"
        r"video|videos|photos?|gallery|audio|continue\s+reading(?:\s+below)?|enlarge(?:\s+(?:image|photo))?)\W*$",
    )),
    ("image-credit", _any(
        r"^\W*(?:image|photo|picture|photograph|video|graphic|illustration)s?(?:\s+(?:credit|courtesy|source))?\s*:\s*\S",
        r"^\W*(?:above|below|top|pictured|left|right)\s*:\s*\S",
        r"^\W*(?:credit|courtesy|source)\s*:\s*(?:getty|reuters|ap|afp|shutterstock|istock|file|twitter|facebook|wikimedia)",
        r"\((?:photo|image|picture)\s*(?:credit)?\s*:?\s*[^)]*\)\s*$",
        r"\b(?:getty\s+images|shutterstock|istock(?:photo)?)\s*\W*$",
    )),
    ("contact", _any(
        r"^\W*[\w.+-]+@[\w-]+\.[\w.]+\W*$",
        r"^\W*(?:https?://)?(?:www\.)?(?:twitter|x|facebook|instagram|linkedin)\.com/\w+\W*$",
        r"^\W*@\w{2,30}\W*$",
    )),
    ("credits", (CREDITS.pattern,)),
    ("author-bio", _any(r"^\W*(?:about\s+the\s+authors?|über\s+(?:den|die)\s+autor(?:in)?|à\s+propos\s+de\s+l'auteur|"
                        r"sobre\s+(?:el|o)\s+autor|informazioni\s+sull'autore)\W*$")),
    ("tags-line", _any(r"^\W*(?:tags?|tagged(?:\s+with)?|topics?|filed\s+under|categories|category)\s*:")),
)

# All of them in two patterns, one group per rule: a single match and a single scan of each line.


def _combined(anchored: bool) -> re.Pattern[str]:
    """The rules' patterns that start at the line's start (tried once, with match), or the others (searched).

    One group per rule; written in lower case and matched against the lower-cased line, which is
    faster than re.IGNORECASE.
    """
    groups = []
    for name, patterns in SHORT_RULES:
        chosen = [p for p in patterns if p.startswith("^") == anchored]
        if chosen:
            groups.append(f"(?P<{name.replace('-', '_')}>" + "|".join(f"(?:{p})" for p in chosen) + ")")
    return re.compile("|".join(groups))


_ANCHORED_RULES = _combined(anchored=True)
_FLOATING_RULES = _combined(anchored=False)

# "Meg James is a corporate media reporter for ...": an author's biography under an article.
AUTHOR_BIO = re.compile(
    r"^(?:[A-Z][\w.'’-]+\s+){1,3}(?:\(@\w+\)\s+)?is\s+(?:a|an|the)\s+(?:[\w,-]+\s+){0,8}?"
    r"(?:reporter|writer|editor|correspondent|contributor|columnist|journalist|author|producer|critic|freelancer)\b")
# A caption that ends with its picture credit: "... in Littleton, Colo. (AP Photo/David Zalubowski)".
CAPTION_CREDIT = re.compile(r"(?:\((?:AP|AFP|Reuters|Getty|EPA|PA)\b[^)]*\)|\[(?:File|Photo|Image)\s*:[^\]]*\]|"
                            r"\((?:photo|image|picture)(?:\s+credit)?\s*:?[^)]*\)|\b(?:Getty\s+Images|Shutterstock|iStock)|"
                            r"\bPhoto(?:graph)?\s*:\s*[^.]{2,60})\s*$")
# What every CAPTION_CREDIT needs: a cheap first test, since it is searched for at every position of a long line.
_CREDIT_MARKS = ("(", "[", "Getty", "Shutterstock", "iStock", "Photo")
# A wire-service caption: "In this Dec. 12, 2006, file photo, made available by NASA, ..."
WIRE_CAPTION = re.compile(r"^In\s+this\s+(?:[\w.,'’/-]+\s+){0,8}?(?:file\s+|handout\s+)?(?:photo|image|picture|photograph|video|"
                          r"frame\s+grab)\b")
# HTML that a page showed as text (an editor's leftovers, escaped tags).
MARKUP_DEBRIS = re.compile(r"&(?:amp;)?lt;/?[a-z]+|</?(?:span|div|p|a|img|br|script|iframe)\b[^>]*>", re.IGNORECASE)

# Embedded social posts, once copied as text.
SOCIAL_LINK = re.compile(r"\bpic\.twitter\.com/\w+|https?://t\.co/\w+", re.IGNORECASE)
POST_SIGNATURE = re.compile(
    r"^[—–-]{1,2}\s*(?P<name>[^()@\n]{1,80}?)\s*\((?P<handle>@\w{1,30})\)\s*(?P<date>[A-Z][a-z]+\.?\s+\d{1,2},\s+\d{4})?\s*$"
)
HANDLE = re.compile(r"(?<!\w)@\w{2,30}")

# "This article is written by X", "Written by X", "By X" at the edges of an article.
BYLINE = re.compile(
    r"^\W*(?:this\s+(?:article|story|piece|report|post)\s+(?:is|was|has\s+been)\s+(?:written|contributed|"
    r"authored|reported|prepared)\s+by|(?:written|reported|posted|published)\s+by|by)\s+(?P<who>[^.!?]{2,120}?)\W*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class LineRules:
    """The rules with a digest's own phrases (config.yaml cleaning.boilerplate) added."""

    site_phrases: tuple[str, ...] = ()

    def boilerplate(self, line: str) -> str | None:
        """The name of the rule that marks line as furniture, or None for a line that may be article text."""
        lowered = line.lower()
        for phrase in self.site_phrases:
            if phrase.lower() in lowered:
                return "site-phrase"
        if has_social_link(line) and word_count(SOCIAL_LINK.sub("", line)) <= 3:
            return "social-link"
        if ("<" in line or "&" in line) and MARKUP_DEBRIS.search(line):
            return "markup-debris"
        if line.startswith("|"):  # a table row: tables are article content
            return None
        words = word_count(line)
        if words <= 40 and any(word in lowered for word in _PITCH_WORDS) and PITCH.search(line):
            return "follow-subscribe"
        if words > SHORT_LINE_WORDS:
            if words <= 40 and CREDITS.search(line):
                return "credits"
            if words <= 60 and ((_may_end_with_credit(line) and CAPTION_CREDIT.search(line)) or WIRE_CAPTION.match(line)):
                return "image-credit"
            return None
        if ("[" in line and TEASER_TAG.search(line)) or (" | " in line and not line.rstrip().endswith((".", "!", "?"))):
            return "teaser"
        if _shouting(line):
            return "shouting"
        match = _ANCHORED_RULES.match(lowered) or _FLOATING_RULES.search(lowered)
        if match and match.lastgroup:
            return match.lastgroup.replace("_", "-")
        if BARE_ACCOUNT_WORDS.search(lowered) and (words <= 6 or ADDRESSES_READER.search(line)):
            return "follow-subscribe"
        return None


def _may_end_with_credit(line: str) -> bool:
    return any(mark in line for mark in _CREDIT_MARKS)


def has_social_link(line: str) -> bool:
    """True when line carries a post's picture link (pic.twitter.com/..., t.co/...)."""
    lowered = line.lower()  # a plain substring first: the pattern is searched only where it may match
    return ("twitter" in lowered or "t.co/" in lowered) and SOCIAL_LINK.search(line) is not None


def _shouting(line: str) -> bool:
    """A headline in capitals on its own line ("CLICK HERE TO GET THE APP"): a promo, not article text."""
    return line.isupper() and sum(c.isalpha() for c in line) >= 12 and word_count(line) >= 3


def promo_title(line: str) -> str | None:
    """The promoted title in a "Read More: <title>" line, or None."""
    match = PROMO.match(line)
    if match is None:
        return None
    title = match.group("title").strip()
    if word_count(title) > 30 or not re.search(r"\w", title):
        return None
    return title


# Chinese, Japanese and Korean run words together: count two characters as a word.
_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


@functools.lru_cache(maxsize=4096)  # a line's words are counted by several rules in turn
def word_count(text: str) -> int:
    """Words in text, for any script: spaced words, plus one per two CJK characters."""
    words = len(WORD.findall(text))
    return words + len(_CJK.findall(text)) // 2 if not text.isascii() else words
