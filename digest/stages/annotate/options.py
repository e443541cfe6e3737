"""AnnotateOptions: the config's annotation section, prepared once for every article."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

from digest.config import Annotation
from digest.stages.annotate.words import PLACE_ALIASES, PLACES

KINDS = ("person", "organisation", "place", "system", "other")


@dataclass(frozen=True)
class AnnotateOptions:
    """Lookups built from config.yaml's `annotation:` section; all keys lowercased."""

    enabled: bool = True
    aliases: dict[str, str] = field(default_factory=lambda: dict(PLACE_ALIASES))  # spelling: canonical name
    kinds: dict[str, str] = field(default_factory=dict)  # name: kind, from the gazetteer of config.yaml
    glossary: dict[str, str] = field(default_factory=dict)  # ACRONYM (as written): expansion
    ignore: frozenset[str] = frozenset()
    # what a capitalised phrase was found to name, by phrase: the same phrases recur in every article
    # of a story, and reading them once makes annotate several times faster. Never changes a result:
    # each reading is kept with what it asked of its article's words (digest.stages.annotate.entities).
    memo: dict[tuple[str, bool, bool], list[tuple[tuple[tuple[str, bool], ...], tuple[tuple[str, bool], ...],
                                                  tuple[tuple[str, str | None, bool], ...]]]] = field(
        default_factory=dict, compare=False, repr=False)

    def kind_of(self, name: str) -> str | None:
        """The kind config.yaml or the built-in places give name, if any."""
        lowered = name.lower()
        if lowered in self.kinds:
            return self.kinds[lowered]
        return "place" if lowered in PLACES else None

    def canonical(self, name: str) -> str:
        """The name config.yaml (or the built-in place aliases) says name is a spelling of; else name."""
        return self.aliases.get(name.lower(), name)

    def __reduce__(self) -> tuple[Callable[..., AnnotateOptions], tuple[object, ...]]:
        # A process pool sends the options with every batch of articles. Unpickled one by one, each batch
        # would start an empty memo: equal options are one instance in a process, and keep one memo.
        return _options_in_this_process, (self.enabled, tuple(self.aliases.items()), tuple(self.kinds.items()),
                                          tuple(self.glossary.items()), self.ignore)


@lru_cache(maxsize=8)
def _options_in_this_process(enabled: bool, aliases: tuple[tuple[str, str], ...], kinds: tuple[tuple[str, str], ...],
                             glossary: tuple[tuple[str, str], ...], ignore: frozenset[str]) -> AnnotateOptions:
    return AnnotateOptions(enabled, dict(aliases), dict(kinds), dict(glossary), ignore)


def options_from(annotation: Annotation) -> AnnotateOptions:
    """AnnotateOptions from config.yaml's annotation section (kinds outside KINDS read as 'other')."""
    aliases = dict(PLACE_ALIASES)
    for canonical, variants in sorted(annotation.aliases.items()):
        aliases[canonical.lower()] = canonical
        for variant in variants:
            aliases[variant.lower()] = canonical
    kinds = {name.lower(): (kind if kind in KINDS else "other") for name, kind in sorted(annotation.gazetteer.items())}
    return AnnotateOptions(
        enabled=annotation.enabled, aliases=aliases, kinds=kinds, glossary=dict(sorted(annotation.glossary.items())),
        ignore=frozenset(phrase.lower() for phrase in annotation.ignore),
    )
