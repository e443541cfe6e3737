"""config.yaml: every problem reported at once, located, with what was expected and found."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.config import Config, load_config, parse_config
from digest.errors import ConfigError


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_config(text, "config.yaml")
    return [str(d) for d in info.value.diagnostics]


@pytest.mark.parametrize(("text", "expected"), [
    ("titel: News\n", ["config.yaml:1:1: error: unknown key 'titel' — did you mean 'title'?"]),
    ("per_page: many\n", ["config.yaml:1:11: error: per_page: expected a whole number, found text 'many'"]),
    ("linking:\n  related: [1]\n", ["config.yaml:2:12: error: linking.related: expected a whole number, found a list"]),
    ("annotation:\n  enabled: maybe\n",
     ["config.yaml:2:12: error: annotation.enabled: expected true or false, found text 'maybe' — write true or false"]),
    ("paths:\n  sourcs: x\n", ["config.yaml:2:3: error: unknown key 'paths.sourcs' — did you mean 'sources'?"]),
    ("title:\n", ["config.yaml:1:7: error: title: expected text, found nothing"
                  " — write a value, or remove the key"]),
    ("cleaning: yes\n", ["config.yaml:1:11: error: cleaning: expected a mapping, found true/false 'yes'"]),
    ("title: [unclosed\n", ["config.yaml:2:1: error: YAML: expected ',' or ']', but got '<stream end>'"
                            " — check the indentation and quote values that contain ': ' or start with a special character"]),
], ids=["unknown-key", "wrong-int", "list-for-int", "wrong-bool", "nested-unknown", "missing-value",
        "scalar-for-section", "syntax"])
def test_config_error_messages(text: str, expected: list[str]) -> None:
    assert problems(text) == expected


def test_every_problem_is_reported_not_just_the_first() -> None:
    found = problems("titel: a\nper_page: x\nlinking:\n  threshhold: 2\n")
    assert [p.split(": error:")[0] for p in found] == ["config.yaml:1:1", "config.yaml:2:11", "config.yaml:4:3"]


def test_yaml_11_surprises_stay_text_where_text_is_meant() -> None:
    config = parse_config("title: 2021-04-06\nlanguage: no\ndescription: on\n", "c")
    assert (config.title, config.language, config.description) == ("2021-04-06", "no", "on")


def test_empty_config_is_all_defaults() -> None:
    assert parse_config("", "c") == Config()


def test_aliases_and_python_tags_are_refused() -> None:
    assert "aliases" in problems("paths: &p {sources: a}\ncleaning: *p\n")[0]
    assert "tag" in problems("title: !!python/object/apply:os.system [ls]\n")[0]


@pytest.mark.parametrize(("base_url", "path", "absolute"), [
    ("/", "/", None),
    ("https://user.github.io/news/", "/news/", "https://user.github.io/news/"),
    ("https://user.github.io/news", "/news/", "https://user.github.io/news/"),
    ("https://example.org", "/", "https://example.org/"),
    ("/news", "/news/", None),
])
def test_base_path_always_ends_with_a_slash(base_url: str, path: str, absolute: str | None) -> None:
    config = Config(base_url=base_url)
    assert (config.base_path, config.absolute_base) == (path, absolute)


def test_bad_base_url_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("base_url: ftp://example.org/\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "config.yaml")
    assert "base_url: expected an http(s) URL or a path" in str(info.value)


def test_overrides_win_over_the_file(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("base_url: /a/\n")
    assert load_config(tmp_path / "config.yaml", {"base_url": "/b/"}).base_url == "/b/"


def test_missing_config_names_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(root=tmp_path)
    assert "digest init" in str(info.value)
