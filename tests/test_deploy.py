"""digest deploy: pure planning table by table, then the real CLI against real git repositories.

The remote is a bare repository on disk; git's identity comes from the environment and every
git config outside the test's repositories is shut out (GIT_CONFIG_GLOBAL, GIT_CONFIG_NOSYSTEM).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sysconfig
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from digest import __version__
from digest.deploy import (GITHUB_FILE_LIMIT, DeployError, GitHubRepo, PagesSite, branch_files, check_base_url,
                           check_cname, choose_parent, commit_message, pages_site, pages_workflow, parse_remote_url,
                           too_big_for_github, uncommitted_warning)
from tests.conftest import REPO, run_digest

# --- remote URLs ------------------------------------------------------------------

NEWS = GitHubRepo("user", "news")


@pytest.mark.parametrize("url, expected", [
    ("https://github.com/user/news.git", NEWS),
    ("https://github.com/user/news", NEWS),
    ("https://github.com/user/news/", NEWS),
    ("http://github.com/user/news.git", NEWS),
    ("https://token@github.com/user/news.git", NEWS),
    ("ssh://git@github.com/user/news.git", NEWS),
    ("ssh://git@github.com:22/user/news.git", NEWS),
    ("ssh://git@ssh.github.com:443/user/news.git", NEWS),
    ("git://github.com/user/news.git", NEWS),
    ("git@github.com:user/news.git", NEWS),
    ("github.com:user/news", NEWS),
    ("git@GitHub.com:User/user.github.io.git", GitHubRepo("User", "user.github.io")),
    ("https://gitlab.com/user/news.git", None),
    ("git@gitlab.com:user/news.git", None),
    ("/srv/git/news.git", None),
    ("file:///srv/git/news.git", None),
    ("../news.git", None),
    ("https://github.com/user", None),
    ("https://github.com/user/news/tree/main", None),
], ids=lambda v: str(v))
def test_parse_remote_url(url: str, expected: GitHubRepo | None) -> None:
    assert parse_remote_url(url) == expected


_OWNER = st.from_regex(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,20}[A-Za-z0-9])?", fullmatch=True)
_NAME = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,30}", fullmatch=True).filter(
    lambda n: not n.endswith(".git") and n not in (".", ".."))


@given(owner=_OWNER, name=_NAME, form=st.sampled_from([
    "https://github.com/{}/{}.git", "https://github.com/{}/{}", "ssh://git@github.com/{}/{}.git",
    "git@github.com:{}/{}.git", "git@github.com:{}/{}"]))
def test_every_remote_url_form_names_the_same_repository(owner: str, name: str, form: str) -> None:
    assert parse_remote_url(form.format(owner, name)) == GitHubRepo(owner, name)


# --- where Pages serves a repository, and base_url -----------------------------------------------

@pytest.mark.parametrize("repo, cname, expected", [
    (GitHubRepo("user", "news"), None, PagesSite("user.github.io", "/news/")),
    (GitHubRepo("User", "News"), None, PagesSite("user.github.io", "/News/")),
    (GitHubRepo("user", "user.github.io"), None, PagesSite("user.github.io", "/")),
    (GitHubRepo("User", "USER.github.io"), None, PagesSite("user.github.io", "/")),
    (GitHubRepo("user", "news"), "News.Example.org", PagesSite("news.example.org", "/")),
], ids=["project", "project-case", "user", "user-case", "custom-domain"])
def test_pages_site(repo: GitHubRepo, cname: str | None, expected: PagesSite) -> None:
    assert pages_site(repo, cname) == expected


@pytest.mark.parametrize("base_url, base_path, cname, remote_url", [
    ("https://user.github.io/news/", "/news/", None, "git@github.com:user/news.git"),
    ("/news/", "/news/", None, "https://github.com/user/news.git"),
    ("https://user.github.io/", "/", None, "https://github.com/user/user.github.io.git"),
    ("https://news.example.org/", "/", "news.example.org", "https://github.com/user/news.git"),
    ("/", "/", None, "/srv/git/news.git"),  # not on GitHub: nothing to compare with
], ids=["project", "project-relative", "user", "custom-domain", "not-github"])
def test_base_url_that_fits_the_remote_gives_no_warning(base_url: str, base_path: str, cname: str | None,
                                                        remote_url: str) -> None:
    assert check_base_url(base_url, base_path, cname, "origin", remote_url) == []


@pytest.mark.parametrize("base_url, base_path, cname, remote_url, message", [
    ("/", "/", None, "git@github.com:user/news.git",
     "base_url '/' puts the site under /, but GitHub Pages serves user/news (remote origin) at "
     "https://user.github.io/news/: links would break — set base_url: https://user.github.io/news/ in config.yaml"),
    ("https://user.github.io/news/", "/news/", None, "https://github.com/user/user.github.io",
     "base_url 'https://user.github.io/news/' puts the site under /news/, but GitHub Pages serves user/user.github.io "
     "(remote origin) at https://user.github.io/: links would break — set base_url: https://user.github.io/ in config.yaml"),
    ("https://user.github.io/old/", "/old/", None, "https://github.com/user/news.git",
     "base_url 'https://user.github.io/old/' puts the site under /old/, but GitHub Pages serves user/news (remote origin) "
     "at https://user.github.io/news/: links would break — set base_url: https://user.github.io/news/ in config.yaml"),
    ("https://other.github.io/news/", "/news/", None, "https://github.com/user/news.git",
     "base_url 'https://other.github.io/news/' names the host other.github.io, but GitHub Pages serves user/news "
     "(remote origin) at https://user.github.io/news/: feed and sitemap links would point elsewhere — "
     "set base_url: https://user.github.io/news/ in config.yaml"),
    ("https://user.github.io/news/", "/news/", "news.example.org", "https://github.com/user/news.git",
     "base_url 'https://user.github.io/news/' puts the site under /news/, but GitHub Pages serves user/news (remote origin) "
     "on its custom domain at https://news.example.org/: links would break — "
     "set base_url: https://news.example.org/ in config.yaml"),
], ids=["root-for-project", "subpath-for-user", "wrong-repo-name", "wrong-host", "custom-domain"])
def test_base_url_that_disagrees_with_the_remote_warns(base_url: str, base_path: str, cname: str | None,
                                                       remote_url: str, message: str) -> None:
    (problem,) = check_base_url(base_url, base_path, cname, "origin", remote_url)
    assert str(problem) == f"config.yaml: warning: {message}"


@pytest.mark.parametrize("cname, ok", [
    (None, True), ("news.example.org", True), ("example.org", True), ("my-news.example.co.uk", True),
    ("https://news.example.org", False), ("news.example.org/", False), ("news", False), ("news example.org", False),
], ids=lambda v: str(v))
def test_check_cname(cname: str | None, ok: bool) -> None:
    assert (check_cname(cname) == []) is ok


# --- which commit a deploy follows --------------------------------------------------

@pytest.mark.parametrize("local, remote, remote_in_local, local_in_remote, parent", [
    (None, None, False, False, None),
    ("L", None, False, False, "L"),
    (None, "R", False, False, "R"),
    ("S", "S", True, True, "S"),
    ("L", "R", True, False, "L"),  # local is ahead: earlier deploys made with --no-push
    ("L", "R", False, True, "R"),  # local is behind: someone deployed from another clone
], ids=["first", "local-only", "remote-only", "same", "local-ahead", "local-behind"])
def test_choose_parent(local: str | None, remote: str | None, remote_in_local: bool, local_in_remote: bool,
                       parent: str | None) -> None:
    assert choose_parent(local, remote, remote_in_local, local_in_remote, "gh-pages", "origin") == parent


def test_choose_parent_refuses_diverged_branches() -> None:
    with pytest.raises(DeployError) as caught:
        choose_parent("L", "R", False, False, "gh-pages", "origin")
    assert str(caught.value) == (
        "gh-pages: error: the local branch gh-pages and origin/gh-pages have diverged (someone deployed from elsewhere); "
        "nothing was changed — to build on the remote's deploys: git branch -f gh-pages origin/gh-pages, then deploy again; "
        "to replace them with yours: git push --force origin gh-pages")


def test_branch_files_add_nojekyll_and_cname_only_when_set() -> None:
    site = {"index.html": Path("site/index.html")}
    assert branch_files(site, None) == {"index.html": Path("site/index.html"), ".nojekyll": b""}
    assert branch_files(site, "news.example.org") == {"index.html": Path("site/index.html"), ".nojekyll": b"",
                                                      "CNAME": b"news.example.org\n"}


def test_uncommitted_warning_names_three_changes_and_counts_the_rest() -> None:
    assert uncommitted_warning("news", []) == []
    (problem,) = uncommitted_warning("news", ["a.md", "b.md", "c.md", "d.md", "e.md"])
    assert str(problem) == ("news: warning: 5 uncommitted change(s) in the digest (a.md, b.md, c.md and 2 more): the deployed "
                            "site includes them, but no commit does; they were left as they are — commit them, so the "
                            "deployed site can be rebuilt from your history")


def test_commit_message_names_the_source_commit() -> None:
    assert commit_message("0123456789abcdef", dirty=False) == f"Deploy 0123456789ab with digest {__version__}"
    assert commit_message("0123456789abcdef", dirty=True) == f"Deploy 0123456789ab plus uncommitted changes with digest {__version__}"
    assert commit_message(None, dirty=True) == f"Deploy with digest {__version__} (the source has no commit yet)"


# --- real git ---------------------------------------------------------------------

@pytest.fixture(autouse=True)
def git_identity(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Who commits, for git and the CLI subprocesses; no global or system git config is read."""
    empty = tmp_path / "gitconfig"
    empty.write_text("")
    for key, value in {"GIT_AUTHOR_NAME": "Test Editor", "GIT_AUTHOR_EMAIL": "editor@example.org",
                       "GIT_COMMITTER_NAME": "Test Editor", "GIT_COMMITTER_EMAIL": "editor@example.org",
                       "GIT_CONFIG_GLOBAL": str(empty), "GIT_CONFIG_NOSYSTEM": "1"}.items():
        monkeypatch.setenv(key, value)
    for key in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(key, raising=False)


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def init_repo(folder: Path) -> None:
    """Make folder a repository on branch main, with everything in it committed (the site ignored)."""
    (folder / ".gitignore").write_text("/site/\n")
    git(folder, "init", "-q", "-b", "main")
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "The digest")


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    return bare


@pytest.fixture(scope="module")
def built_example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example digest, built once for the module: a build takes most of a second."""
    folder = tmp_path_factory.mktemp("built") / "example"
    (folder / "content" / "articles").mkdir(parents=True)
    shutil.copytree(REPO / "content" / "sources", folder / "content" / "sources")
    shutil.copy(REPO / "config.yaml", folder / "config.yaml")
    run_digest("build", cwd=folder, check=True)
    return folder


@pytest.fixture
def digest_repo(built_example: Path, tmp_path: Path, remote: Path) -> Path:
    """A copy of the built example, committed (articles included) on main and pushed to the bare repository, origin."""
    example_digest = tmp_path / "example"
    shutil.copytree(built_example, example_digest)
    init_repo(example_digest)
    git(example_digest, "remote", "add", "origin", str(remote))
    git(example_digest, "push", "-q", "origin", "main")
    return example_digest


def snapshot(folder: Path) -> dict[str, object]:
    """Everything of the user's checkout that deploy must leave alone."""
    files = {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in sorted(folder.rglob("*")) if p.is_file() and ".git" not in p.relative_to(folder).parts
             and p.relative_to(folder).parts[0] not in ("site", ".digest-cache")}  # both are the build's to write
    return {"head": git(folder, "rev-parse", "HEAD"), "branch": git(folder, "symbolic-ref", "HEAD"),
            "status": git(folder, "--no-optional-locks", "status", "--porcelain=v1", "--untracked-files=all"),
            "staged": git(folder, "ls-files", "--stage"), "index": (folder / ".git" / "index").read_bytes(),
            "files": files}


def branch_tree(repo: Path, ref: str) -> list[str]:
    return git(repo, "ls-tree", "-r", "--name-only", ref).splitlines()


def test_deploy_twice_commits_the_site_to_gh_pages_and_leaves_the_checkout_alone(digest_repo: Path, remote: Path) -> None:
    config = digest_repo / "config.yaml"
    config.write_text(config.read_text().replace("base_url: /", "base_url: https://news.example.org/")
                      + "cname: news.example.org\n")
    git(digest_repo, "commit", "-q", "-am", "Custom domain")
    # The remote is named as on GitHub, and git's own URL rewriting sends it to the bare repository.
    git(digest_repo, "remote", "set-url", "origin", "https://github.com/user/news.git")
    git(digest_repo, "config", f"url.{remote}.insteadOf", "https://github.com/user/news.git")
    # Work in progress of every kind: a staged change, an unstaged one, an untracked file.
    (digest_repo / "notes.txt").write_text("staged\n")
    git(digest_repo, "add", "notes.txt")
    (digest_repo / "notes.txt").write_text("staged, then edited\n")
    (digest_repo / "draft.txt").write_text("untracked\n")
    os.utime(digest_repo / "config.yaml", (1_000_000_000, 1_000_000_000))  # a plain git status would refresh the index
    before = snapshot(digest_repo)

    first = run_digest("deploy", cwd=digest_repo)
    assert first.returncode == 0, first.stderr
    second = run_digest("deploy", "--message", "Second deploy", cwd=digest_repo)
    assert second.returncode == 0, second.stderr

    assert snapshot(digest_repo) == before
    assert (digest_repo / "notes.txt").read_text() == "staged, then edited\n"
    assert "warning: 2 uncommitted change(s) in the digest (draft.txt, notes.txt)" in first.stderr
    local = git(digest_repo, "rev-parse", "gh-pages").strip()
    assert git(remote, "rev-parse", "gh-pages").strip() == local
    assert git(digest_repo, "log", "--format=%s", "gh-pages").splitlines() == [
        "Second deploy", f"Deploy {before['head'][:12]} plus uncommitted changes with digest {__version__}"]
    assert git(digest_repo, "rev-list", "--parents", "gh-pages").count("\n") == 2  # two commits, one history
    site = sorted(p.relative_to(digest_repo / "site").as_posix() for p in (digest_repo / "site").rglob("*") if p.is_file())
    assert sorted(branch_tree(digest_repo, "gh-pages")) == sorted({*site, ".nojekyll", "CNAME"})
    assert git(digest_repo, "show", "gh-pages:CNAME") == "news.example.org\n"
    assert git(digest_repo, "show", "gh-pages:index.html") == (digest_repo / "site" / "index.html").read_text()
    assert second.stderr.splitlines()[1:] == [
        f"deployed {local[:12]} to gh-pages (after {git(digest_repo, 'rev-parse', 'gh-pages^').strip()[:12]}) and pushed it "
        "to origin; GitHub Pages serves it at https://news.example.org/"]  # base_url fits: no warning about it


def test_no_push_commits_locally_without_cname(digest_repo: Path, remote: Path) -> None:
    result = run_digest("deploy", "--no-push", "--no-build", "--branch", "pages", cwd=digest_repo)
    assert result.returncode == 0, result.stderr
    tree = branch_tree(digest_repo, "pages")
    assert "index.html" in tree and ".nojekyll" in tree and "CNAME" not in tree
    assert not any(name.startswith("site/") for name in tree)
    assert git(remote, "branch", "--list", "pages") == ""
    assert "not pushed — publish it with: git push origin pages" in result.stderr


def test_deploy_from_another_clone_continues_the_remote_history(digest_repo: Path, remote: Path, tmp_path: Path) -> None:
    run_digest("deploy", "--no-build", cwd=digest_repo, check=True)
    first = git(remote, "rev-parse", "gh-pages").strip()
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(remote), str(clone))
    run_digest("deploy", cwd=clone, check=True)  # no local gh-pages: the remote's tip is the parent
    second = git(remote, "rev-parse", "gh-pages").strip()
    assert git(remote, "rev-parse", "gh-pages^").strip() == first

    run_digest("deploy", "--no-build", "--no-push", "-m", "Local only", cwd=digest_repo, check=True)  # on the stale origin/gh-pages
    diverged = git(digest_repo, "rev-parse", "gh-pages").strip()
    result = run_digest("deploy", "--no-build", cwd=digest_repo)
    assert result.returncode == 1
    assert "error: the local branch gh-pages and origin/gh-pages have diverged" in result.stderr
    assert git(remote, "rev-parse", "gh-pages").strip() == second
    assert git(digest_repo, "rev-parse", "gh-pages").strip() == diverged


def test_rejected_push_changes_nothing_and_says_why(digest_repo: Path, remote: Path) -> None:
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'pushes are closed today' >&2\nexit 1\n")
    hook.chmod(0o755)
    result = run_digest("deploy", "--no-build", cwd=digest_repo)
    assert result.returncode == 1
    assert (f"{digest_repo}: error: origin rejected the push of gh-pages; nothing was changed: origin and your local "
            "gh-pages are as they were\n  Reason: remote: pushes are closed today\n") in result.stderr
    assert "— fix what the remote reports (access rights, branch protection, a hook), then deploy again" in result.stderr
    assert result.stderr.rstrip().endswith("digest deploy: failed")
    assert git(digest_repo, "branch", "--list", "gh-pages") == ""
    assert git(remote, "branch", "--list", "gh-pages") == ""


def test_not_a_git_repository(example_digest: Path) -> None:
    result = run_digest("deploy", "--no-build", cwd=example_digest)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        f"{example_digest}: error: not inside a git repository; nothing was changed — make the digest a repository first: "
        "git init && git add -A && git commit -m 'First digest', then add a GitHub remote: "
        "git remote add origin https://github.com/USER/REPO.git")


def test_no_such_remote(digest_repo: Path) -> None:
    result = run_digest("deploy", "--no-build", "--remote", "github", cwd=digest_repo)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        f"{digest_repo}: error: there is no git remote named 'github'; nothing was changed — add it: "
        "git remote add github https://github.com/USER/REPO.git (git remote -v lists the remotes), "
        "pass --remote NAME, or commit locally with --no-push")
    assert git(digest_repo, "branch", "--list", "gh-pages") == ""


def test_deploy_from_a_digest_in_a_subfolder_of_a_repository_without_commits(built_example: Path, tmp_path: Path) -> None:
    top = tmp_path / "top"
    shutil.copytree(built_example, top / "news")
    git(top, "init", "-q", "-b", "main")
    result = run_digest("deploy", "--no-build", "--no-push", cwd=top / "news")
    assert result.returncode == 0, result.stderr
    assert "warning: no git remote named 'origin': base_url was not checked against a GitHub repository" in result.stderr
    assert "uncommitted change(s) in the digest (news/config.yaml, news/content/articles/" in result.stderr
    assert git(top, "log", "--format=%s", "gh-pages").splitlines() == [
        f"Deploy with digest {__version__} (the source has no commit yet)"]
    assert "index.html" in branch_tree(top, "gh-pages")
    assert git(top, "status", "--porcelain", "--untracked-files=no") == ""  # nothing was staged


def test_refuses_a_pages_branch_that_is_checked_out(digest_repo: Path) -> None:
    git(digest_repo, "switch", "-q", "-c", "gh-pages")
    result = run_digest("deploy", "--no-build", "--no-push", cwd=digest_repo)
    assert result.returncode == 1
    assert "error: the pages branch gh-pages is checked out here" in result.stderr
    assert git(digest_repo, "log", "--format=%s", "gh-pages").splitlines() == ["The digest"]


def test_refuses_a_pages_branch_checked_out_in_another_worktree(digest_repo: Path, tmp_path: Path) -> None:
    run_digest("deploy", "--no-build", "--no-push", cwd=digest_repo, check=True)
    git(digest_repo, "worktree", "add", "-q", str(tmp_path / "pages-checkout"), "gh-pages")
    result = run_digest("deploy", "--no-build", "--no-push", cwd=digest_repo)
    assert result.returncode == 1
    assert result.stderr.startswith(f"{tmp_path / 'pages-checkout'}: error: the pages branch gh-pages is checked out here")


def test_unreachable_remote(digest_repo: Path, tmp_path: Path) -> None:
    git(digest_repo, "remote", "set-url", "origin", str(tmp_path / "gone.git"))
    result = run_digest("deploy", "--no-build", cwd=digest_repo)
    assert result.returncode == 1
    assert result.stderr.startswith(f"{digest_repo}: error: cannot reach the remote origin; nothing was changed\n  Reason: ")
    assert "— check the URL (git remote get-url origin) and your access to it, or deploy with --no-push" in result.stderr
    assert git(digest_repo, "branch", "--list", "gh-pages") == ""


def test_unknown_git_identity(digest_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "EMAIL"):
        monkeypatch.delenv(key, raising=False)
    git(digest_repo, "config", "user.useConfigOnly", "true")  # no guessing from the host name
    result = run_digest("deploy", "--no-build", "--no-push", cwd=digest_repo)
    assert result.returncode == 1
    assert f"{digest_repo}: error: git could not make the deploy commit; nothing was changed" in result.stderr
    assert ('— tell git who you are: git config user.name "Your Name" && git config user.email you@example.org'
            in result.stderr)
    assert git(digest_repo, "branch", "--list", "gh-pages") == ""


def test_refuses_a_branch_of_the_source_history(digest_repo: Path) -> None:
    git(digest_repo, "switch", "-q", "-c", "edits")
    result = run_digest("deploy", "--no-build", "--no-push", "--branch", "main", cwd=digest_repo)
    assert result.returncode == 1
    assert "error: the branch main is part of your source history, not a pages branch" in result.stderr
    assert git(digest_repo, "log", "--format=%s", "main").splitlines() == ["The digest"]


def test_no_build_without_a_built_site(digest_repo: Path) -> None:
    shutil.rmtree(digest_repo / "site")
    result = run_digest("deploy", "--no-build", "--no-push", cwd=digest_repo)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        f"{digest_repo / 'site'}: error: no built site here (index.html is missing); nothing was changed "
        "— run digest build first, or deploy without --no-build")


def test_deploy_warns_when_base_url_does_not_fit_the_github_remote(digest_repo: Path) -> None:
    git(digest_repo, "remote", "set-url", "origin", "git@github.com:user/news.git")
    result = run_digest("deploy", "--no-build", "--no-push", cwd=digest_repo)
    assert result.returncode == 0, result.stderr
    assert ("config.yaml: warning: base_url '/' puts the site under /, but GitHub Pages serves user/news (remote origin) "
            "at https://user.github.io/news/: links would break — set base_url: https://user.github.io/news/ in config.yaml"
            ) in result.stderr.splitlines()


# --- the GitHub Actions workflow -----------------------------------------------------------

OFFICIAL_ACTIONS = ["actions/checkout", "actions/setup-python", "actions/configure-pages",
                    "actions/upload-pages-artifact", "actions/deploy-pages"]


def test_repository_workflow_is_the_packaged_one_installing_this_checkout() -> None:
    assert (REPO / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8") == pages_workflow(".")


def test_workflow_builds_with_the_pages_base_url_and_publishes_with_the_official_actions() -> None:
    workflow = yaml.safe_load(pages_workflow("digest==1.0"))
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert workflow["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    assert [step["uses"].split("@")[0] for step in steps if "uses" in step] == OFFICIAL_ACTIONS
    install, build = (step for step in steps if "run" in step)
    assert install["env"] == {"DIGEST_REQUIREMENT": "digest==1.0"}
    assert build["run"] == 'digest build --base-url "$BASE_URL/"'
    assert build["env"] == {"BASE_URL": "${{ steps.pages.outputs.base_url }}"}
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"] == {"path": "site"}


def test_init_writes_the_workflow(tmp_path: Path) -> None:
    run_digest("init", "fresh", cwd=tmp_path, check=True)
    written = (tmp_path / "fresh" / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8")
    assert written == pages_workflow(f"digest=={__version__}")


def test_workflow_template_is_packaged() -> None:
    package_data = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["digest"]
    for path in (REPO / "digest" / "workflows").iterdir():
        assert any(fnmatch(path.relative_to(REPO / "digest").as_posix(), glob) for glob in package_data), path


def _actionlint() -> str | None:
    scripts = Path(sysconfig.get_path("scripts")) / "actionlint"
    return str(scripts) if scripts.is_file() else shutil.which("actionlint")


@pytest.mark.parametrize("requirement", [".", f"digest=={__version__}"], ids=["repository", "init"])
def test_workflow_passes_actionlint(requirement: str, tmp_path: Path) -> None:
    actionlint = _actionlint()
    if actionlint is None:
        if os.environ.get("CI") == "true":
            pytest.fail("actionlint is not installed (pip install '.[test]')")
        pytest.skip("actionlint is not installed (pip install '.[test]')")
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "pages.yml").write_text(pages_workflow(requirement), encoding="utf-8")
    result = subprocess.run([actionlint, "-no-color", ".github/workflows/pages.yml"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_file_github_would_refuse_stops_the_deploy_before_anything_changes(digest_repo: Path) -> None:
    git(digest_repo, "remote", "set-url", "origin", "https://github.com/user/news.git")
    with open(digest_repo / "site" / "static" / "archive.zip", "wb") as big:
        big.truncate(101 * 2**20)  # sparse: the size GitHub checks, not the disk's
    result = run_digest("deploy", "--no-build", "--no-push", cwd=digest_repo)
    assert result.returncode == 1
    assert (f"{digest_repo / 'site' / 'static' / 'archive.zip'}: error: 101 MiB: GitHub refuses a push holding a file over "
            "100 MiB; nothing was changed — make it smaller, or serve it from elsewhere and link to it") in result.stderr
    assert git(digest_repo, "branch", "--list", "gh-pages") == ""


def test_a_file_over_githubs_limit_is_only_a_warning_for_another_host(digest_repo: Path, remote: Path) -> None:
    with open(digest_repo / "site" / "static" / "archive.zip", "wb") as big:
        big.truncate(GITHUB_FILE_LIMIT + 1)
    result = run_digest("deploy", "--no-build", cwd=digest_repo)
    assert result.returncode == 0, result.stderr
    assert "archive.zip: warning: 100 MiB: GitHub would refuse a push holding it (over 100 MiB), if the site moves there" \
        in result.stderr
    assert "static/archive.zip" in branch_tree(remote, "gh-pages")
    assert too_big_for_github({"a": digest_repo / "site" / "index.html"}) == []
