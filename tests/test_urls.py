"""url_for: every internal link is the base path and the page's folder, joined by one slash."""

from __future__ import annotations

import posixpath

from hypothesis import given
from hypothesis import strategies as st

from digest.config import Config
from digest.urls import url_for

segment = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7e, exclude_characters="/?#"), min_size=1, max_size=8)
folders = st.lists(segment, max_size=4).map(lambda parts: "".join(f"{p}/" for p in parts))


@given(base=folders, host=st.sampled_from(["", "https://example.github.io"]), path=folders, leading=st.booleans())
def test_url_for_is_the_base_path_then_the_folder(base: str, host: str, path: str, leading: bool) -> None:
    config = Config(base_url=f"{host}/{base}")
    url = url_for(config, ("/" if leading else "") + path)
    assert url == posixpath.join(config.base_path, path) == config.base_path + path
    assert url.startswith("/") and "//" not in url
