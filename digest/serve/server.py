"""The preview's HTTP server: the output folder under the site's base path, plus live-reload events.

Only files inside the output folder are served: a request path is percent-decoded once, and any
`.`/`..` segment, backslash or NUL is refused before the file system is touched; the file found is
then resolved (symlinks followed) and refused unless it still lies inside the output folder.
The live-reload script is added to HTML as it is served, never written into the built site.
"""

from __future__ import annotations

import json
import mimetypes
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable
from urllib.parse import unquote, urlsplit

from digest.errors import Diagnostic, Severity

# Served outside any site path, so no page of the digest can collide with it.
CONTROL_PREFIX = "/__digest__/"
RELOAD_SCRIPT = Path(__file__).with_name("reload.js")

# Fixed types for what a digest site contains; the platform's mimetypes table (which varies
# between machines) only for anything else.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8", ".json": "application/json",
    ".xml": "application/xml", ".txt": "text/plain; charset=utf-8", ".svg": "image/svg+xml",
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
    ".webp": "image/webp", ".ico": "image/x-icon", ".woff2": "font/woff2", ".woff": "font/woff",
    ".pdf": "application/pdf", ".wasm": "application/wasm",
}


# A build swaps the output folder in by two renames; for that instant the folder is missing, so a
# request retries for up to a second before it counts as not found.
_SWAP_RETRIES = 100


def read_retrying(path: Path) -> bytes | None:
    """The bytes of path, waiting out a build's folder swap; None if it is gone for good."""
    for _ in range(_SWAP_RETRIES):
        try:
            return path.read_bytes()
        except FileNotFoundError:
            time.sleep(0.01)
    return None


class Refused(ValueError):
    """A request path that tries to leave the output folder."""


def content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def request_parts(target: str, base_path: str) -> tuple[list[str], bool] | None:
    """The segments of a request path below base_path, and whether it ended in '/'; None when outside base_path.

    Raises Refused for traversal however it is spelled: /../, %2e%2e, backslashes, NUL.
    """
    path = unquote(urlsplit(target).path, errors="strict")
    if "\x00" in path or "\\" in path:
        raise Refused(path)
    segments = path.split("/")
    if any(s in (".", "..") for s in segments):
        raise Refused(path)
    if not path.startswith(base_path):
        return None
    rest = path[len(base_path):]
    return [s for s in rest.split("/") if s], rest == "" or rest.endswith("/")


def locate(output: Path, parts: list[str], folder_request: bool) -> Path | str | None:
    """The file of a request inside output; a str when the browser should be redirected to add '/' (the
    relative part to append); None when there is no such file. Raises Refused when a symlink leads out."""
    root = output.resolve()
    found = root.joinpath(*parts).resolve()
    if not found.is_relative_to(root):
        raise Refused("/".join(parts))
    if found.is_dir():
        if not folder_request:
            return "/"
        found = (found / "index.html").resolve()
        if not found.is_relative_to(root):
            raise Refused("/".join(parts))
    return found if found.is_file() else None


def inject_reload_script(html: bytes, build: str) -> bytes:
    """html with the live-reload script added before its last </body> (or at its end)."""
    tag = f'<script src="{CONTROL_PREFIX}reload.js" data-build="{build}" defer></script>'.encode()
    at = html.lower().rfind(b"</body>")
    return html + tag if at < 0 else html[:at] + tag + html[at:]


@dataclass
class PreviewState:
    """What every open browser tab must learn: the last good build, the current error, and events since.

    Events are (number, name, data) with names `building`, `reload`, `css` and `failed`; each tab's
    event stream sends the ones it has not seen.
    """

    session: str = field(default_factory=lambda: f"{time.time_ns():x}")
    generation: int = 0
    errors: list[dict[str, Any]] | None = None
    events: list[tuple[int, str, str]] = field(default_factory=list)
    closed: bool = False
    tabs: int = 0  # event streams open: the tabs showing the site
    greeted: int = 0  # event streams opened so far (a reloaded tab opens a new one once its page is shown)
    _lock: threading.Condition = field(default_factory=threading.Condition)

    @property
    def build(self) -> str:
        """Names the last good build; a tab holding a page of another build reloads on connecting."""
        return f"{self.session}-{self.generation}"

    def publish(self, name: str, data: object) -> None:
        with self._lock:
            number = self.events[-1][0] + 1 if self.events else 1
            self.events.append((number, name, json.dumps(data)))
            del self.events[:-100]
            self._lock.notify_all()

    def building(self) -> None:
        self.publish("building", {})

    def succeeded(self, style_only: bool) -> None:
        with self._lock:
            self.generation += 1
            self.errors = None
        self.publish("css" if style_only else "reload", {"build": self.build})

    def failed(self, diagnostics: list[Diagnostic]) -> None:
        # the overlay shows what stopped the build; warnings stay in the terminal
        errors = [{"path": d.path, "line": d.line, "column": d.column, "message": d.message, "hint": d.hint,
                   "severity": d.severity.value} for d in diagnostics if d.severity is Severity.ERROR]
        with self._lock:
            self.errors = errors
        self.publish("failed", {"errors": errors})

    def hello(self) -> tuple[int, str]:
        """The number of the latest event and the greeting a newly connected tab gets."""
        with self._lock:
            latest = self.events[-1][0] if self.events else 0
            return latest, json.dumps({"build": self.build, "errors": self.errors})

    def opened(self) -> None:
        """A tab's event stream opened (counted as open until closed)."""
        with self._lock:
            self.tabs += 1
            self.greeted += 1
            self._lock.notify_all()

    def closed_stream(self) -> None:
        with self._lock:
            self.tabs -= 1

    def succeeded_and_shown(self, style_only: bool, timeout: float = 1.0) -> None:
        """succeeded(), then, if a tab is open, wait (up to timeout) until one has reloaded and connected again, so
        what runs next (digest serve writes the search index) does not take the cores the browser needs to show
        the new page. (A stream a tab left by reloading counts as open until a write to it fails: the first tab
        back is waited for, not every one.) A stylesheet swap reloads nothing: no wait."""
        with self._lock:
            tabs, greeted = self.tabs, self.greeted
        self.succeeded(style_only)
        if style_only or not tabs:
            return
        with self._lock:
            self._lock.wait_for(lambda: self.closed or self.greeted > greeted, timeout)

    def wait_events(self, after: int, timeout: float) -> list[tuple[int, str, str]]:
        """Events numbered above after, waiting up to timeout for the first; [] on timeout or close."""
        with self._lock:
            self._lock.wait_for(lambda: self.closed or (self.events and self.events[-1][0] > after), timeout)
            return [e for e in self.events if e[0] > after]

    def close(self) -> None:
        with self._lock:
            self.closed = True
            self._lock.notify_all()


class PreviewServer(ThreadingHTTPServer):
    """Serves `site()` -> (output folder, base path) and the state's events; joins its threads on close."""

    daemon_threads = False  # server_close() joins every handler thread: nothing is left running
    block_on_close = True

    def __init__(self, address: tuple[str, int], site: Callable[[], tuple[Path, str]], state: PreviewState,
                 log: Callable[[str], None] | None = None, files_lock: threading.Lock | None = None,
                 held_back: Callable[[str], None] = lambda path: None):
        super().__init__(address, PreviewHandler)
        self.site = site
        self.state = state
        self.log = log
        # Held while a file is found and read; a build updating the folder in place renames files under it.
        self.files_lock = files_lock or threading.Lock()
        # Called with files_lock held, with the path of the file asked for below the base path: waits while
        # the build has yet to write it (LiveOutput.held_back: the search index is written after the pages).
        self.held_back = held_back
        self.script = RELOAD_SCRIPT.read_bytes()

    def shutdown(self) -> None:
        self.state.close()
        super().shutdown()


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    timeout = 5  # a connection that never sends its request does not hold shutdown back for long
    server_version = "digest-preview"
    KEEPALIVE = 15.0  # seconds between comments on an idle event stream, to notice closed tabs

    def do_GET(self) -> None:
        self.respond(send_body=True)

    def do_HEAD(self) -> None:
        self.respond(send_body=False)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.log:
            self.server.log(format % args)

    def respond(self, send_body: bool) -> None:
        output, base_path = self.server.site()
        path = urlsplit(self.path).path
        if path == CONTROL_PREFIX + "events":
            return self.stream_events()
        if path == CONTROL_PREFIX + "reload.js":
            return self.send(HTTPStatus.OK, "text/javascript; charset=utf-8", self.server.script, send_body)
        try:
            request = request_parts(self.path, base_path)
            if request is None:
                if path + "/" == base_path or path == "/":
                    return self.redirect(base_path)
                return self.not_found(output, send_body)
            with self.server.files_lock:
                self.server.held_back("/".join(request[0]))
                found = self.locate_retrying(output, *request)
                data = read_retrying(found) if isinstance(found, Path) else None
        except (Refused, UnicodeDecodeError):
            return self.send(HTTPStatus.FORBIDDEN, "text/plain; charset=utf-8", b"forbidden\n", send_body)
        if isinstance(found, str):
            return self.redirect(path + found)
        if found is None or data is None:
            return self.not_found(output, send_body)
        self.send_file(HTTPStatus.OK, found, send_body, data)

    def locate_retrying(self, output: Path, parts: list[str], folder_request: bool) -> Path | str | None:
        for _ in range(_SWAP_RETRIES):
            found = locate(output, parts, folder_request)
            if found is not None or output.is_dir():
                return found
            time.sleep(0.01)
        return None

    def not_found(self, output: Path, send_body: bool) -> None:
        page = output / "404.html"
        if page.is_file():
            return self.send_file(HTTPStatus.NOT_FOUND, page, send_body)
        # Nothing built yet (the first build failed): a bare page that still shows the error overlay.
        html = inject_reload_script(b"<!DOCTYPE html><title>Not found</title><p>Not found.</p></body>", self.server.state.build)
        self.send(HTTPStatus.NOT_FOUND, "text/html; charset=utf-8", html, send_body)

    def send_file(self, status: HTTPStatus, path: Path, send_body: bool, data: bytes | None = None) -> None:
        if data is None:
            with self.server.files_lock:
                data = read_retrying(path)
        if data is None:
            return self.send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"not found\n", send_body)
        kind = content_type(path)
        if kind.startswith("text/html"):
            data = inject_reload_script(data, self.server.state.build)
        self.send(status, kind, data, send_body)

    def send(self, status: HTTPStatus, kind: str, data: bytes, send_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if send_body:
            self.wfile.write(data)

    def redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def stream_events(self) -> None:
        """Server-Sent Events: a hello with the current build and error, then every event as it happens."""
        state = self.server.state
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen, greeting = state.hello()
        state.opened()
        try:
            self.write_event("hello", greeting)
            while not state.closed:
                events = state.wait_events(seen, self.KEEPALIVE)
                if not events and not state.closed:
                    self.wfile.write(b": keepalive\n\n")
                for number, name, data in events:
                    self.write_event(name, data)
                    seen = number
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the tab was closed or reloaded
        finally:
            state.closed_stream()

    def write_event(self, name: str, data: str) -> None:
        self.wfile.write(f"event: {name}\ndata: {data}\n\n".encode())
        self.wfile.flush()
