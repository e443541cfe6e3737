"""The command line: parse, load config, call one function, map errors to exit codes.

Exit codes: 0 success; 1 content problems (broken pages or sources); 2 usage or config errors.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable, Sequence

from digest import __version__
from digest.config import Config, load_config
from digest.errors import DigestError, Report

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


class Console:
    """Where messages go: diagnostics and summaries to stderr, progress only on a terminal."""

    def __init__(self, verbosity: int = 0, stream=None):
        self.verbosity = verbosity
        self.stream = stream or sys.stderr
        self.interactive = self.stream.isatty() and verbosity >= 0
        self._status = False  # a progress line is on screen, to be cleared before the next message

    def _clear(self) -> None:
        if self._status:
            print("\r\033[K", end="", file=self.stream, flush=True)
            self._status = False

    def say(self, text: str) -> None:
        if self.verbosity >= 0:
            self._clear()
            print(text, file=self.stream)

    def report(self, report: Report) -> None:
        """Print the run's diagnostics; with -q only its errors."""
        self._clear()
        for d in report.diagnostics:
            if self.verbosity >= 0 or d.severity.value == "error":
                print(d, file=self.stream)

    def progress(self, stage: str, done: int, total: int) -> None:
        """One status line, rewritten in place, on a terminal only: `[3/9] annotate…`."""
        if self.interactive:
            print(f"\r\033[K[{done}/{total}] {stage}…", end="", file=self.stream, flush=True)
            self._status = True


def _config(args: argparse.Namespace, **overrides: object) -> Config:
    path = Path(args.config) if getattr(args, "config", None) else None
    return load_config(path, overrides=overrides)


def cmd_build(args: argparse.Namespace, console: Console) -> int:
    from digest.build import BuildOptions, build_site
    from digest.parallel import Executor
    from digest.profile import StageTimer

    config = _config(args, base_url=args.base_url)
    timer = StageTimer()
    options = BuildOptions(output=Path(args.out) if args.out else None, drafts=args.drafts,
                           progress=console.progress, executor=Executor.parse(args.executor), cache=not args.no_cache,
                           timer=timer)
    result = build_site(config, options)
    console.report(result.report)
    if result.up_to_date:
        console.say(f"up to date: nothing changed since the last build ({result.articles} articles, {result.files} files, "
                    f"{len(result.report.warnings)} warnings; checked in {result.seconds:.2f}s)")
    else:
        console.say(f"built {result.articles} articles, {result.files} files, "
                    f"{len(result.report.warnings)} warnings in {result.seconds:.2f}s")
    if args.profile:
        print(timer.table(), file=sys.stderr)
    return EXIT_OK


def cmd_init(args: argparse.Namespace, console: Console) -> int:
    from digest.scaffold import init_digest

    created = init_digest(Path(args.dir))
    console.say(f"created a digest in {args.dir} ({len(created)} files); next: cd {args.dir} && digest build")
    return EXIT_OK


def cmd_deploy(args: argparse.Namespace, console: Console) -> int:
    from digest.build import BuildOptions, build_site
    from digest.deploy import DeployError, DeployOptions, deploy_site

    config = _config(args)
    options = DeployOptions(remote=args.remote, branch=args.branch, message=args.message, push=not args.no_push)
    build = None if args.no_build else (lambda: build_site(config, BuildOptions(progress=console.progress)).report)
    try:
        result = deploy_site(config, options, build)
    except DeployError as exc:  # says itself what was left as it was, unlike a build failure
        if args.verbose:
            raise
        for d in exc.diagnostics:
            print(d, file=sys.stderr)
        print("digest deploy: failed", file=sys.stderr)
        return exc.exit_code
    console.report(result.report)
    after = f"first commit of {result.branch}" if result.parent is None else f"after {result.parent[:12]}"
    if result.pushed_to:
        console.say(f"deployed {result.commit[:12]} to {result.branch} ({after}) and pushed it to {result.pushed_to}"
                    + (f"; GitHub Pages serves it at {result.site_url}" if result.site_url else ""))
    else:
        console.say(f"committed {result.commit[:12]} to {result.branch} ({after}); not pushed — "
                    f"publish it with: git push {args.remote} {result.branch}")
    return EXIT_OK
def cmd_check(args: argparse.Namespace, console: Console) -> int:
    from digest.build import load_documents
    from digest.check import check_digest

    config = _config(args, base_url=args.base_url)
    documents, report = load_documents(config)
    if not report.errors:
        report.add(*check_digest(config, documents, Path(args.site) if args.site else None).diagnostics)
    console.report(report)
    failed = report.errors or (args.strict and report.warnings)
    console.say(f"checked {len(documents)} articles: {len(report.errors)} errors, {len(report.warnings)} warnings")
    return EXIT_CONTENT if failed else EXIT_OK
def cmd_serve(args: argparse.Namespace, console: Console) -> int:
    from digest.serve import ServeOptions, serve

    config = _config(args)
    serve(config, ServeOptions(host=args.host, port=args.port, open_browser=args.open, poll=args.poll,
                               drafts=args.drafts, config_file=Path(args.config) if args.config else None),
          say=console.say, complain=lambda text: print(text, file=console.stream))
    return EXIT_OK
def cmd_strip(args: argparse.Namespace, console: Console) -> int:
    import json

    from digest.config import Limits
    from digest.stages.strip import StripOptions
    from digest.strip_files import StripJob, strip_files
    from digest.strip_output import article_record, format_article

    options, max_bytes, keep = StripOptions(), Limits().max_source_bytes, {}
    if args.config or Path("config.yaml").is_file():  # inside a digest: its phrases, size limit and keep: lists
        from digest.strip_output import keep_lists

        config = _config(args)
        options = StripOptions(boilerplate=config.cleaning.boilerplate)
        max_bytes = config.limits.max_source_bytes
        keep = keep_lists(config)
    jobs = []
    for name in args.paths:
        path = Path(name)
        job_options = StripOptions(options.boilerplate, keep.get(path.resolve(), ()))
        jobs.append(StripJob(path, Path.cwd(), job_options, max_bytes))
    failed = 0
    records = []
    for result in strip_files(jobs, args.jobs):
        for d in result.diagnostics:
            print(d, file=sys.stderr)
        failed += result.article is None
        record = article_record(str(result.path), result.article, result.diagnostics)
        if args.format == "jsonl":
            print(json.dumps(record, ensure_ascii=False), flush=True)
        elif args.format == "json":
            records.append(record)
        elif result.article is not None:
            if len(jobs) > 1:
                print(f"==> {result.path} <==")
            print(format_article(result.article, args.format, args.explain))
    if args.format == "json":
        print(json.dumps(records, ensure_ascii=False, indent=1))
    return EXIT_CONTENT if failed else EXIT_OK


def _executor(text: str) -> str:
    from digest.parallel import Executor

    try:
        Executor.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="digest",
        description="Build annotated news digests: strip raw articles, annotate and cross-link them, publish a static site.",
        epilog="exit codes: 0 success, 1 content problems, 2 usage or config errors",
    )
    parser.add_argument("--version", action="version", version=f"digest {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="count", default=0, help="print only errors")
    common.add_argument("-v", "--verbose", action="count", default=0, help="print more; tracebacks on failure")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    build = sub.add_parser("build", parents=[common], help="build the site into site/",
                           description="Strip new sources into content/articles/, then build the site: only what a change "
                                       "touches is rendered again, and with nothing changed since the last build it "
                                       "says so and stops.")
    build.add_argument("--config", metavar="FILE", help="config file (default: ./config.yaml)")
    build.add_argument("--base-url", metavar="URL", help="override base_url, e.g. https://user.github.io/news/")
    build.add_argument("--out", metavar="DIR", help="output folder (default: paths.output, site/)")
    build.add_argument("--drafts", action="store_true", help="include pages marked draft: true")
    build.add_argument("--profile", action="store_true", help="print the time each stage took")
    build.add_argument("--executor", default="auto", metavar="KIND", type=_executor,
                       help="where per-article stages run: serial, process (all cores), dask or dask=SCHEDULER_ADDRESS "
                            "(pip install 'digest[dask]'); default auto: serial for few articles, process for many")
    build.add_argument("--no-cache", action="store_true", help="recompute and render everything; leave .digest-cache/ as it is")
    build.set_defaults(func=cmd_build)

    check = sub.add_parser("check", parents=[common], help="check config, front matter and every link of the site",
                           description="Validate a digest without publishing it: config, front matter, editor's notes, "
                                       "and every internal link and anchor of the built site under its base path.")
    check.add_argument("--config", metavar="FILE", help="config file (default: ./config.yaml)")
    check.add_argument("--base-url", metavar="URL", help="override base_url, e.g. https://user.github.io/news/")
    check.add_argument("--site", metavar="DIR", help="check this built site instead of building into a temporary folder")
    check.add_argument("--strict", action="store_true", help="warnings fail too (exit 1)")
    check.set_defaults(func=cmd_check)
    strip = sub.add_parser("strip", parents=[common], help="print the cleaned article of raw source files",
                           description="Strip boilerplate from raw articles (.txt, .html, .md) and print them with their "
                                       "metadata; inside a digest folder, config.yaml's cleaning options and pages' keep: apply.")
    strip.add_argument("paths", nargs="+", metavar="PATH", help="source files")
    strip.add_argument("--format", choices=("markdown", "text", "json", "jsonl"), default="markdown",
                       help="markdown: the page digest writes; text: title and body; json/jsonl: fields and removed lines")
    strip.add_argument("--explain", action="store_true", help="also list every removed line and the rule that removed it")
    strip.add_argument("--config", metavar="FILE", help="config file (default: ./config.yaml when present)")
    strip.add_argument("-j", "--jobs", type=int, metavar="N", help="processes to use (default: one per core)")
    strip.set_defaults(func=cmd_strip)

    init = sub.add_parser("init", parents=[common], help="create a new digest folder",
                          description="Create a digest: config.yaml with every option, content/ with a sample source, themes/.")
    init.add_argument("dir", metavar="DIR", help="folder to create (must be empty or missing)")
    init.set_defaults(func=cmd_init)

    deploy = sub.add_parser("deploy", parents=[common], help="publish the site on GitHub Pages through a git branch",
                            description="Build the site, commit it to the pages branch of the digest's git repository "
                                        "(with .nojekyll, and CNAME when cname is set), then push that branch. "
                                        "Your working tree, index and current branch are left untouched.")
    deploy.add_argument("--config", metavar="FILE", help="config file (default: ./config.yaml)")
    deploy.add_argument("--remote", default="origin", metavar="NAME", help="git remote to push to (default: origin)")
    deploy.add_argument("--branch", default="gh-pages", metavar="NAME", help="branch that holds the site (default: gh-pages)")
    deploy.add_argument("--message", "-m", metavar="TEXT", help="commit message (default: names the source commit)")
    deploy.add_argument("--no-push", action="store_true", help="commit to the local branch only")
    deploy.add_argument("--no-build", action="store_true", help="deploy the output folder as it is, without building")
    deploy.set_defaults(func=cmd_deploy)
    serve = sub.add_parser("serve", parents=[common], help="preview the site, rebuilding and reloading on every save",
                           description="Build, serve the site under its base path, and rebuild and reload the browser "
                                       "whenever a source, page, config.yaml or theme file changes.")
    serve.add_argument("--config", metavar="FILE", help="config file (default: ./config.yaml)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on, 0 for any free one (default: 8000)")
    serve.add_argument("--open", action="store_true", help="open the site in the web browser")
    serve.add_argument("--poll", action="store_true", help="poll for changes (network mounts, WSL2, containers)")
    serve.add_argument("--drafts", action="store_true", help="include pages marked draft: true")
    serve.set_defaults(func=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if not args.command:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    console = Console(args.verbose - args.quiet)
    func: Callable[[argparse.Namespace, Console], int] = args.func
    try:
        return func(args, console)
    except DigestError as exc:
        for d in exc.diagnostics:
            print(d, file=sys.stderr)
        if args.verbose:
            raise
        errors = sum(1 for d in exc.diagnostics if d.severity.value == "error")
        print(f"digest {args.command}: failed with {errors} error(s); the site was not updated", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
