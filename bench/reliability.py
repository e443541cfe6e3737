#!/usr/bin/env python3
"""Reliability run: every fault and bad input digest must survive, tried for real, into docs/reliability.md.

    python3 bench/reliability.py [--kills 30] [--edits 10] [--fuzz-examples 10000] [--write docs/reliability.md]

Each case builds real digests with the real CLI in subprocesses (kill -9 included) and checks that
nothing was lost: the site is the old one or the new one, the editor's pages are as they wrote them,
files outside the digest are untouched, other articles still build, and the message names the file.
The result is "handled, nothing lost" or what went wrong. The hostile-content check is the suite's
(tests/reliability/hostile.py); the fuzz rows run bench/fuzz.py's targets.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.fuzz import TARGETS, run_target  # noqa: E402
from tests.reliability.hostile import PAGES, SOURCES, executable_content, make_hostile_digest  # noqa: E402

OK = "handled, nothing lost"
ENV = dict(os.environ, PYTHONPATH=str(REPO))


@dataclass(frozen=True)
class Outcome:
    tries: int
    failures: list[str]
    note: str = ""  # what was measured, shown with the result


def digest_cli(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "digest", *args], cwd=folder, env=ENV, capture_output=True,
                          text=True, timeout=600)


def measured_build(folder: Path) -> tuple[int, float, float, str]:
    """(exit code, seconds, peak resident memory in MB, stderr) of one build."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen([sys.executable, "-m", "digest", "build", "-q"], cwd=folder, env=ENV, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        err.seek(0)
        message = err.read()
    return os.waitstatus_to_exitcode(status), seconds, usage.ru_maxrss / 1024, message


def tree(folder: Path) -> dict[str, str]:
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


def new_digest(folder: Path, sources: int = 3, paragraphs: int = 5) -> Path:
    (folder / "content" / "sources").mkdir(parents=True)
    (folder / "content" / "articles").mkdir(parents=True)
    (folder / "config.yaml").write_text("title: Reliability\n")
    for i in range(sources):
        (folder / "content" / "sources" / f"s{i:04}.txt").write_text(
            f"Article {i}\n\n" + f"Paragraph of article {i} about the air defence deal.\n\n" * paragraphs)
    return folder


def must(condition: bool, failure: str, failures: list[str]) -> None:
    if not condition:
        failures.append(failure)


# --- the cases ------------------------------------------------------------------------------------

def hostile_corpus(work: Path, _n: int) -> Outcome:
    digest = make_hostile_digest(work / "hostile")
    result = digest_cli(digest, "build")
    failures: list[str] = []
    must(result.returncode == 0, f"build failed: {result.stderr[-300:]}", failures)
    found = executable_content(digest / "site")
    failures += [f"{name}: {problems[0]}" for name, problems in found.items()]
    published = len(list((digest / "site" / "articles").glob("*/index.html")))
    must(published == len(SOURCES) + len(PAGES), f"{published} of {len(SOURCES) + len(PAGES)} articles published", failures)
    files = len(tree(digest / "site"))
    return Outcome(1, failures, f"{files} output files checked")


def kill_during_build(work: Path, kills: int) -> Outcome:
    """kill -9 at random moments of a build that rewrites every page and the site."""
    old, new = new_digest(work / "kill", 150, 20), work / "kill-new"
    digest_cli(old, "build")
    shutil.copytree(old, new)
    for folder in (new, old):  # the same change in both; `new` builds it undisturbed, for comparison
        (folder / "config.yaml").write_text("title: Reliability, second edition\n")
        for source in sorted((folder / "content" / "sources").iterdir()):
            source.write_text(source.read_text() + "A paragraph added later.\n")
    old_site, old_pages = tree(old / "site"), tree(old / "content" / "articles")
    start = time.perf_counter()
    digest_cli(new, "build")
    seconds = time.perf_counter() - start
    new_site, new_pages = tree(new / "site"), tree(new / "content" / "articles")
    rng = random.Random(10)
    failures: list[str] = []
    for i in range(kills):
        process = subprocess.Popen([sys.executable, "-m", "digest", "build", "-q"], cwd=old, env=ENV)
        time.sleep(rng.uniform(0, seconds))
        process.send_signal(signal.SIGKILL)
        process.wait()
        must(tree(old / "site") in (old_site, new_site), f"kill {i}: the site is neither the old nor the new one", failures)
        for name, digest in tree(old / "content" / "articles").items():
            if name.startswith("."):
                continue  # a page's temporary or aside file; never read as a page, tidied by the next build
            must(digest in (old_pages.get(name), new_pages.get(name)), f"kill {i}: page {name} is torn", failures)
        for pack in sorted((old / ".digest-cache").rglob("*.pack")):  # the cache is never torn either
            must(_pack_reads_whole(pack), f"kill {i}: cache pack {pack.name} is torn", failures)
    result = digest_cli(old, "build")
    must(result.returncode == 0 and tree(old / "site") == new_site, "the build after the kills did not recover", failures)
    must(not list(old.glob(".site.staging-*")), "staging folders were left behind", failures)
    digest_cli(old, "build")  # the recovering build wrote pages, so it recorded nothing; this one does
    must("up to date" in digest_cli(old, "build").stderr, "builds after recovering were not up to date", failures)
    return Outcome(kills, failures, f"build of 150 articles: {seconds:.1f} s")


def _pack_reads_whole(pack: Path) -> bool:
    """A cache pack is whole when its header's checksum matches the rest (digest.cache writes it so)."""
    header, _, body = pack.read_bytes().partition(b"\n")
    parts = header.split()
    return len(parts) == 4 and parts[0] == b"digest-cache" and parts[3].decode() == hashlib.sha256(body).hexdigest()


def concurrent_edit(work: Path, rounds: int) -> Outcome:
    """An editor saves a page at a random moment of a build that regenerates every page."""
    digest = new_digest(work / "edit", 100, 20)
    digest_cli(digest, "build")
    pages = sorted((digest / "content" / "articles").glob("*.md"))
    start = time.perf_counter()
    digest_cli(digest, "build")
    seconds = time.perf_counter() - start
    rng = random.Random(20)
    edits: dict[Path, str] = {}
    failures: list[str] = []
    for i in range(rounds):
        for source in sorted((digest / "content" / "sources").iterdir()):
            source.write_text(source.read_text() + f"Update {i}.\n")
        process = subprocess.Popen([sys.executable, "-m", "digest", "build", "-q"], cwd=digest, env=ENV)
        time.sleep(rng.uniform(0, seconds * 1.5))
        page = pages[rng.randrange(len(pages))]
        text = page.read_text().replace("\n---\n\n", f"\n---\n\nEditor's paragraph {i}.\n\n", 1)
        page.write_text(text)
        edits[page] = text
        process.wait()
        failures += [f"round {i}: the edit of {p.name} was lost" for p, t in edits.items() if p.read_text() != t]
    digest_cli(digest, "build")
    for page, text in edits.items():
        html = (digest / "site" / "articles" / page.stem / "index.html").read_text()
        must(text.split("\n---\n\n", 1)[1].split("\n\n")[0] in html, f"the next build did not use {page.name}", failures)
    return Outcome(rounds, failures)


def symlink_escape(work: Path, _n: int) -> Outcome:
    digest = new_digest(work / "links")
    outside = work / "private"
    outside.mkdir()
    (outside / "letter.txt").write_text("Private\n\nSECRET-TEXT\n")
    (outside / "page.md").write_text("---\ntitle: Private\n---\n\nSECRET-TEXT\n")
    links = {"content/sources/leak.txt": outside / "letter.txt", "content/articles/leak.md": outside / "page.md",
             "content/sources/folder": outside, "content/sources/dangling.txt": work / "missing",
             "content/sources/loop.txt": digest / "content/sources/loop.txt"}
    for name, target in links.items():
        (digest / name).symlink_to(target)
    before = tree(outside)
    result = digest_cli(digest, "build")
    failures: list[str] = []
    must(result.returncode == 0, f"build failed: {result.stderr[-300:]}", failures)
    site = b"".join(p.read_bytes() for p in (digest / "site").rglob("*") if p.is_file())
    must(b"SECRET" not in site, "text from outside the digest reached the site", failures)
    must(tree(outside) == before, "a file outside the digest changed", failures)
    must(len(list((digest / "site" / "articles").iterdir())) == 3, "the other articles were not all built", failures)
    return Outcome(len(links), failures)


TRAVERSAL_NAMES = ["../../outside", "/etc/passwd", "C:\\Windows\\system32", "c:evil", "\\\\server\\share", "..",
                   ".", "nul\x00byte", "CON", "aux", "com1", "LPT9", "prn.md", "~/x", "%2e%2e%2f", "a/../../b",
                   "\u202eevil", "..\\..\\x", " ", "?#"]


def traversal_names(work: Path, _n: int) -> Outcome:
    digest = new_digest(work / "names", 1)
    articles = digest / "content" / "articles"
    for i, name in enumerate(TRAVERSAL_NAMES):
        quoted = json.dumps(name)
        (articles / f"p{i}.md").write_text(f"---\ntitle: {json.dumps(f'Page {i} {name}')}\nslug: {quoted}\nsource: {quoted}\n"
                                           f"tags: [{quoted}]\n---\n\nText {i}.\n", encoding="utf-8")
        file_name = name.replace("/", "").replace("\\", "").replace("\x00", "").strip(". ") or "x"
        (digest / "content" / "sources" / f"{file_name}.txt").write_text(f"Source {i}\n\nText.\n")
    before = tree(work)
    result = digest_cli(digest, "build")
    failures: list[str] = []
    must(result.returncode == 0, f"build failed: {result.stderr[-300:]}", failures)
    changed = {n for n, d in tree(work).items() if before.get(n) != d}
    escaped = sorted(n for n in changed if not n.startswith(("names/site/", "names/content/articles/", "names/.digest-cache/")))
    must(not escaped, f"written outside the site: {escaped[:3]}", failures)
    published = len(list((digest / "site" / "articles").glob("*/index.html")))
    expected = len(TRAVERSAL_NAMES) + len(list((digest / "content" / "sources").iterdir()))  # some names clean alike
    must(published == expected, f"{published} of {expected} articles published", failures)
    return Outcome(len(TRAVERSAL_NAMES), failures)


def huge_file(work: Path, _n: int) -> Outcome:
    digest = new_digest(work / "huge")
    huge = digest / "content" / "sources" / "huge.txt"
    paragraph = "A long paragraph of a huge source about the air defence deal, repeated. " * 10 + "\n\n"
    with huge.open("w") as f:
        f.write("A huge article\n\n")
        while f.tell() < 50 * 1024 * 1024:
            f.write(paragraph * 100)
    failures: list[str] = []
    code, refused_seconds, refused_mb, err = measured_build(digest)
    must(code == 1 and "huge.txt: error: too large" in err, f"not refused: exit {code} {err[-200:]}", failures)
    must(len(list((digest / "content" / "articles").glob("*.md"))) == 3, "the other sources were not stripped", failures)
    with (digest / "config.yaml").open("a") as config:
        config.write("limits:\n  max_source_bytes: 100000000\n")
    code, seconds, peak_mb, err = measured_build(digest)
    must(code == 0, f"with the limit raised the build failed: exit {code} {err[-300:]}", failures)
    return Outcome(2, failures, f"refused in {refused_seconds:.1f} s, peak {refused_mb:.0f} MB; with the limit raised, "
                                f"built in {seconds:.0f} s, peak {peak_mb:.0f} MB")


def bad_file(kind: str) -> Callable[[Path, int], Outcome]:
    """A source that is binary, undecodable or empty: reported by name, the other articles still processed."""
    data = {"binary": bytes(range(256)) * 64, "undecodable": b"Titre\n\nUne phrase \xe9crite en latin-1 \xff\xfe\x81.\n",
            "empty": b""}[kind]
    expected = {"binary": "bad.txt: error: this looks like a binary file", "undecodable": "bad.txt: warning: not UTF-8",
                "empty": "bad.txt: warning: empty file"}[kind]

    def run(work: Path, _n: int) -> Outcome:
        digest = new_digest(work / kind)
        digest_cli(digest, "build")
        site_before = tree(digest / "site")
        (digest / "content" / "sources" / "bad.txt").write_bytes(data)
        result = digest_cli(digest, "build")
        failures: list[str] = []
        must(expected in result.stderr, f"no message naming the file: {result.stderr[-200:]}", failures)
        if "error" in expected:
            must(result.returncode == 1 and tree(digest / "site") == site_before, "the old site was not kept", failures)
        else:
            must(result.returncode == 0, f"build failed: {result.stderr[-200:]}", failures)
        pages = len(list((digest / "content" / "articles").glob("*.md")))
        must(pages >= 3, f"the other articles were not all processed ({pages} pages)", failures)
        return Outcome(1, failures)
    return run


BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n" + "".join(
    f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n" for p, c in zip("bcdefgh", "cdefghi"))
PYTHON_TAG = "title: !!python/object/apply:os.system [\"touch PWNED\"]\n"


def yaml_attack(yaml_text: str, name: str) -> Callable[[Path, int], Outcome]:
    """YAML that expands to billions of nodes or asks to run code, in front matter and in config.yaml."""
    def run(work: Path, _n: int) -> Outcome:
        failures: list[str] = []
        digest = new_digest(work / f"{name}-page")
        (digest / "content" / "articles" / "attack.md").write_text(f"---\ntitle: x\n{yaml_text}---\n\nText.\n")
        code, seconds, peak, err = measured_build(digest)
        must(code == 1 and "content/articles/attack.md:" in err, f"page: exit {code}: {err[-200:]}", failures)
        must(len(list((digest / "content" / "articles").glob("*.md"))) == 4, "the other sources were not stripped", failures)
        config_digest = new_digest(work / f"{name}-config")
        (config_digest / "config.yaml").write_text(yaml_text)
        config_code, config_seconds, config_peak, err = measured_build(config_digest)
        must(config_code == 2 and "config.yaml:" in err, f"config: exit {config_code}: {err[-200:]}", failures)
        must(not list(work.rglob("PWNED")), "code in YAML ran", failures)
        return Outcome(2, failures, f"refused in {max(seconds, config_seconds):.1f} s, peak {max(peak, config_peak):.0f} MB")
    return run


def empty_page_and_config(work: Path, _n: int) -> Outcome:
    failures: list[str] = []
    digest = new_digest(work / "empty")
    (digest / "content" / "articles" / "empty.md").write_text("")
    result = digest_cli(digest, "build")
    must(result.returncode == 1 and "content/articles/empty.md:1: error: no front matter" in result.stderr,
         f"empty page: {result.stderr[-200:]}", failures)
    (digest / "content" / "articles" / "empty.md").unlink()
    (digest / "config.yaml").write_text("")
    result = digest_cli(digest, "build")
    must(result.returncode == 0, f"empty config.yaml (all defaults) failed: {result.stderr[-200:]}", failures)
    return Outcome(2, failures)


def fuzz(test: str, examples: int) -> Callable[[Path, int], Outcome]:
    def run(_work: Path, _n: int) -> Outcome:
        passed, seconds, output = run_target(test, examples)
        return Outcome(examples, [] if passed else [output[-300:]], f"{seconds:.0f} s")
    return run


def cases(args: argparse.Namespace) -> list[tuple[str, Callable[[Path, int], Outcome], int]]:
    return [
        ("hostile corpus (scripts, event handlers, script URLs, comments, CDATA, bidi overrides, look-alikes)",
         hostile_corpus, 1),
        ("kill -9 at a random moment of a build", kill_during_build, args.kills),
        ("editor saves a page while a build runs", concurrent_edit, args.edits),
        ("symlinks out of the digest (file, folder, dangling, loop)", symlink_escape, 1),
        ("traversal and reserved names in slugs, tags, outlets, file names", traversal_names, 1),
        ("50 MB source", huge_file, 1),
        ("binary file as a source", bad_file("binary"), 1),
        ("undecodable bytes (not UTF-8)", bad_file("undecodable"), 1),
        ("empty source", bad_file("empty"), 1),
        ("empty page, empty config.yaml", empty_page_and_config, 1),
        ("YAML bomb (billion laughs) in front matter and config", yaml_attack(BOMB, "bomb"), 1),
        ("`!!python/object/apply` tag in front matter and config", yaml_attack(PYTHON_TAG, "python"), 1),
        *[(f"fuzz: {name}", fuzz(test, args.fuzz_examples), 1) for name, test in TARGETS.items()],
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=30)
    parser.add_argument("--edits", type=int, default=10)
    parser.add_argument("--fuzz-examples", type=int, default=10_000)
    parser.add_argument("--write", type=Path, help="save the table as Markdown (docs/reliability.md)")
    args = parser.parse_args()
    rows = []
    failed = False
    for name, run, n in cases(args):
        with tempfile.TemporaryDirectory(prefix="digest-reliability-") as work:
            outcome = run(Path(work), n)
        result = OK if not outcome.failures else "FAILED: " + "; ".join(outcome.failures[:3])
        failed |= bool(outcome.failures)
        note = f" ({outcome.note})" if outcome.note else ""
        print(f"{name}: {outcome.tries} × {result}{note}", flush=True)
        rows.append(f"| {name} | {outcome.tries:,} | {result}{note} |")
    if args.write:
        args.write.write_text(
            "# Reliability\n\nEvery fault and bad input below was tried for real by `python3 bench/reliability.py "
            f"--write docs/reliability.md` (kill -9 {args.kills} times, {args.edits} concurrent edits, "
            f"{args.fuzz_examples:,} fuzz examples per target) on {platform.system()} {platform.machine()}, "
            f"Python {platform.python_version()}. What each row guarantees is in SECURITY.md; the suite runs smaller "
            "versions of each (tests/reliability/).\n\n"
            "| case | times tried | result |\n|---|---|---|\n" + "\n".join(rows) + "\n\n"
            "Memory on a 50 MB source: by default it is refused from its size before it is read. With the limit raised, "
            "the build keeps every output file in memory until the swap, and an article's text is in its page, both site "
            "feeds, its tag feeds and the search index, so the peak is many times the source's size: keep "
            "`limits.max_source_bytes` near its default (10 MB) unless the machine has memory to spare.\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
