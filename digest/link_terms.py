"""What the link stage compares: each article's named things and its content words.

Named things come from the annotate stage when it found any; until then (or for an article it
found nothing in) they are read from the text as capitalised terms: runs of capitalised words
("Sergei Lavrov", "Federal Service for Military-Technical Cooperation"), acronyms (CAATSA) and
designations (S-400, Su-30, COVID-19). Content words are the lowercase words that are not
stopwords, plurals folded. Everything here is per article; corpus-wide decisions (which
capitalised words are ordinary words, which spellings are one name) are made in vocabulary().
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from itertools import chain
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from digest.model import Annotations, Document
from digest.variants import alias_keys, merge_variants, term_key

# English function words and calendar words: never a named thing, never a content word.
STOPWORDS = frozenset("""
a about above according across after afterwards again against all almost alone along already also although
always am among amongst an and another any anyhow anyone anything anyway anywhere are around as at back be
became because become becomes been before beforehand behind being below beside besides between beyond both
but by can cannot could did do does doing done down due during each either else elsewhere enough etc even
ever every everyone everything everywhere except few for former formerly from further had has have having he
hence her here hereafter hers herself him himself his how however i if in indeed into is it its itself just
last later latter least less many may me meanwhile might mine more moreover most mostly much must my myself
namely neither never nevertheless next no nobody none noone nor not nothing now nowhere of off often on once
one only onto or other others otherwise our ours ourselves out over own per perhaps please quite rather
really same say said says several she should since so some somehow someone something sometime sometimes
somewhere still such than that the their theirs them themselves then thence there thereafter thereby
therefore therein thereupon these they this those though through throughout thru thus to together too
toward towards under until up upon us very via was we well were what whatever when whence whenever where
whereafter whereas whereby wherein whereupon wherever whether which while whither who whoever whole whom
whose why will with within without would yet you your yours yourself yourselves mr mrs ms dr new
monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow
january february march april june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec
read more also see related comment reply share click here subscribe advertisement
""".split())

_UPPER = "A-ZÀ-ÖØ-ÞĀ-Ž"
_LETTER = r"[^\W\d_]"
# A capitalised word: "Lavrov", "India-Russia", "O'Brien", "S-400", "Su-30MKI", "COVID-19", or an initial "S."
_CAP_WORD = rf"(?:[{_UPPER}]\.|[{_UPPER}][\w]*(?:[’'\-‐‑][\w]+)*)"
_CONNECTOR = r"(?:of|for|de|del|da|van|von|bin|al|la|le)"
_NAME_RUN = re.compile(rf"(?<![\w\-’']){_CAP_WORD}(?:(?:[ \t]+{_CONNECTOR})?[ \t]+{_CAP_WORD})*")
# "S 400" is S-400 (a single capital and a number: "US 10" and "May 6" are not designations)
_SPACED_DESIGNATION = re.compile(rf"(?<![\w\-])([{_UPPER}]) (\d{{2,4}})(?![\w\-])")
_PLURAL_DESIGNATION = re.compile(r"(\d[A-Z]*)s$")  # S400s -> S400
_WORD = re.compile(rf"{_LETTER}{{3,}}")
_URL = re.compile(r"https?://\S+|\]\([^)]*\)|\b[\w.-]+\.(?:com|org|net|in|co|uk)/\S*")
_POSSESSIVE = re.compile(r"[’']s$")


@dataclass(frozen=True)
class ArticleTerms:
    """One article's raw terms: named things by surface form, content words by folded key."""

    # Both in key order: ties between terms are broken by it, so it must be the same whether the
    # terms were just found or read back from the build cache (which writes keys sorted).
    names: dict[str, int]  # surface form -> mentions ("Sergei Lavrov": 2, "S-400": 5)
    words: dict[str, int]  # folded lowercase word -> occurrences
    last_words: frozenset[str] = frozenset()  # Titlecase last words of its names, lowercased ("putin")
    lowercase: frozenset[str] = frozenset()  # those of them it also writes in lowercase
    from_annotations: bool = False
    signature: bytes = b""  # MinHash of its 5-word shingles (shingle_signature); b"" when too short


def article_terms(doc: Document, annotations: Annotations | None = None) -> ArticleTerms:
    """The named things and content words of doc (named things from annotations when it has any)."""
    body = _URL.sub(" ", doc.body)
    sequence = _WORD.findall(body)
    tokens = Counter(sequence)
    tokens.update(_WORD.findall(doc.title))
    words = _content_words(tokens)
    signature = shingle_signature(sequence)
    if annotations is not None and annotations.entities:
        names: Counter[str] = Counter()
        for entity in annotations.entities:
            names[entity.name] += max(entity.count, 1)
        return ArticleTerms(dict(sorted(names.items())), words, from_annotations=True, signature=signature)
    found = _capitalised_terms(doc.title, body)
    last_words = frozenset(w.lower() for w in (n.rsplit(" ", 1)[-1] for n in found) if w.isalpha() and w[1:].islower())
    lowercase = frozenset(w for w in last_words if w in tokens)
    return ArticleTerms(dict(sorted(found.items())), words, last_words, lowercase, signature=signature)


_FOLDED: dict[str, str | None] = {}


def _fold(token: str) -> str | None:
    """A content word's key: lowercase, plural folded; None for a stopword."""
    lower = token.lower()
    if lower in STOPWORDS:
        return None
    if len(lower) > 4 and lower.endswith("ies"):
        lower = lower[:-3] + "y"
    elif len(lower) > 4 and lower.endswith("s") and not lower.endswith(("ss", "us", "is")):
        lower = lower[:-1]
    return lower


def _content_words(tokens: Counter[str]) -> dict[str, int]:
    words: dict[str, int] = {}
    for token, n in tokens.items():
        key = _FOLDED.get(token, "")
        if key == "":
            key = _FOLDED[token] = _fold(token)
        if key is not None:
            words[key] = words.get(key, 0) + n
    return dict(sorted(words.items()))


_TRIMMED: dict[str, str | None] = {}


def _capitalised_terms(title: str, body: str) -> dict[str, int]:
    runs: Counter[str] = Counter()
    lines = [title, *body.split("\n")]
    text = "\n".join(line for line in lines if not _is_headline(line))
    runs.update(_NAME_RUN.findall(_SPACED_DESIGNATION.sub(r"\1-\2", text)))
    names: dict[str, int] = {}
    for run, n in runs.items():
        name = _TRIMMED.get(run, "")
        if name == "":
            name = _TRIMMED[run] = _trim_run(run)
        if name:
            names[name] = names.get(name, 0) + n
    return names


def _is_headline(line: str) -> bool:
    """Title Case Headlines Capitalise Every Word: there are no names to read in them."""
    if len(line) > 200 or line.count(" ") < 3:
        return False
    words = line.split()
    return all(w[:1].isupper() or w.lower() in STOPWORDS for w in words) and sum(1 for w in words if w[:1].isupper()) >= 3


def _trim_run(run: str) -> str | None:
    """A run of capitalised words without leading function words and initials, or None if nothing is left.

    A possessive ends the name: "Russia's Rosoboronexport" is Rosoboronexport.
    """
    words = run.split()
    for i, word in enumerate(words[:-1]):
        if _POSSESSIVE.search(word):
            words = words[i + 1:]
            break
    words = [_PLURAL_DESIGNATION.sub(r"\1", _POSSESSIVE.sub("", w)) for w in words]
    while words and (words[0].lower().rstrip(".") in STOPWORDS or words[0].endswith(".")):
        words.pop(0)
    while words and (words[-1].lower() in STOPWORDS or words[-1].endswith(".") or len(words[-1]) == 1):
        words.pop()
    if not words:
        return None
    name = " ".join(words)
    if len(words) == 1 and len(name) < 3 and not name.isupper():
        return None
    return name


# --- near-duplicate signatures ------------------------------------------------------------------

SHINGLE = 5  # words per shingle
SIGNATURE_SIZE = 32  # MinHash values per article: the Jaccard estimate is good to about +-0.09
_SEEDS = np.random.default_rng(2021_12_06)  # fixed: signatures compare across runs and machines
_MULTIPLIERS = _SEEDS.integers(1, 2**63, SIGNATURE_SIZE, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_OFFSETS = _SEEDS.integers(0, 2**63, SIGNATURE_SIZE, dtype=np.uint64)


def shingle_signature(words: Sequence[str]) -> bytes:
    """MinHash signature of the text's 5-word shingles: the share of equal values between two
    signatures estimates the Jaccard similarity of their shingle sets (Broder, 1997)."""
    if len(words) < SHINGLE:
        return b""
    # Each word's characters as a row of code points, mixed by a polynomial: word hashes without a Python loop.
    # (a fixed width of 24 characters: a 100,000-letter "word" in scraped text must not cost memory)
    codes = np.array(words, dtype="<U24").view(np.uint32).reshape(len(words), -1).astype(np.uint64)
    ids = (codes * _powers(codes.shape[1])).sum(axis=1)
    count = len(ids) - SHINGLE + 1
    shingles = np.zeros(count, dtype=np.uint64)
    for k in range(SHINGLE):  # a polynomial hash; uint64 arithmetic wraps, which is the point
        shingles = shingles * np.uint64(1_000_003) + ids[k:k + count]
    shingles = np.unique(shingles)
    signature = (shingles[None, :] * _MULTIPLIERS[:, None] + _OFFSETS[:, None]).min(axis=1)
    return bytes(signature.astype("<u8").tobytes())


def _powers(width: int) -> NDArray[np.uint64]:
    """31^0 .. 31^(width-1) in wrapping uint64 arithmetic."""
    powers: NDArray[np.uint64] = np.concatenate([np.ones(1, dtype=np.uint64),
                                                 np.cumprod(np.full(width - 1, 31, dtype=np.uint64), dtype=np.uint64)])
    return powers


# --- the corpus vocabulary ---------------------------------------------------------------------

@dataclass(frozen=True)
class Vocabulary:
    """Corpus-wide decisions about names: surface form -> canonical key, canonical key -> display name."""

    canonical: dict[str, str]  # surface form -> canonical key (forms that are not names are absent)
    display: dict[str, str]  # canonical key -> the name shown in reasons and story titles


def vocabulary(terms: Sequence[ArticleTerms], aliases: Mapping[str, Iterable[str]] = {}) -> Vocabulary:
    """Merge the spellings of each name across the corpus and drop capitalised ordinary words.

    - aliases from config map variants to their canonical name first;
    - a Titlecase word that the articles using it also write in lowercase about as often is an
      ordinary word ("Reactor" in "Milan Reactor", "Bill", "However"): alone it is no name,
      and a name ending in it stays whole;
    - otherwise a run of words whose last word is a name on its own is that name
      ("Russian President Vladimir Putin" -> Putin, "Foreign Minister S. Jayashankar" -> Jayashankar);
    - spelling variants merge (digest.variants.merge_variants).
    """
    table = alias_keys(aliases)
    # Counted over flat iterators (C loops): articles per spelling, per last word, per lowercase use.
    spelling_df = Counter(chain.from_iterable(t.names for t in terms))
    capital_df = Counter(chain.from_iterable(t.last_words for t in terms))
    lowercase_df = Counter(chain.from_iterable(t.lowercase for t in terms))
    surface_key: dict[str, str] = {}
    mentions: Counter[str] = Counter()  # key -> articles using any of its spellings
    heads: dict[str, str] = {}  # key of a multi-word name -> key of its last word
    for surface, n in spelling_df.items():
        key = surface_key[surface] = term_key(surface)
        mentions[key] += n
        if " " in surface:
            heads[key] = term_key(surface.rsplit(" ", 1)[1])
    ordinary = {k for k, n in capital_df.items() if 2 * lowercase_df[k] >= n and k not in table}
    single_keys = {key for surface, key in surface_key.items() if " " not in surface}
    candidates = Counter({k: mentions[k] for k in single_keys})
    for head in heads.values():
        candidates.setdefault(head, 0)
    merged = merge_variants(candidates)

    def resolve(key: str) -> str:
        return table[key][0] if key in table else merged.get(key, key)

    standalone = {resolve(k) for k in single_keys - ordinary}
    canonical: dict[str, str] = {}
    for surface, key in surface_key.items():
        if not key or key in ordinary and " " not in surface:
            continue
        if key in heads and key not in table and heads[key] not in ordinary and resolve(heads[key]) in standalone:
            key = heads[key]
        canonical[surface] = resolve(key)
    display = _display_names(spelling_df, canonical, table)
    return Vocabulary(canonical, display)


def _display_names(spelling_df: Mapping[str, int], canonical: Mapping[str, str],
                   table: Mapping[str, tuple[str, str]]) -> dict[str, str]:
    """The spelling most articles use of each name, among those spelt like the name itself (a configured alias wins)."""
    spelled: Counter[tuple[str, str]] = Counter()
    for surface, n in spelling_df.items():
        key = canonical.get(surface)
        if key is not None:
            exact = term_key(surface) == key
            spelled[(key, surface)] += n * (1000 if exact else 1)
    best: dict[str, tuple[int, str]] = {}
    for (key, surface), n in spelled.items():
        current = best.get(key)
        if current is None or (n, _hyphenated(surface), surface) > (current[0], _hyphenated(current[1]), current[1]):
            best[key] = (n, surface)
    names = {key: surface for key, (_, surface) in best.items()}
    for key, name in table.values():
        if key in names:
            names[key] = name
    return names


def _hyphenated(surface: str) -> bool:
    return "-" in surface
