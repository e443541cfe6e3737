"""`digest deploy`: commit the built site to the pages branch of the digest's git repository, then push it.

Planning is pure and tested table by table: which GitHub repository a remote URL names, where
GitHub Pages will serve it (and so which base_url the site needs), which commit the new deploy
follows, and which files the branch holds. Git is spoken to only through `Repository`, the edge.

The commit is made with git plumbing (hash-object, update-index on a temporary index named by
GIT_INDEX_FILE, write-tree, commit-tree) rather than ghp-import, because deploy must:
- never touch the user's working tree, index or current branch (the temporary index sees to that);
- follow the remote's branch tip when the local branch is behind or missing (a fresh clone),
  and refuse, with advice, when the two have diverged; ghp-import always builds on the local branch,
  so a deploy from a second clone is rejected as non-fast-forward;
- push the new commit first and move the local branch only once the remote took it, so a
  rejected push leaves both sides as they were (nothing half-done);
- write `.nojekyll` and `CNAME` into the commit without writing them into the user's site/.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Callable, Mapping
from urllib.parse import urlsplit

from digest import __version__
from digest.config import Config
from digest.errors import Diagnostic, DigestError, Report, warning

NOJEKYLL = ".nojekyll"  # tells GitHub Pages not to run Jekyll, which would hide files starting with _
CNAME = "CNAME"  # the custom domain GitHub Pages serves the branch at
GITHUB_FILE_LIMIT = 100 * 2**20  # bytes: GitHub refuses a push holding a larger file
_GITHUB_HOSTS = {"github.com", "www.github.com", "ssh.github.com"}


class DeployError(DigestError):
    """deploy could not finish; what was left as it was is said in the message (exit 1)."""

    exit_code = 1


@dataclass(frozen=True)
class DeployOptions:
    remote: str = "origin"  # the git remote to push to
    branch: str = "gh-pages"  # the branch that holds only the built site
    message: str | None = None  # commit message; a default names the source commit
    push: bool = True  # False: commit to the local branch only


@dataclass(frozen=True)
class DeployResult:
    commit: str
    parent: str | None
    branch: str
    pushed_to: str | None  # the remote name, or None when not pushed
    site_url: str | None = None  # where GitHub Pages serves the branch, when the remote is on GitHub
    report: Report = field(default_factory=Report)


# --- planning (pure) ----------------------------------------------------------

@dataclass(frozen=True)
class GitHubRepo:
    """A repository on github.com, as named by a remote URL."""

    owner: str
    name: str


_SCP_LIKE = re.compile(r"^(?:[^@/]+@)?(?P<host>[^:/]+):(?P<path>(?!/).+)$")


def parse_remote_url(url: str) -> GitHubRepo | None:
    """The GitHub repository a remote URL points to, or None for any other host or a local path.

    Accepts the forms git does: https://github.com/u/r.git, ssh://git@github.com[:22]/u/r.git,
    git://github.com/u/r and the scp-like git@github.com:u/r.git.
    """
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme in ("https", "http", "ssh", "git", "git+ssh", "ssh+git"):
        host, path = parts.hostname or "", parts.path
    elif "://" not in url and (match := _SCP_LIKE.match(url)):
        host, path = match["host"], match["path"]
    else:
        return None
    if host.lower() not in _GITHUB_HOSTS:
        return None
    path = path.strip("/")
    if path.endswith(".git"):
        path = path[: -len(".git")]
    owner, _, name = path.partition("/")
    if not owner or not name or "/" in name:
        return None
    return GitHubRepo(owner, name)


@dataclass(frozen=True)
class PagesSite:
    """Where GitHub Pages serves a repository's pages branch."""

    host: str
    path: str  # always with slashes at both ends: '/' or '/repo/'

    @property
    def url(self) -> str:
        return f"https://{self.host}{self.path}"


def pages_site(repo: GitHubRepo, cname: str | None = None) -> PagesSite:
    """The address of repo's Pages site: a custom domain's root, a user site's root, or /repo/ of a project site.

    https://docs.github.com/en/pages/getting-started-with-github-pages/about-github-pages#types-of-github-pages-sites
    """
    if cname:
        return PagesSite(cname.lower(), "/")
    user_host = f"{repo.owner.lower()}.github.io"
    if repo.name.lower() == user_host:
        return PagesSite(user_host, "/")
    return PagesSite(user_host, f"/{repo.name}/")


def check_base_url(base_url: str, base_path: str, cname: str | None, remote: str, remote_url: str) -> list[Diagnostic]:
    """Warnings when base_url does not match where GitHub Pages will serve the remote's repository."""
    repo = parse_remote_url(remote_url)
    if repo is None:
        return []
    site = pages_site(repo, cname)
    served_by = f"GitHub Pages serves {repo.owner}/{repo.name} (remote {remote})" + (" on its custom domain" if cname else "")
    hint = f"set base_url: {site.url} in config.yaml"
    if base_path.lower() != site.path.lower():
        return [warning("config.yaml", f"base_url {base_url!r} puts the site under {base_path}, but {served_by} "
                                       f"at {site.url}: links would break", hint=hint)]
    host = urlsplit(base_url).hostname
    if host and host.lower() != site.host:
        return [warning("config.yaml", f"base_url {base_url!r} names the host {host}, but {served_by} at {site.url}: "
                                       f"feed and sitemap links would point elsewhere", hint=hint)]
    return []


def check_cname(cname: str | None) -> list[Diagnostic]:
    """Problems with the cname option: GitHub wants a bare host name in the CNAME file."""
    if cname is None:
        return []
    if not re.fullmatch(r"(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]*", cname):
        return [Diagnostic("config.yaml", f"cname: expected a bare domain name such as news.example.org, found {cname!r}",
                           hint="write only the host name, without https:// or a path")]
    return []


def choose_parent(local: str | None, remote: str | None, remote_in_local: bool, local_in_remote: bool,
                  branch: str, remote_name: str) -> str | None:
    """The commit the new deploy follows: the newer of the local and remote branch tips.

    remote_in_local: the remote tip is an ancestor of (or equal to) the local one; local_in_remote the reverse.
    Raises DeployError when the two have diverged: a push would be rejected, and picking one side
    silently would drop the other's deploys.
    """
    if local is None or remote is None or local == remote:
        return local or remote
    if remote_in_local:
        return local
    if local_in_remote:
        return remote
    raise DeployError(Diagnostic(
        branch, f"the local branch {branch} and {remote_name}/{branch} have diverged (someone deployed from elsewhere); nothing was changed",
        hint=f"to build on the remote's deploys: git branch -f {branch} {remote_name}/{branch}, then deploy again; "
             f"to replace them with yours: git push --force {remote_name} {branch}"))


def branch_files(site_files: Mapping[str, Path], cname: str | None) -> dict[str, Path | bytes]:
    """What the pages branch holds: the built site at its root, plus .nojekyll and, with a cname, CNAME."""
    files: dict[str, Path | bytes] = dict(site_files)
    files[NOJEKYLL] = b""
    if cname:
        files[CNAME] = cname.encode("ascii") + b"\n"
    return files


def too_big_for_github(site_files: Mapping[str, Path]) -> list[tuple[str, int]]:
    """(name, size) of each file of the site larger than GitHub takes in a push: a push holding one is refused."""
    sizes = ((name, path.stat().st_size) for name, path in site_files.items())
    return [(name, size) for name, size in sizes if size > GITHUB_FILE_LIMIT]


def commit_message(source: str | None, dirty: bool) -> str:
    """The default deploy message: which source commit the site was built from, and whether it had changes on top."""
    if source is None:
        return f"Deploy with digest {__version__} (the source has no commit yet)"
    extra = " plus uncommitted changes" if dirty else ""
    return f"Deploy {source[:12]}{extra} with digest {__version__}"


def list_site_files(output: Path) -> dict[str, Path]:
    """The files of the built site folder, by posix path relative to it."""
    files = {}
    for path in sorted(output.rglob("*")):
        if path.is_file():
            name = path.relative_to(output).as_posix()
            if "\n" in name or "\r" in name:
                raise DeployError(Diagnostic(str(path), "a file name holds a line break; git plumbing cannot add it",
                                             hint="rename the file"))
            files[name] = path
    return files


# --- git, the edge ------------------------------------------------------------------

class Repository:
    """The git repository holding a digest, driven through the git command."""

    def __init__(self, folder: Path):
        self.folder = folder.resolve()
        try:
            found = self._run("rev-parse", "--show-toplevel", cwd=self.folder)
        except FileNotFoundError:
            raise DeployError(Diagnostic(str(self.folder), "git is not installed", hint="install git, e.g. apt-get install git")) from None
        if found.returncode != 0:
            raise DeployError(Diagnostic(str(self.folder), "not inside a git repository; nothing was changed",
                                         hint="make the digest a repository first: git init && git add -A && git commit -m 'First digest', "
                                              "then add a GitHub remote: git remote add origin https://github.com/USER/REPO.git"))
        self.top = Path(found.stdout.strip())

    def _run(self, *args: str, cwd: Path | None = None, input: str | None = None,
             env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", *args], cwd=cwd or self.top, input=input, capture_output=True, text=True,
                              env={**os.environ, **(env or {})})

    def git(self, *args: str, input: str | None = None, env: Mapping[str, str] | None = None, what: str = "") -> str:
        """stdout of a git command that must succeed; DeployError with git's own words otherwise."""
        done = self._run(*args, input=input, env=env)
        if done.returncode != 0:
            raise DeployError(Diagnostic(str(self.top), f"{what or 'git ' + args[0]} failed; nothing was changed{_reason(done.stderr)}",
                                         hint="fix what git reports, then deploy again"))
        return done.stdout

    def is_branch_name(self, name: str) -> bool:
        return self._run("check-ref-format", f"refs/heads/{name}").returncode == 0

    def commit_of(self, ref: str) -> str | None:
        done = self._run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
        return done.stdout.strip() if done.returncode == 0 else None

    def contains(self, ancestor: str, descendant: str) -> bool:
        return self._run("merge-base", "--is-ancestor", ancestor, descendant).returncode == 0

    def remote_url(self, remote: str) -> str | None:
        """The URL as written in the config (before url.*.insteadOf rewriting): the one that names the repository."""
        done = self._run("config", "--get", f"remote.{remote}.url")
        return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else None

    def checked_out_at(self, branch: str) -> Path | None:
        """The worktree that has branch checked out, if any: moving its tip would leave that checkout out of date."""
        worktree = None
        for line in self.git("worktree", "list", "--porcelain").splitlines():
            if line.startswith("worktree "):
                worktree = Path(line[len("worktree "):])
            elif line == f"branch refs/heads/{branch}":
                return worktree
        return None

    def uncommitted(self, inside: Path, leave_out: Path) -> list[str]:
        """Changed and untracked files under inside (but not under leave_out), as paths relative to the repository."""
        # --no-optional-locks: a plain status may rewrite the index to refresh file times; deploy never writes it.
        out = self.git("--no-optional-locks", "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", str(inside))
        skip = _relative_or_none(leave_out, self.top)
        names, entries = [], iter(out.split("\0"))
        for entry in entries:
            if not entry:
                continue
            if entry[0] in "RC":  # a rename names the source path in the next field
                next(entries, None)
            name = entry[3:]
            if skip is None or not (name == skip or name.startswith(skip + "/")):
                names.append(name)
        return sorted(names)

    def remote_tip(self, remote: str, branch: str) -> str | None:
        """The remote's branch tip, fetched so it can be a parent; None when the remote has no such branch."""
        done = self._run("ls-remote", "--heads", remote, f"refs/heads/{branch}")
        if done.returncode != 0:
            raise DeployError(Diagnostic(str(self.top), f"cannot reach the remote {remote}; nothing was changed{_reason(done.stderr)}",
                                         hint=f"check the URL (git remote get-url {remote}) and your access to it, or deploy with --no-push"))
        tips = [line.split("\t")[0] for line in done.stdout.splitlines() if line.endswith(f"\trefs/heads/{branch}")]
        if not tips:
            return None
        if self.commit_of(tips[0]) is None:
            self.git("fetch", "--no-tags", remote, f"refs/heads/{branch}", what=f"fetching {branch} from {remote}")
        return tips[0]

    def write_tree(self, files: Mapping[str, Path | bytes]) -> str:
        """Store files as blobs and a tree, through a temporary index: the user's index is never read or written."""
        with tempfile.TemporaryDirectory(prefix="digest-deploy-") as tmp:
            paths = []
            for i, (name, source) in enumerate(sorted(files.items())):
                if isinstance(source, bytes):
                    spilled = Path(tmp, f"blob-{i}")
                    spilled.write_bytes(source)
                    source = spilled
                paths.append((name, source.resolve()))
            blobs = self.git("hash-object", "-w", "--no-filters", "--stdin-paths",
                             input="".join(f"{p}\n" for _, p in paths), what="storing the site in git").split()
            env = {"GIT_INDEX_FILE": str(Path(tmp, "index"))}
            entries = "".join(f"100644 {blob}\t{name}\0" for (name, _), blob in zip(paths, blobs))
            self.git("update-index", "--add", "-z", "--index-info", input=entries, env=env, what="staging the site")
            return self.git("write-tree", env=env, what="writing the site tree").strip()

    def commit_tree(self, tree: str, parent: str | None, message: str) -> str:
        args = ["commit-tree", tree, *(["-p", parent] if parent else []), "-F", "-"]
        done = self._run(*args, input=message + "\n")
        if done.returncode != 0:
            hint = "fix what git reports, then deploy again"
            if "identity" in done.stderr or "tell me who you are" in done.stderr:
                hint = 'tell git who you are: git config user.name "Your Name" && git config user.email you@example.org'
            raise DeployError(Diagnostic(str(self.top), f"git could not make the deploy commit; nothing was changed{_reason(done.stderr)}",
                                         hint=hint))
        return done.stdout.strip()

    def move_branch(self, branch: str, new: str, old: str | None) -> bool:
        """Point branch at new if it is still at old (None: does not exist yet); False if it moved meanwhile."""
        expected = old or "0" * len(new)
        return self._run("update-ref", "-m", "digest deploy", f"refs/heads/{branch}", new, expected).returncode == 0

    def push(self, remote: str, commit: str, branch: str) -> subprocess.CompletedProcess[str]:
        return self._run("push", remote, f"{commit}:refs/heads/{branch}")


def _reason(stderr: str) -> str:
    lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    return "".join(f"\n  Reason: {line}" for line in lines)


def _relative_or_none(path: Path, top: Path) -> str | None:
    try:
        return path.resolve().relative_to(top.resolve()).as_posix()
    except ValueError:
        return None


# --- deploy ----------------------------------------------------------------------

def deploy_site(config: Config, options: DeployOptions, build: Callable[[], Report] | None = None) -> DeployResult:
    """Commit the built site to options.branch (building it first with build, unless None) and push it.

    The working tree, the index and the current branch are never touched. Every check that can
    fail runs before the build; a rejected push changes nothing, local or remote.
    """
    report = Report()
    problems = check_cname(config.cname)
    if problems:
        raise DeployError(problems)
    repo = Repository(config.root)
    branch, remote = options.branch, options.remote
    if not repo.is_branch_name(branch):
        raise DeployError(Diagnostic(str(repo.top), f"{branch!r} is not a valid branch name", hint="pass --branch gh-pages"))
    url = repo.remote_url(remote)
    if url is not None:
        report.add(*check_base_url(config.base_url, config.base_path, config.cname, remote, url))
    elif options.push:
        raise DeployError(Diagnostic(str(repo.top), f"there is no git remote named {remote!r}; nothing was changed",
                                     hint=f"add it: git remote add {remote} https://github.com/USER/REPO.git "
                                          f"(git remote -v lists the remotes), pass --remote NAME, or commit locally with --no-push"))
    else:
        report.add(warning(str(repo.top), f"no git remote named {remote!r}: base_url was not checked against a GitHub repository"))
    head = repo.commit_of("HEAD")
    local, parent = find_parent(repo, options, head, has_remote=url is not None)

    output = config.resolve(config.paths.output)
    if build is not None:
        report.add(*build().diagnostics)
    if not (output / "index.html").is_file():
        raise DeployError(Diagnostic(str(output), "no built site here (index.html is missing); nothing was changed",
                                     hint="run digest build first, or deploy without --no-build"))
    changes = repo.uncommitted(config.root, output)
    report.add(*uncommitted_warning(str(config.root), changes))

    site_files = list_site_files(output)
    github = parse_remote_url(url) if url else None
    too_big = too_big_for_github(site_files)
    if too_big and github is not None:  # refused with the push, after the commit: refused here, before it
        raise DeployError([Diagnostic(str(site_files[name]), f"{size / 2**20:,.0f} MiB: GitHub refuses a push holding a "
                                                             f"file over {GITHUB_FILE_LIMIT // 2**20} MiB; nothing was changed",
                                      hint="make it smaller, or serve it from elsewhere and link to it")
                           for name, size in too_big])
    report.add(*(warning(str(site_files[name]), f"{size / 2**20:,.0f} MiB: GitHub would refuse a push holding it "
                                               f"(over {GITHUB_FILE_LIMIT // 2**20} MiB), if the site moves there")
                 for name, size in too_big))
    tree = repo.write_tree(branch_files(site_files, config.cname))
    commit = repo.commit_tree(tree, parent, options.message or commit_message(head, dirty=bool(changes)))
    if options.push:
        pushed = repo.push(remote, commit, branch)
        if pushed.returncode != 0:
            raise DeployError(Diagnostic(str(repo.top), f"{remote} rejected the push of {branch}; nothing was changed: {remote} "
                                                        f"and your local {branch} are as they were{_reason(pushed.stderr)}",
                                         hint="fix what the remote reports (access rights, branch protection, a hook), then deploy again"))
    if not repo.move_branch(branch, commit, local):
        where = f"{remote} has the new commit {commit[:12]}, but " if options.push else ""
        raise DeployError(Diagnostic(str(repo.top), f"{where}the local branch {branch} moved while deploying and was left as it is",
                                     hint=f"look at it (git log {branch}); git branch -f {branch} {commit[:12]} takes the deploy"))
    site_url = pages_site(github, config.cname).url if github else None
    return DeployResult(commit, parent, branch, remote if options.push else None, site_url, report)


def find_parent(repo: Repository, options: DeployOptions, head: str | None, has_remote: bool) -> tuple[str | None, str | None]:
    """The local pages branch tip and the commit the deploy follows, after refusing a branch deploy must not move.

    With a push, the remote's tip is asked for (and fetched); without, the last one seen (refs/remotes/...).
    """
    branch, remote = options.branch, options.remote
    checkout = repo.checked_out_at(branch)
    if checkout is not None:
        raise DeployError(Diagnostic(str(checkout), f"the pages branch {branch} is checked out here; deploying would leave this "
                                                    "checkout out of date, so nothing was changed",
                                     hint="switch it to your source branch (git switch main), or deploy to another branch with --branch"))
    local = repo.commit_of(f"refs/heads/{branch}")
    if options.push:
        remote_tip = repo.remote_tip(remote, branch)
    else:
        remote_tip = repo.commit_of(f"refs/remotes/{remote}/{branch}") if has_remote else None
    for tip in (local, remote_tip):
        if tip is not None and head is not None and repo.contains(tip, head):
            raise DeployError(Diagnostic(str(repo.top), f"the branch {branch} is part of your source history, not a pages branch: "
                                                        "deploying would replace your sources with the site; nothing was changed",
                                         hint="deploy to a branch of its own: --branch gh-pages"))
    both = local is not None and remote_tip is not None
    parent = choose_parent(local, remote_tip,
                           remote_in_local=both and repo.contains(str(remote_tip), str(local)),
                           local_in_remote=both and repo.contains(str(local), str(remote_tip)),
                           branch=branch, remote_name=remote)
    return local, parent


def uncommitted_warning(root: str, changes: list[str]) -> list[Diagnostic]:
    """A warning naming the uncommitted changes a deploy publishes: reported, never touched."""
    if not changes:
        return []
    shown = ", ".join(changes[:3]) + (f" and {len(changes) - 3} more" if len(changes) > 3 else "")
    return [warning(root, f"{len(changes)} uncommitted change(s) in the digest ({shown}): the deployed site "
                          "includes them, but no commit does; they were left as they are",
                    hint="commit them, so the deployed site can be rebuilt from your history")]


def pages_workflow(requirement: str) -> str:
    """The GitHub Actions workflow that builds the digest and publishes it with GitHub's Pages actions.

    requirement is what pip installs: a pinned `digest==X.Y.Z` for a new digest, `.` for digest's own repository.
    """
    template = (resources.files("digest") / "workflows" / "pages.yml").read_text(encoding="utf-8")
    return template.replace("__DIGEST_REQUIREMENT__", requirement)
