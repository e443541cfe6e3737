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
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from itertools import chain
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from digest.model import Annotations, Document
from digest.variants import alias_keys, merge_variants, mergeable, skeleton, term_key

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
    names = NameCounts(aliases)
    names.count(terms, 1)
    names.decide()
    return Vocabulary(dict(sorted(names.canonical.items())), dict(sorted(names.display.items())))


@dataclass(frozen=True)
class NameChanges:
    """What one decide() changed."""

    spellings: dict[str, str | None]  # surface forms whose canonical key changed, came or went: the key before
    shown: set[str]  # canonical keys whose display name changed, came or went


class NameCounts:
    """The counts vocabulary() decides from, kept up to date as articles come, change and go, and the
    decisions, re-derived only where changed counts reach.

    A spelling's canonical key reads: the spellings of its key (is there a multi-word one, and with
    which last word: its head), whether its key and head are ordinary words, the spelling-variant
    group of its key and head (keys of one skeleton, with the articles mentioning each), and whether
    its head's canonical key is a name on its own. decide() follows a change of counts through these
    to the spellings that read it; the whole vocabulary is the same code with every count changed.
    """

    def __init__(self, aliases: Mapping[str, Iterable[str]] = {}) -> None:
        self.table = alias_keys(aliases)
        self.table_names = {key: name for key, name in self.table.values()}  # an alias's canonical key -> its name
        self.variants_of: dict[str, set[str]] = defaultdict(set)  # an alias's canonical key -> its variants' keys
        for variant, (key, _) in self.table.items():
            self.variants_of[key].add(variant)
        # articles per spelling, per Titlecase last word, per last word also written in lowercase
        self.spelling_df: Counter[str] = Counter()
        self.capital_df: Counter[str] = Counter()
        self.lowercase_df: Counter[str] = Counter()
        self._new_spellings: set[str] = set()  # counted since the last decide()
        self._new_words: set[str] = set()
        self._keys: dict[str, str] = {}  # spelling -> term_key(spelling), as it is asked for again and again
        # the decisions and what finds them again
        self.spellings_of: dict[str, set[str]] = {}  # key -> its spellings
        self.heads: dict[str, str] = {}  # key with a multi-word spelling -> key of its last word
        self.keys_of_head: dict[str, set[str]] = defaultdict(set)
        self.candidates: dict[str, int] = {}  # keys variants may merge into, with the articles mentioning each
        self.by_skeleton: dict[str, set[str]] = defaultdict(set)  # of the candidates merge_variants looks at
        self.merged_by_skeleton: dict[str, dict[str, str]] = {}
        self.merged: dict[str, str] = {}  # variant key -> key it merged into
        self.merged_into: dict[str, set[str]] = defaultdict(set)
        self.ordinary: set[str] = set()
        self.standalone: set[str] = set()  # canonical keys that are a name on their own
        self.canonical: dict[str, str] = {}  # spelling -> canonical key
        self.spellings_named: dict[str, set[str]] = defaultdict(set)  # canonical key -> its spellings
        self.display: dict[str, str] = {}

    def count(self, terms: Iterable[ArticleTerms], sign: int = 1) -> None:
        """Count the articles' spellings and words in (sign 1) or out (-1); decide() follows the change."""
        self.change(terms, ()) if sign < 0 else self.change((), terms)

    def change(self, gone: Iterable[ArticleTerms], come: Iterable[ArticleTerms]) -> None:
        """Count articles out (gone: as they were) and in (come); only counts that end up different are
        followed by decide() (an edited article names mostly what it named before)."""
        gone, come = list(gone), list(come)
        for counts, field, new in ((self.spelling_df, "names", self._new_spellings),
                                   (self.capital_df, "last_words", self._new_words),
                                   (self.lowercase_df, "lowercase", self._new_words)):
            delta = Counter(chain.from_iterable(getattr(t, field) for t in come))
            if gone:
                delta.subtract(chain.from_iterable(getattr(t, field) for t in gone))
            if counts:
                for key, n in delta.items():
                    if n:
                        counts[key] += n
                        if counts[key] <= 0:
                            del counts[key]
                        new.add(key)
            else:  # the whole corpus at once
                counts.update(delta)
                new.update(delta)

    def decide(self) -> NameChanges:
        """Bring the decisions up to date with the counts; what changed."""
        spellings, words = self._new_spellings, self._new_words
        self._new_spellings, self._new_words = set(), set()
        for s in spellings:
            if s not in self._keys:
                self._keys[s] = term_key(s)
        keys = {self._keys[s] for s in spellings}
        for s in spellings:
            key = self._keys[s]
            if s in self.spelling_df:
                self.spellings_of.setdefault(key, set()).add(s)
            elif key in self.spellings_of:
                self.spellings_of[key].discard(s)
                if not self.spellings_of[key]:
                    del self.spellings_of[key]
        touched = set(keys)  # keys whose own standing may have changed
        candidate_keys = set(keys)
        for key in keys:
            head, old = self._head_of(key), self.heads.get(key)
            if head == old:
                continue
            if old is not None:
                self.keys_of_head[old].discard(key)
                candidate_keys.add(old)
            if head is None:
                del self.heads[key]
            else:
                self.heads[key] = head
                self.keys_of_head[head].add(key)
                candidate_keys.add(head)
        skeletons = set()
        for key in candidate_keys:
            count = self._candidate_count(key)
            if count == self.candidates.get(key):
                continue
            if count is None:
                del self.candidates[key]
            else:
                self.candidates[key] = count
            if mergeable(key):
                group = self.by_skeleton[skeleton(key)]
                group.add(key) if count is not None else group.discard(key)
                skeletons.add(skeleton(key))
        resolved_before: dict[str, str] = {}
        for group_key in skeletons:
            members = self.by_skeleton.get(group_key, set())
            merged = merge_variants({k: self.candidates[k] for k in members}) if len(members) > 1 else {}
            before = self.merged_by_skeleton.pop(group_key, {})
            if merged:
                self.merged_by_skeleton[group_key] = merged
            for key in before.keys() | merged.keys():
                if before.get(key) == merged.get(key):
                    continue
                resolved_before[key] = self._resolve(key)
                if key in before:
                    self.merged_into[before[key]].discard(key)
                    del self.merged[key]
                if key in merged:
                    self.merged[key] = merged[key]
                    self.merged_into[merged[key]].add(key)
                touched.add(key)
        for word in words:
            n = self.capital_df.get(word, 0)
            ordinary = n > 0 and 2 * self.lowercase_df.get(word, 0) >= n and word not in self.table
            if ordinary != (word in self.ordinary):
                self.ordinary.symmetric_difference_update({word})
                touched.add(word)
        standalone_changed = set()
        for name in {self._resolve(k) for k in touched} | set(resolved_before.values()):
            now = any(self._single(k) and k not in self.ordinary and self._resolve(k) == name
                      for k in self._resolving_to(name))
            if now != (name in self.standalone):
                self.standalone.symmetric_difference_update({name})
                standalone_changed.add(name)
        redo = set(touched)
        for key in touched:
            redo |= self.keys_of_head.get(key, set())
        for name in standalone_changed:
            for head in self._resolving_to(name):
                redo |= self.keys_of_head.get(head, set())
        changed: dict[str, str | None] = {}
        shown_keys: set[str] = set()
        for s in chain(spellings, (s for key in redo for s in self.spellings_of.get(key, ()))):
            named = self._canonical_of(s) if s in self.spelling_df else None
            old = self.canonical.get(s)
            if old is not None:
                shown_keys.add(old)  # its count may have changed, if not its key
            if named == old:
                continue
            changed.setdefault(s, old)
            if old is not None:
                self.spellings_named[old].discard(s)
                del self.canonical[s]
            if named is not None:
                self.canonical[s] = named
                self.spellings_named[named].add(s)
                shown_keys.add(named)
        for s in spellings:  # gone for good
            if s not in self.spelling_df:
                self._keys.pop(s, None)
        shown = set()
        for key in shown_keys:
            display = self._display_of(key)
            if display == self.display.get(key):
                continue
            shown.add(key)
            if display is None:
                del self.display[key]
            else:
                self.display[key] = display
        return NameChanges(changed, shown)

    def _head_of(self, key: str) -> str | None:
        multi = [s for s in self.spellings_of.get(key, ()) if " " in s]
        return term_key(min(multi).rsplit(" ", 1)[1]) if multi else None  # ties: the first spelling

    def _single(self, key: str) -> bool:
        return any(" " not in s for s in self.spellings_of.get(key, ()))

    def _candidate_count(self, key: str) -> int | None:
        if self._single(key):
            return sum(self.spelling_df[s] for s in self.spellings_of[key])
        return 0 if self.keys_of_head.get(key) else None

    def _resolve(self, key: str) -> str:
        return self.table[key][0] if key in self.table else self.merged.get(key, key)

    def _resolving_to(self, name: str) -> set[str]:
        """Keys that may resolve to name (a superset)."""
        return {name} | self.merged_into.get(name, set()) | self.variants_of.get(name, set())

    def _canonical_of(self, spelling: str) -> str | None:
        key = self._keys[spelling]
        if not key or key in self.ordinary and " " not in spelling:
            return None
        head = self.heads.get(key)
        if (head is not None and key not in self.table and head not in self.ordinary
                and self._resolve(head) in self.standalone):
            key = head
        return self._resolve(key)

    def _display_of(self, name: str) -> str | None:
        """The spelling most articles use, among those spelt like the name itself (a configured alias wins)."""
        spellings = self.spellings_named.get(name)
        if not spellings:
            return None
        if name in self.table_names:
            return self.table_names[name]
        return max(spellings, key=lambda s: (self.spelling_df[s] * (1000 if self._keys[s] == name else 1), "-" in s, s))

