"""`digest init` writes a config.yaml that documents every option and parses to the defaults."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from digest.config import Config, parse_config
from digest.scaffold import init_digest


def option_names(cls: type, prefix: str = "") -> list[str]:
    names = []
    for f in dataclasses.fields(cls):
        if f.metadata.get("internal"):
            continue
        default = f.default if f.default is not dataclasses.MISSING else None
        if dataclasses.is_dataclass(default):
            names += option_names(type(default), f"{prefix}{f.name}.")
        else:
            names.append(prefix + f.name)
    return names


def test_init_config_documents_every_option(tmp_path: Path) -> None:
    init_digest(tmp_path / "d", title="My news")
    text = (tmp_path / "d" / "config.yaml").read_text()
    for name in option_names(Config):
        assert f"{name.rsplit('.', 1)[-1]}:" in text, f"config.yaml from digest init does not mention {name}"


def test_init_config_parses_to_the_defaults(tmp_path: Path) -> None:
    init_digest(tmp_path / "d", title="My news")
    config = parse_config((tmp_path / "d" / "config.yaml").read_text(), "config.yaml")
    assert dataclasses.replace(config, title=Config().title) == Config()
    assert config.title == "My news"


def test_readme_shows_the_config_digest_init_writes(tmp_path: Path) -> None:
    init_digest(tmp_path / "d", title="My digest")
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert (tmp_path / "d" / "config.yaml").read_text() in readme
