"""A live preview of the example digest under /news/, running in this process on an ephemeral port."""

from __future__ import annotations

import http.client
import json
import shutil
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from digest.config import load_config
from digest.serve import Preview, ServeOptions
from digest.theme import PACKAGED
from tests.conftest import REPO, SEEDS


@dataclass
class Running:
    preview: Preview
    folder: Path
    said: list[str]  # what the preview said (progress), in order

    @property
    def port(self) -> int:
        assert self.preview.server is not None
        return int(self.preview.server.server_address[1])

    def get(self, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
        """The status, headers and body of a request whose path is sent exactly as written."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, path)
            response = conn.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            conn.close()

    def article(self, slug_part: str) -> Path:
        return next((self.folder / "content" / "articles").glob(f"*{slug_part}*.md"))


class EventStream:
    """A live-reload event stream read the way a browser's EventSource reads it."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.conn.request("GET", "/__digest__/events")
        self.response = self.conn.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type") == "text/event-stream"

    def next(self) -> tuple[str, dict[str, object]]:
        name, data = "", ""
        while True:
            line = self.response.fp.readline().decode()
            if not line:
                raise EOFError("event stream closed")
            if line.startswith("event: "):
                name = line[7:].strip()
            elif line.startswith("data: "):
                data = line[6:].strip()
            elif line == "\n" and name:
                return name, json.loads(data)

    def until(self, *names: str) -> tuple[str, dict[str, object]]:
        """The next event named one of names, skipping others (such as `building`)."""
        while True:
            name, data = self.next()
            if name in names:
                return name, data

    def close(self) -> None:
        self.conn.close()


def with_sub_path_and_theme(folder: Path) -> Path:
    """The example digest served under /news/, with its own copy of the default stylesheet to edit."""
    config = folder / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("base_url: /", "base_url: /news/"), encoding="utf-8")
    css = folder / "themes" / "default" / "static" / "css" / "digest.css"
    css.parent.mkdir(parents=True)
    css.write_bytes((PACKAGED / "default" / "static" / "css" / "digest.css").read_bytes())
    return folder


@contextmanager
def previewing(folder: Path) -> Iterator[Running]:
    """A preview of folder, rebuilding in a background thread, stopped and joined on exit."""
    said: list[str] = []
    preview = Preview(load_config(root=folder), ServeOptions(port=0, quiet=0.05), say=said.append)
    preview.start()
    stop = threading.Event()
    loop = threading.Thread(target=preview.run, args=(stop, 0.02), name="test-preview-loop")
    loop.start()
    try:
        yield Running(preview, folder, said)
    finally:
        stop.set()
        loop.join()
        preview.close()


@pytest.fixture
def running(example_digest: Path) -> Iterator[Running]:
    """A preview of its own, for tests that edit files."""
    with previewing(with_sub_path_and_theme(example_digest)) as live:
        yield live


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """One preview shared by the tests of a module that only read from it."""
    folder = tmp_path_factory.mktemp("served") / "example"
    (folder / "content" / "articles").mkdir(parents=True)
    shutil.copytree(SEEDS, folder / "content" / "sources")
    shutil.copy(REPO / "config.yaml", folder / "config.yaml")
    with previewing(with_sub_path_and_theme(folder)) as live:
        yield live


@pytest.fixture
def events(running: Running) -> Iterator[EventStream]:
    stream = EventStream(running.port)
    yield stream
    stream.close()
