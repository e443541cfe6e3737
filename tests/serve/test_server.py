"""The preview server against a real HTTP connection on 127.0.0.1: paths, types, errors and reload events."""

from __future__ import annotations

import hashlib
import threading
import time
from pathlib import Path

import pytest

from digest.config import load_config
from digest.serve import Preview, ServeOptions
from digest.serve.server import Refused, inject_reload_script, request_parts
from digest.serve.watch import ChangeKind
from tests.conftest import run_digest
from tests.serve.conftest import EventStream, Running, previewing, with_sub_path_and_theme

SCRIPT_TAG = b'<script src="/__digest__/reload.js"'


def tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_home_is_served_under_the_base_path_with_the_reload_script(served: Running) -> None:
    status, headers, body = served.get("/news/")
    assert status == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert body.count(SCRIPT_TAG) == 1
    assert body.index(SCRIPT_TAG) < body.rindex(b"</body>")
    assert SCRIPT_TAG not in (served.folder / "site" / "index.html").read_bytes()  # never in the built site


@pytest.mark.parametrize("path, location", [
    ("/", "/news/"),
    ("/news", "/news/"),
    ("/news/articles/india-to-receive-russian-s400s-by-end-of-2021", "/news/articles/india-to-receive-russian-s400s-by-end-of-2021/"),
], ids=["root", "base-without-slash", "article-folder"])
def test_redirects_to_the_folder_url(served: Running, path: str, location: str) -> None:
    status, headers, _ = served.get(path)
    assert (status, headers["location"]) == (301, location)


@pytest.mark.parametrize("path", [
    "/news/../config.yaml",
    "/news/../../../../etc/passwd",
    "/news/%2e%2e/config.yaml",
    "/news/%2E%2E/%2e%2E/etc/passwd",
    "/news/..%2fconfig.yaml",
    "/news/%2e%2e%2fconfig.yaml",
    "/news/..%5cconfig.yaml",
    "/news/static/./../../config.yaml",
    "/news/index.html%00.css",
    "/../config.yaml",
], ids=lambda p: p)
def test_traversal_attempts_are_refused(served: Running, path: str) -> None:
    status, _, body = served.get(path)
    assert status == 403
    assert b"base_url" not in body and b"root:" not in body


def test_symlinks_out_of_the_output_folder_are_refused(running: Running) -> None:
    site = running.folder / "site"
    (site / "leak.yaml").symlink_to(running.folder / "config.yaml")
    (site / "leakdir").symlink_to(running.folder / "content", target_is_directory=True)
    (site / "inside.css").symlink_to(site / "static" / "css" / "digest.css")
    assert running.get("/news/leak.yaml")[0] == 403
    assert running.get("/news/leakdir/articles/")[0] == 403
    assert running.get("/news/inside.css")[0] == 200  # a symlink that stays inside is just a file


@pytest.mark.parametrize("path, content_type", [
    ("/news/index.html", "text/html; charset=utf-8"),
    ("/news/static/css/digest.css", "text/css; charset=utf-8"),
    ("/news/digest.json", "application/json"),
    ("/__digest__/reload.js", "text/javascript; charset=utf-8"),
], ids=["html", "css", "json", "reload-script"])
def test_content_types(served: Running, path: str, content_type: str) -> None:
    status, headers, body = served.get(path)
    assert (status, headers["content-type"]) == (200, content_type)
    assert headers["x-content-type-options"] == "nosniff"
    if not content_type.startswith("text/html"):
        assert SCRIPT_TAG not in body


@pytest.mark.parametrize("path", ["/news/no-such-page/", "/news/static/missing.css", "/elsewhere/index.html"])
def test_missing_pages_get_the_themes_404_page_with_status_404(served: Running, path: str) -> None:
    status, headers, body = served.get(path)
    assert status == 404
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert b"Page not found" in body and SCRIPT_TAG in body


def test_head_sends_headers_only(served: Running) -> None:
    status, headers, body = served.get("/news/", method="HEAD")
    assert status == 200 and int(headers["content-length"]) > 0 and body == b""


def test_event_stream_says_hello_with_the_current_build(running: Running, events: EventStream) -> None:
    name, data = events.next()
    assert name == "hello"
    assert data == {"build": running.preview.state.build, "errors": None}
    _, _, body = running.get("/news/")
    assert f'data-build="{data["build"]}"'.encode() in body


def test_saving_an_article_rebuilds_and_sends_reload(running: Running, events: EventStream) -> None:
    events.next()
    page = running.article("india-to-receive")
    page.write_text(page.read_text(encoding="utf-8") + "\nA paragraph added in the preview.\n", encoding="utf-8")
    name, data = events.until("reload", "css", "failed")
    assert name == "reload" and data["build"] == running.preview.state.build
    _, _, body = running.get("/news/articles/india-to-receive-russian-s400s-by-end-of-2021/")
    assert b"A paragraph added in the preview." in body


def test_broken_front_matter_sends_the_error_and_keeps_the_last_good_site(running: Running, events: EventStream) -> None:
    events.next()
    page = running.article("india-to-receive")
    good = page.read_text(encoding="utf-8")
    url = "/news/articles/india-to-receive-russian-s400s-by-end-of-2021/"
    before = running.get(url)[2]
    page.write_text(good.replace("title: ", "date: tomorrow\ntitle: ", 1), encoding="utf-8")
    name, data = events.until("reload", "css", "failed")
    assert name == "failed"
    assert data["errors"] == [{
        "path": "content/articles/india-to-receive-russian-s400s-by-end-of-2021.md", "line": 2, "column": 7,
        "message": "front matter: date 'tomorrow' is not a date",
        "hint": "write it as 2021-04-06 or 2021-04-06T10:30:00+05:30", "severity": "error"}]
    status, _, body = running.get(url)
    assert status == 200 and body == before  # the last good site is still served
    late = EventStream(running.port)  # a tab opened now learns about the error at once
    assert late.next()[1]["errors"] == data["errors"]
    late.close()
    page.write_text(good, encoding="utf-8")
    assert events.until("reload", "css", "failed")[0] == "reload"
    assert running.preview.state.errors is None


def test_template_error_is_located_in_the_template(running: Running, events: EventStream) -> None:
    events.next()
    template = running.folder / "themes" / "default" / "templates" / "article.html"
    template.parent.mkdir(parents=True)
    template.write_text('{% extends "base.html" %}\n{% block main %}\n{{ article.doc.title }\n{% endblock %}\n', encoding="utf-8")
    name, data = events.until("reload", "css", "failed")
    assert name == "failed"
    [error] = data["errors"]
    assert (error["path"], error["line"]) == ("themes/default/templates/article.html", 3)
    assert str(error["message"]).startswith("template: ")


def test_stylesheet_only_change_sends_css_not_reload(running: Running, events: EventStream) -> None:
    events.next()
    css = running.folder / "themes" / "default" / "static" / "css" / "digest.css"
    css.write_text(css.read_text(encoding="utf-8") + "\nbody { color: rgb(1, 2, 3); }\n", encoding="utf-8")
    name, _ = events.until("reload", "css", "failed")
    assert name == "css"
    assert b"rgb(1, 2, 3)" in running.get("/news/static/css/digest.css")[2]


def test_editor_swap_files_and_the_output_folder_cause_no_rebuild(running: Running) -> None:
    state = running.preview.state
    generation = state.generation
    articles = running.folder / "content" / "articles"
    (articles / ".india.md.swp").write_text("swap")
    (articles / "4913").write_text("")
    (articles / "page.md~").write_text("backup")
    (running.folder / "site" / "stray.html").write_text("x")
    (running.folder / "notes.txt").write_text("not part of the site")
    seen, _ = state.hello()
    assert state.wait_events(seen, 0.6) == []
    assert state.generation == generation


def test_served_site_equals_a_clean_build_after_a_series_of_edits(running: Running, events: EventStream, tmp_path: Path) -> None:
    events.next()
    page = running.article("india-to-receive")
    text = page.read_text(encoding="utf-8")
    for i in range(3):  # a burst of saves, then more
        page.write_text(text + f"\nEdit {i}.\n", encoding="utf-8")
    other = running.article("talks-to-buy")
    other.unlink()
    assert events.until("reload", "failed")[0] == "reload"
    (running.folder / "content" / "articles" / "2024-01-01-new-page.md").write_text(
        "---\ntitle: A new page\ndate: 2024-01-01\n---\n\nWritten while the preview ran.\n", encoding="utf-8")
    assert events.until("reload", "failed")[0] == "reload"
    # the settled preview output equals a fresh build of the same files into another folder
    seen, _ = running.preview.state.hello()
    while running.preview.state.wait_events(seen, 0.5):
        seen, _ = running.preview.state.hello()
    run_digest("build", "--out", str(tmp_path / "clean"), cwd=running.folder, check=True)
    assert tree(running.folder / "site") == tree(tmp_path / "clean")


def test_a_build_after_the_preview_settles_finds_the_site_up_to_date(running: Running, events: EventStream) -> None:
    """The preview writes the search index after telling the browser, and its records for the next build once no
    change waits: they are written all the same."""
    events.next()
    page = running.article("india-to-receive")
    page.write_text(page.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    assert events.until("reload", "failed")[0] == "reload"
    deadline = time.monotonic() + 60
    while (running.preview.records or running.preview.live.later) and time.monotonic() < deadline:
        time.sleep(0.05)
    result = run_digest("build", cwd=running.folder, check=True)
    assert "up to date: nothing changed since the last build" in result.stderr + result.stdout


def test_started_on_an_up_to_date_site_the_preview_builds_once_more_while_idle_so_saves_are_quick(
        example_digest: Path) -> None:
    """An up-to-date start builds nothing, so it keeps no model for the quick path: the preview builds once more
    the first time nothing waits, and the first save then takes the quick path, not a whole build."""
    run_digest("build", cwd=example_digest, check=True)  # (writes the pages of the sources: the next finds them new)
    run_digest("build", cwd=example_digest, check=True)
    result = run_digest("build", cwd=example_digest, check=True)
    assert "up to date" in result.stderr + result.stdout
    with previewing(example_digest) as running:
        assert running.preview.memory.model is None
        deadline = time.monotonic() + 60
        while not any("ready for quick rebuilds" in line for line in running.said) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert running.preview.memory.model is not None
        page = running.article("india-to-receive")
        before = len(running.said)
        page.write_text(page.read_text(encoding="utf-8") + "\nSaved after the warm-up.\n", encoding="utf-8")
        while not any(line.startswith("built ") for line in running.said[before:]) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert any(line.startswith("saved page written") for line in running.said[before:]), running.said
        _, _, body = running.get("/articles/india-to-receive-russian-s400s-by-end-of-2021/")
        assert b"Saved after the warm-up." in body


def test_a_page_written_by_hand_added_then_deleted_takes_the_quick_path(running: Running, events: EventStream) -> None:
    events.next()
    page = running.article("india-to-receive")
    page.write_text(page.read_text(encoding="utf-8") + "\nA first save: the model is kept after it.\n", encoding="utf-8")
    assert events.until("reload", "failed")[0] == "reload"
    body = page.read_text(encoding="utf-8").split("\n---\n", 1)[1]
    added = running.folder / "content" / "articles" / "by-hand.md"
    for step in ("add", "delete"):
        before = len(running.said)
        if step == "add":
            added.write_text(f"---\ntitle: Written by hand\ndate: 2021-12-07\n---\n{body}\nKestrel Water.\n",
                             encoding="utf-8")
        else:
            added.unlink()
        assert events.until("reload", "failed")[0] == "reload"
        deadline = time.monotonic() + 60
        while not any(line.startswith("built ") for line in running.said[before:]) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert any(line.startswith("saved page") for line in running.said[before:]), running.said[before:]
        status, _, html = running.get("/news/articles/by-hand/")
        assert (status, b"Kestrel Water" in html) == ((200, True) if step == "add" else (404, False))
        _, _, home = running.get("/news/")
        assert (b"Written by hand" in home) == (step == "add")


def test_close_ends_open_event_streams_and_every_thread(example_digest: Path) -> None:
    before = set(threading.enumerate())
    with previewing(with_sub_path_and_theme(example_digest)) as live:
        stream = EventStream(live.port)
        stream.next()
        live.preview.close()
        with pytest.raises(EOFError):
            stream.until("never")
        stream.close()
    assert set(threading.enumerate()) - before == set()


@pytest.mark.parametrize("target, parts", [
    ("/news/", ([], True)),
    ("/news/articles/x/", (["articles", "x"], True)),
    ("/news/articles/x", (["articles", "x"], False)),
    ("/news/a%20b.css?v=3#top", (["a b.css"], False)),
    ("/other/", None),
], ids=lambda v: str(v))
def test_request_parts(target: str, parts: tuple[list[str], bool] | None) -> None:
    assert request_parts(target, "/news/") == parts


@pytest.mark.parametrize("target", ["/news/..", "/news/%2e%2e/x", "/news/a%5c..%5cb", "/news/a%00", "/news/./x"])
def test_request_parts_refuses_traversal(target: str) -> None:
    with pytest.raises(Refused):
        request_parts(target, "/news/")


def test_inject_reload_script_goes_before_the_last_body_end_or_at_the_end() -> None:
    assert inject_reload_script(b"<p>x</p></BODY></html>", "b1") == \
        b'<p>x</p><script src="/__digest__/reload.js" data-build="b1" defer></script></BODY></html>'
    assert inject_reload_script(b"<p>x</p>", "b1").endswith(b"defer></script>")


def test_config_change_is_read_again_and_a_broken_config_shows_as_an_error(running: Running, events: EventStream) -> None:
    events.next()
    config = running.folder / "config.yaml"
    good = config.read_text(encoding="utf-8")
    config.write_text(good.replace('title: "S-400 for India: a digest"', 'title: "Retitled live"'), encoding="utf-8")
    assert events.until("reload", "failed")[0] == "reload"
    assert b"Retitled live" in running.get("/news/")[2]
    config.write_text(good + "per_page: 0\n", encoding="utf-8")
    name, data = events.until("reload", "failed")
    assert name == "failed"
    assert data["errors"][0]["message"] == "per_page: expected a number of at least 1, found 0"  # type: ignore[index]
    assert b"Retitled live" in running.get("/news/")[2]


def test_a_save_during_a_rebuild_causes_exactly_one_more(example_digest: Path) -> None:
    folder = with_sub_path_and_theme(example_digest)
    page = folder / "content" / "articles" / "2024-01-01-page.md"
    page.write_text("---\ntitle: First\ndate: 2024-01-01\n---\n\nOne.\n", encoding="utf-8")

    def save_while_building(text: str) -> None:
        if text.startswith("changed:") and "Second" in page.read_text(encoding="utf-8"):
            page.write_text("---\ntitle: Third\ndate: 2024-01-01\n---\n\nThree.\n", encoding="utf-8")

    preview = Preview(load_config(root=folder), ServeOptions(port=0, quiet=0.05), say=save_while_building)
    preview.start()
    try:
        seen, _ = preview.state.hello()
        page.write_text("---\ntitle: Second\ndate: 2024-01-01\n---\n\nTwo.\n", encoding="utf-8")
        built = [preview.step(2.0), preview.step(2.0), preview.step(0.3)]
        assert built == [ChangeKind.SITE, ChangeKind.SITE, None]
        names = [name for _, name, _ in preview.state.wait_events(seen, 0)]
        assert names == ["building", "reload", "building", "reload"]
        [built_page] = (folder / "site" / "articles").glob("*page*/index.html")
        assert b"Three." in built_page.read_bytes()
    finally:
        preview.close()


def test_a_first_build_that_fails_still_serves_a_page_that_shows_why(example_digest: Path) -> None:
    folder = with_sub_path_and_theme(example_digest)
    (folder / "content" / "articles" / "broken.md").write_text("---\ntitle: Broken\ndate: tomorrow\n---\n\nText.\n", encoding="utf-8")
    with previewing(folder) as live:
        status, headers, body = live.get("/news/")
        assert status == 404 and SCRIPT_TAG in body  # nothing built yet: a bare page carrying the overlay script
        stream = EventStream(live.port)
        errors = stream.next()[1]["errors"]
        stream.close()
        assert [(e["path"], e["line"]) for e in errors] == [("content/articles/broken.md", 3)]  # type: ignore[union-attr, index]


def test_files_a_build_has_yet_to_write_are_held_back_until_it_does(running: Running) -> None:
    """digest serve writes the search index after the pages: a request for it waits rather than get the last
    build's index beside the new pages; other files are served meanwhile."""
    live = running.preview.live
    with live.lock:
        live.later = "pagefind/"
    answered: list[tuple[int, float]] = []

    def fetch() -> None:
        status, _, _ = running.get("/news/pagefind/pagefind-entry.json")
        answered.append((status, time.perf_counter()))

    waiting = threading.Thread(target=fetch)
    waiting.start()
    try:
        assert running.get("/news/index.html")[0] == 200
        time.sleep(0.3)
        assert answered == []
    finally:
        released = time.perf_counter()
        live.settle()
        waiting.join(10)
    assert answered and answered[0][0] == 200 and answered[0][1] >= released


def test_after_a_build_the_preview_waits_for_a_tab_to_come_back_before_more_work(running: Running) -> None:
    """What a build leaves for after (the search index) waits until a reloaded tab has connected again, so it
    does not take the cores the browser needs; with no tab open, or for a stylesheet swap, it does not wait."""
    state = running.preview.state
    done: list[float] = []
    first = EventStream(running.port)
    again: EventStream | None = None
    assert first.next()[0] == "hello"

    def succeed() -> None:
        state.succeeded_and_shown(style_only=False, timeout=10)
        done.append(time.perf_counter())

    waiting = threading.Thread(target=succeed)
    waiting.start()
    try:
        assert first.until("reload")[0] == "reload"
        time.sleep(0.3)
        assert done == []
        back = time.perf_counter()
        again = EventStream(running.port)  # the reloaded tab
        waiting.join(10)
        assert done and done[0] >= back and done[0] - back < 5
        started = time.perf_counter()
        state.succeeded_and_shown(style_only=True, timeout=10)
        assert time.perf_counter() - started < 1
    finally:
        waiting.join(10)
        first.close()
        if again is not None:
            again.close()
