"""The content-hash cache: hits across runs, misses on any change, and never a crash on a damaged cache."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path
from typing import Any

import jinja2
import pytest
from hypothesis import given
from hypothesis import strategies as st

from digest import cache as cache_module
from digest.build import BuildOptions, build_site
from digest.cache import FORMAT, Cache, CacheMemory, config_part, decode, encode
from digest.config import Cleaning, load_config
from digest.errors import Diagnostic, warning
from digest.frontmatter import Page, parse_page
from digest.interning import ByIdentity
from digest.model import RemovedLine, StrippedArticle
from digest.link_terms import ArticleTerms
from digest.pages import ParsedPage
from digest.parallel import Executor


class Counter:
    """A compute function that counts its calls, so a test can tell a hit from a miss."""

    def __init__(self, value: object = "computed"):
        self.calls = 0
        self.value = value

    def __call__(self) -> Any:
        self.calls += 1
        return self.value


def one_run(folder: Path, stage: str, parts: tuple[str, ...], compute: Counter, result_type: Any = str) -> Any:
    """One build's use of the cache: a fresh Cache on folder, one lookup, then saved as a build does."""
    cache = Cache(folder)
    value = cache.cached(stage, parts, compute, result_type)
    cache.save()
    return value


def packs(folder: Path, stage: str) -> list[Path]:
    return sorted((folder / f"v{cache_module.FORMAT}" / stage).glob("*.pack"))


def test_a_second_run_reads_the_value_instead_of_computing_it(tmp_path: Path) -> None:
    compute = Counter("<p>hello</p>\n")
    assert one_run(tmp_path, "markdown", ("hello",), compute) == "<p>hello</p>\n"
    assert one_run(tmp_path, "markdown", ("hello",), compute) == "<p>hello</p>\n"
    assert compute.calls == 1


@pytest.mark.parametrize("stage, parts", [("markdown", ("hello!",)), ("strip", ("hello",)), ("markdown", ("hel", "lo"))],
                         ids=["other input", "other stage", "same bytes split differently"])
def test_any_change_of_stage_or_input_is_a_miss(tmp_path: Path, stage: str, parts: tuple[str, ...]) -> None:
    compute = Counter()
    one_run(tmp_path, "markdown", ("hello",), compute)
    one_run(tmp_path, stage, parts, compute)
    assert compute.calls == 2


def test_a_change_of_digest_code_is_a_miss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    compute = Counter()
    one_run(tmp_path, "markdown", ("hello",), compute)
    monkeypatch.setattr(cache_module, "code_fingerprint", lambda: "another version of digest")
    one_run(tmp_path, "markdown", ("hello",), compute)
    assert compute.calls == 2


def test_config_part_changes_with_the_section() -> None:
    assert config_part(Cleaning()) == config_part(Cleaning())
    assert config_part(Cleaning()) != config_part(Cleaning(boilerplate=("Subscribe",)))


ARTICLE = StrippedArticle(
    source_path="content/sources/a.txt", title="India's S-400", body="Body *text*.\n\n\u2028 a line separator, \u202e and 😀",
    date="2021-04-06", tags=("defence", "russia"), removed=(RemovedLine("Subscribe now", "newsletter"),),
    diagnostics=(warning("content/sources/a.txt", "no date found", 3, "add one"),))


def test_stage_results_survive_a_round_trip_through_disk(tmp_path: Path) -> None:
    terms = ArticleTerms({"S-400": 2}, {"missile": 3}, frozenset({"putin", "lavrov"}), frozenset(), False, b"\x00\xffsig")
    page, problems = parse_page("---\ntitle: T\ndate: 2021-04-06\ntags: defence\ntitel: typo\n"
                                "theme_colour:\n  - red\n  - blue\nlayout: wide\n---\n\nBody.\n", "content/articles/t.md")
    assert problems and page is not None and page.extra
    for value, result_type in [(ARTICLE, StrippedArticle), ((page, problems), ParsedPage), ((None, problems), ParsedPage),
                               (terms, ArticleTerms)]:
        one_run(tmp_path, "roundtrip", (repr(value),), Counter(value), result_type)
        compute = Counter()
        assert one_run(tmp_path, "roundtrip", (repr(value),), compute, result_type) == value
        assert compute.calls == 0


@pytest.mark.parametrize("value, result_type", [
    ({"title": "no body"}, StrippedArticle),
    (["a", "b"], tuple[str, int]),
    ("warning?", Diagnostic),
    ({"path": "p", "message": "m", "line": None, "column": None, "hint": None, "severity": "fatal"}, Diagnostic),
    (1.5, int),
    (True, int),
    (["a", 1], tuple[str, ...]),
    ({"a": True}, dict[str, int]),
    ({"a": 1}, frozenset[str]),
], ids=["missing field", "wrong item type", "text for a dataclass", "unknown enum value", "float for int", "bool for int",
        "number among text", "bool among numbers", "object for a set"])
def test_a_value_of_another_shape_does_not_decode(value: object, result_type: Any) -> None:
    with pytest.raises(cache_module.Undecodable):
        decode(json.dumps(value).encode(), result_type)


def test_an_entry_of_another_shape_is_recomputed(tmp_path: Path) -> None:
    one_run(tmp_path, "strip", ("a",), Counter(["not", "an", "article"]), list[str])
    compute = Counter(ARTICLE)
    assert one_run(tmp_path, "strip", ("a",), compute, StrippedArticle) == ARTICLE
    assert compute.calls == 1


@pytest.mark.parametrize("damage", [
    lambda data: data[: len(data) // 2],
    lambda data: data[:-3] + b"X" + data[-2:],
    lambda data: data.replace(f"digest-cache {FORMAT} ".encode(), b"digest-cache 99 ", 1),
    lambda data: b"",
    lambda data: b"\x80\x81 not even text",
], ids=["truncated", "one byte changed", "another cache format", "empty", "garbage"])
def test_a_damaged_pack_is_discarded_and_recomputed(tmp_path: Path, damage: Any) -> None:
    one_run(tmp_path, "markdown", ("hello",), Counter("<p>hello</p>"))
    [pack] = packs(tmp_path, "markdown")
    pack.write_bytes(damage(pack.read_bytes()))
    compute = Counter("<p>hello</p>")
    assert one_run(tmp_path, "markdown", ("hello",), compute) == "<p>hello</p>"
    assert compute.calls == 1
    assert not pack.exists(), "the damaged pack is deleted"
    assert one_run(tmp_path, "markdown", ("hello",), compute) == "<p>hello</p>" and compute.calls == 1


@pytest.mark.parametrize("blocker", [".digest-cache", f".digest-cache/v{FORMAT}", f".digest-cache/v{FORMAT}/markdown"])
def test_a_file_where_the_cache_folder_should_be_only_disables_the_cache(tmp_path: Path, blocker: str) -> None:
    (tmp_path / blocker).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / blocker).write_text("not a folder")
    compute = Counter()
    for _ in range(2):
        assert one_run(tmp_path / ".digest-cache", "markdown", ("hello",), compute) == "computed"
    assert compute.calls == 2
    assert (tmp_path / blocker).read_text() == "not a folder"


def test_the_cache_folder_tells_git_to_ignore_it(tmp_path: Path) -> None:
    one_run(tmp_path / ".digest-cache", "markdown", ("hello",), Counter())
    assert (tmp_path / ".digest-cache" / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (tmp_path / ".digest-cache" / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")


def test_packs_are_merged_and_unused_entries_dropped(tmp_path: Path) -> None:
    for n in range(cache_module._MAX_PACKS + 2):
        cache = Cache(tmp_path)
        assert cache.cached("markdown", ("kept",), Counter("kept")) == "kept"
        cache.cached("markdown", (f"edit {n}",), Counter(f"edit {n}"))
        cache.save()
        assert len(packs(tmp_path, "markdown")) <= cache_module._MAX_PACKS
    cache = Cache(tmp_path)
    compute = Counter("kept")
    cache.cached("markdown", ("kept",), compute)
    cache.save()
    assert compute.calls == 0
    [pack] = packs(tmp_path, "markdown")
    assert b"edit" not in pack.read_bytes(), "entries the last build did not use are dropped"
    compute = Counter("kept")
    assert Cache(tmp_path).cached("markdown", ("kept",), compute) == "kept" and compute.calls == 0, "and the used one kept"


def test_an_entry_read_from_a_pack_is_held_once_decoded_and_not_twice(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.cached("markdown", ("a",), Counter("A"))
    cache.cached("markdown", ("b",), Counter("B"))
    cache.save()
    warm = Cache(tmp_path)
    assert warm.cached("markdown", ("a",), Counter("A")) == "A"
    store = warm._stages["markdown"]
    assert store.loaded is not None and len(store.loaded) == 1, "the raw entry of a left when it was decoded"
    assert warm.cached("markdown", ("a",), Counter("A")) == "A", "a second lookup finds the decoded value"


def test_memory_answers_a_rebuild_without_reading_the_packs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    memory = CacheMemory()
    cache = Cache(tmp_path, memory)
    value = StrippedArticle("a.txt", "Title", "Body\n")
    assert cache.cached("strip", ("a",), Counter(value), StrippedArticle) == value
    cache.save()

    def no_reading(path: Path) -> Any:
        raise AssertionError(f"read {path}")

    monkeypatch.setattr(cache_module, "_read_pack", no_reading)
    compute = Counter(value)
    cache = Cache(tmp_path, memory)
    assert cache.cached("strip", ("a",), compute, StrippedArticle) is value  # the very object: nothing decoded
    cache.save()
    assert compute.calls == 0


def _a_build_in_memory(tmp_path: Path, memory: CacheMemory) -> None:
    """Builds that leave "kept" and "also kept" in memory and on disk, and an older entry ("on disk only") only on disk."""
    cache = Cache(tmp_path)
    for key in ("kept", "also kept", "on disk only"):
        cache.cached("markdown", (key,), Counter("old" if key == "on disk only" else key))
    cache.save()
    cache = Cache(tmp_path, memory)
    for key in ("kept", "also kept"):
        cache.cached("markdown", (key,), Counter())
    cache.save()


def test_an_edit_in_serve_is_known_to_be_missing_without_parsing_the_packs(tmp_path: Path, monkeypatch: Any) -> None:
    memory = CacheMemory()
    _a_build_in_memory(tmp_path, memory)
    monkeypatch.setattr(cache_module, "_read_pack", lambda path: pytest.fail(f"parsed {path}"))
    compute = Counter("new")
    cache = Cache(tmp_path, memory)
    assert cache.cached("markdown", ("kept",), Counter()) == "kept"
    assert cache.cached("markdown", ("an edited article",), compute) == "new" and compute.calls == 1


def test_an_entry_memory_lacks_is_still_found_in_the_packs(tmp_path: Path) -> None:
    memory = CacheMemory()
    _a_build_in_memory(tmp_path, memory)
    compute = Counter()
    assert Cache(tmp_path, memory).cached("markdown", ("on disk only",), compute) == "old" and compute.calls == 0


def test_a_pack_whose_key_list_is_damaged_is_parsed_and_discarded(tmp_path: Path) -> None:
    memory = CacheMemory()
    _a_build_in_memory(tmp_path, memory)
    for pack in packs(tmp_path, "markdown"):
        header, keys, entries = pack.read_bytes().split(b"\n", 2)
        pack.write_bytes(header + b"\n" + b"[" + keys[1:].replace(b",", b";", 1) + b"\n" + entries)
    compute = Counter()
    assert Cache(tmp_path, memory).cached("markdown", ("on disk only",), compute) == "computed"
    assert compute.calls == 1 and not packs(tmp_path, "markdown"), "the damaged packs are deleted"


def test_the_packs_of_an_earlier_cache_format_are_removed(tmp_path: Path) -> None:
    old = tmp_path / "v0" / "markdown"
    old.mkdir(parents=True)
    (old / "a.pack").write_text("digest-cache 0 ...")
    one_run(tmp_path, "markdown", ("hello",), Counter())
    assert not (tmp_path / "v0").exists() and packs(tmp_path, "markdown")


def test_piled_up_packs_are_merged_without_parsing_or_rewriting_the_biggest(tmp_path: Path, monkeypatch: Any) -> None:
    memory = CacheMemory()
    cache = Cache(tmp_path, memory)
    for n in range(100):  # the first build: every article
        cache.cached("markdown", (f"article {n}",), Counter(f"<p>{n}</p>"))
    cache.save()
    [first] = packs(tmp_path, "markdown")
    read = cache_module._read_pack
    monkeypatch.setattr(cache_module, "_read_pack", lambda pack: pytest.fail("parsed the first pack") if pack == first else read(pack))
    for edit in range(cache_module._MAX_PACKS + 1):  # saves of digest serve, each of one edited article
        cache = Cache(tmp_path, memory)
        for n in range(1, 100):
            cache.cached("markdown", (f"article {n}",), Counter())
        cache.cached("markdown", (f"article 0, edit {edit}",), Counter(f"<p>0, edit {edit}</p>"))
        cache.save()
        assert first.exists() and len(packs(tmp_path, "markdown")) <= cache_module._MAX_PACKS
    monkeypatch.undo()
    compute = Counter()
    cache = Cache(tmp_path)  # a new process finds the first build's articles and the last edit on disk
    assert cache.cached("markdown", ("article 7",), compute) == "<p>7</p>"
    assert cache.cached("markdown", (f"article 0, edit {cache_module._MAX_PACKS}",), compute) == f"<p>0, edit {cache_module._MAX_PACKS}</p>"
    assert compute.calls == 0


def test_memory_holds_the_last_build_only_and_the_disk_stays_complete(tmp_path: Path) -> None:
    memory = CacheMemory()
    for n in range(cache_module._MAX_PACKS + 2):  # packs pile up while memory answers: they are merged all the same
        cache = Cache(tmp_path, memory)
        assert cache.cached("markdown", ("kept",), Counter("kept")) == "kept"
        cache.cached("markdown", (f"edit {n}",), Counter(f"edit {n}"))
        cache.save()
        assert len(packs(tmp_path, "markdown")) <= cache_module._MAX_PACKS
        assert sorted(memory.stages["markdown"].values()) == ["edit " + str(n), "kept"]
    compute = Counter()
    cache = Cache(tmp_path)  # a new process: everything the last build used is on disk
    assert cache.cached("markdown", ("kept",), compute) == "kept"
    assert cache.cached("markdown", (f"edit {cache_module._MAX_PACKS + 1}",), compute) == f"edit {cache_module._MAX_PACKS + 1}"
    assert compute.calls == 0


def test_a_map_computes_only_what_is_missing_and_keeps_the_order(tmp_path: Path) -> None:
    computed: list[str] = []

    def serial(fn: Any, items: list[str]) -> list[str]:
        computed.extend(items)
        return [fn(item) for item in items]

    cache = Cache(tmp_path)
    assert cache.map("upper", ["b", "a"], lambda s: (s,), str.upper, str, serial) == ["B", "A"]
    cache.save()
    cache = Cache(tmp_path)
    assert cache.map("upper", ["c", "a", "b"], lambda s: (s,), str.upper, str, serial) == ["C", "A", "B"]
    assert computed == ["b", "a", "c"]
    assert cache.stats["upper"].hits == 2 and cache.stats["upper"].misses == 1


def _concurrent_build(folder: Path, worker: int) -> None:
    for round_ in range(5):
        cache = Cache(folder)
        for i in range(20):
            key = f"{(worker + i) % 30}"
            assert cache.cached("shared", (key,), lambda: f"value {key}") == f"value {key}"
        cache.save()


def test_concurrent_builds_share_the_cache_folder(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=_concurrent_build, args=(tmp_path, w)) for w in range(4)]
    for p in processes:
        p.start()
    for p in processes:
        p.join(60)
    assert [p.exitcode for p in processes] == [0, 0, 0, 0]
    cache = Cache(tmp_path)
    for i in range(30):
        assert cache.cached("shared", (f"{i}",), Counter(f"value {i}")) == f"value {i}"
    assert not list((tmp_path / f"v{FORMAT}" / "shared").glob(".*.tmp"))


def test_a_pack_written_an_entry_at_a_time_is_one_json_object_of_the_entries(tmp_path: Path) -> None:
    values = {"plain": "<p>hello</p>", "non-ascii": "Ракета С-400 \u202e", "lone surrogate": "a\ud800b",
              "nested": {"z": [1, 2.5, None], "a": {"y": True, "b": "c"}}}
    article = StrippedArticle("a.txt", "Title", "Body\n", tags=("x",))
    cache = Cache(tmp_path)
    for name, value in values.items():
        cache.cached("mixed", (name,), Counter(value), Any)
    cache.cached("mixed", ("article",), Counter(article), StrippedArticle)
    cache.save()
    [pack] = packs(tmp_path, "mixed")
    header, _, body = pack.read_bytes().partition(b"\n")
    assert header + b"\n" == cache_module._header(body)
    key_line, _, entries = body.partition(b"\n")
    key = {name: cache_module.key_of("mixed", (name,)) for name in (*values, "article")}
    assert json.loads(key_line) == sorted(key.values()), "every key is listed, sorted"
    expected = {key[name]: value for name, value in values.items() if name != "lone surrogate"}
    expected[key["article"]] = json.loads(encode(article))
    assert json.loads(entries) == expected, "text JSON cannot hold (a lone surrogate) is left out"
    compute = Counter("a\ud800b")
    cache = Cache(tmp_path)
    assert [cache.cached("mixed", (name,), compute, Any) for name in values] == list(values.values())
    assert compute.calls == 1, "only the value left out is computed again"
    assert cache.cached("mixed", ("article",), compute, StrippedArticle) == article and compute.calls == 1


def test_a_stage_saved_early_is_written_once_and_still_answers(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.cached("markdown", ("a",), Counter("<p>a</p>"))
    cache.save_stages("markdown")
    assert len(packs(tmp_path, "markdown")) == 1, "written at once"
    cache.cached("search", ("index",), Counter("bundle"))
    compute = Counter()
    assert cache.cached("markdown", ("a",), compute) == "<p>a</p>" and compute.calls == 0, "read back from its pack"
    cache.save()
    assert len(packs(tmp_path, "markdown")) == 1 and len(packs(tmp_path, "search")) == 1, "save writes what is left"
    cache = Cache(tmp_path)
    assert cache.cached("markdown", ("a",), compute) == "<p>a</p>" and cache.cached("search", ("index",), compute) == "bundle"
    assert compute.calls == 0


def test_a_stage_used_again_after_an_early_save_is_saved_again_whole(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    for n in range(3):
        cache.cached("markdown", (f"article {n}",), Counter(f"<p>{n}</p>"))
    cache.save_stages("markdown")
    cache.cached("markdown", ("article 0",), Counter())
    cache.cached("markdown", ("late",), Counter("<p>late</p>"))
    cache.save()
    compute = Counter()
    cache = Cache(tmp_path)
    assert [cache.cached("markdown", (key,), compute) for key in ("article 1", "late")] == ["<p>1</p>", "<p>late</p>"]
    assert compute.calls == 0


def test_memory_keeps_the_results_of_a_stage_saved_early(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    memory = CacheMemory()
    cache = Cache(tmp_path, memory)
    value = StrippedArticle("a.txt", "Title", "Body\n")
    cache.cached("strip", ("a",), Counter(value), StrippedArticle)
    cache.save_stages("strip")
    cache.cached("search", ("index",), Counter("bundle"))
    cache.save()
    monkeypatch.setattr(cache_module, "_read_pack", lambda path: pytest.fail(f"parsed {path}"))
    compute = Counter()
    assert Cache(tmp_path, memory).cached("strip", ("a",), compute, StrippedArticle) is value and compute.calls == 0


def test_encode_refuses_what_json_cannot_hold() -> None:
    with pytest.raises(TypeError):
        encode({1: "a"})
    with pytest.raises(TypeError):
        encode(object())


def test_page_type_hint_is_what_parse_page_returns() -> None:
    page, problems = parse_page("---\ntitle: T\n---\n\nBody\n", "x.md")
    assert isinstance(page, Page)
    assert decode(encode((page, problems)), ParsedPage) == (page, problems)


def test_a_build_saves_the_per_article_results_before_it_renders(example_digest: Path) -> None:
    override = example_digest / "themes" / "default" / "templates" / "article.html"
    override.parent.mkdir(parents=True)
    override.write_text("{{ no_such_function() }}\n")  # render fails on the first article page
    with pytest.raises(jinja2.UndefinedError):
        build_site(load_config(root=example_digest), BuildOptions(executor=Executor("serial")))
    folder = example_digest / ".digest-cache"
    assert all(packs(folder, stage) for stage in ("read", "strip", "markdown", "annotate", "decorate", "terms"))
    assert not packs(folder, "search")


def test_what_the_packs_hold_beyond_a_maps_items_is_let_go_and_still_judged_stale(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.map("markdown", ["a", "b", "c"], lambda item: (item,), str.upper, str, lambda f, items: [f(i) for i in items])
    cache.save()
    warm = Cache(tmp_path)
    assert warm.map("markdown", ["a"], lambda item: (item,), str.upper, str, lambda f, items: [f(i) for i in items]) == ["A"]
    assert warm._stages["markdown"].loaded == {}, "the raw entries of b and c are not held"
    warm.save()
    [pack] = packs(tmp_path, "markdown")
    assert b'"A"' in pack.read_bytes() and b'"B"' not in pack.read_bytes(), "mostly stale: rewritten with what was used"


_parts = st.lists(st.one_of(st.text(max_size=600), st.binary(max_size=40)), max_size=4)


@given(_parts, _parts)
def test_keys_tell_inputs_apart_and_remembered_text_hashes_change_nothing(first: list, second: list) -> None:
    """Texts longer than LONG_TEXT go into a key by their hash (remembered by identity in digest serve):
    the key is the same either way, and two different inputs never share one."""
    remembered: ByIdentity[bytes] = ByIdentity()
    for parts in (first, second):
        assert cache_module.key_of("stage", parts, remembered) == cache_module.key_of("stage", parts)
        assert cache_module.key_of("stage", parts, ByIdentity(remembered)) == cache_module.key_of("stage", parts)
    same = [(p.encode("utf-8", "surrogatepass") if isinstance(p, str) else p) for p in first] == \
        [(p.encode("utf-8", "surrogatepass") if isinstance(p, str) else p) for p in second]
    if not same:
        assert cache_module.key_of("stage", first) != cache_module.key_of("stage", second)


def test_an_edit_build_parses_only_the_edited_page_though_pages_are_read_a_few_at_a_time(
        example_digest: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("digest.pages.READ_AT_ONCE", 2)  # the example's five pages: three batches
    config = load_config(root=example_digest)
    build_site(config, BuildOptions(executor=Executor("serial")))
    edited = sorted((example_digest / "content" / "articles").glob("*.md"))[-1]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    parsed: list[str] = []

    def counted(text: str, display: str) -> Any:
        parsed.append(display)
        return parse_page(text, display)

    monkeypatch.setattr("digest.pages.parse_page", counted)
    build_site(config, BuildOptions(executor=Executor("serial")))
    assert parsed == [f"content/articles/{edited.name}"], "the other batches' pages come from the cache"


def test_a_run_whose_every_lookup_misses_reads_no_pack_and_still_drops_the_stale_ones(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    each = lambda f, items: [f(i) for i in items]  # noqa: E731
    cache = Cache(tmp_path)
    cache.map("markdown", ["a", "b", "c"], lambda item: (item,), str.upper, str, each)
    cache.save()
    parsed: list[object] = []
    real = cache_module._read_packs
    monkeypatch.setattr(cache_module, "_read_packs", lambda packs: parsed.append(packs) or real(packs))
    upgraded = Cache(tmp_path)  # as after an upgrade of digest: no key is found
    assert upgraded.map("markdown", ["x", "y"], lambda item: (item,), str.upper, str, each) == ["X", "Y"]
    assert parsed == [], "the packs' key lists tell every lookup is a miss"
    upgraded.save()
    [pack] = packs(tmp_path, "markdown")
    assert b'"X"' in pack.read_bytes() and b'"A"' not in pack.read_bytes(), "the stale pack is gone"


def test_ensure_computes_what_is_missing_and_reads_nothing_it_holds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    computed: list[str] = []

    def serial(fn: Any, items: list[str]) -> list[str]:
        computed.extend(items)
        return [fn(item) for item in items]

    cache = Cache(tmp_path)
    cache.ensure("markdown", ["a", "b"], lambda s: (s,), str.upper, serial)
    assert cache.map("markdown", ["b"], lambda s: (s,), str.upper, str, serial) == ["B"], "from this run's results"
    cache.save()
    parsed: list[object] = []
    real = cache_module._read_packs
    monkeypatch.setattr(cache_module, "_read_packs", lambda packs: parsed.append(packs) or real(packs))
    warm = Cache(tmp_path)
    warm.ensure("markdown", ["a", "b", "c"], lambda s: (s,), str.upper, serial)
    assert computed == ["a", "b", "c"] and parsed == [], "only c computed, and the packs not read"
    assert warm.map("markdown", ["a"], lambda s: (s,), str.upper, str, serial) == ["A"]
    assert computed == ["a", "b", "c"], "a is read from the pack when asked for"
    warm.save()
    entries = b"".join(p.read_bytes() for p in packs(tmp_path, "markdown"))
    assert all(f'"{v}"'.encode() in entries for v in "ABC"), "b, held but never read, stays in the packs"
