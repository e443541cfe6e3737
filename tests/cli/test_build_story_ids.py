"""Story URLs stay as the digest grows: content/stories.yaml keeps the ids given out (digest.story_ids)."""

from __future__ import annotations

from pathlib import Path

from digest.data import read_digest
from tests.cli.test_build import tree_digest
from tests.conftest import run_digest

FIRST = "2021-04-06-india-desperate-to-get-s-400-what-is-russia-saying"


def stories(folder: Path) -> dict[str, list[str]]:
    data = read_digest(folder / "site")
    return {s["id"]: s["articles"] for s in data["stories"]}


def add_older_report(folder: Path) -> str:
    """The first article again, as another outlet's report dated a year before the story began."""
    articles = folder / "content" / "articles"
    text = (articles / f"{FIRST}.md").read_text()
    text = text.replace("date: '2021-04-06'", "date: '2020-04-01'").replace("title: India desperate", "title: Earlier, India desperate")
    slug = "2020-04-01-an-earlier-report"
    (articles / f"{slug}.md").write_text(text.replace("source_file: content/sources/001_4197f04110c4ab2c.txt\n", ""))
    return slug


def test_an_older_article_joins_the_story_without_renaming_it(example_digest: Path) -> None:
    run_digest("build", cwd=example_digest, check=True)
    ids_file = example_digest / "content" / "stories.yaml"
    assert list(stories(example_digest)) == [FIRST]
    assert f"{FIRST}:\n" in ids_file.read_text()

    older = add_older_report(example_digest)
    run_digest("build", cwd=example_digest, check=True)
    after = stories(example_digest)
    assert list(after) == [FIRST], "the story keeps its id and URL"
    assert after[FIRST][0] == older, "the older report comes first in the story"
    assert (example_digest / "site" / "stories" / FIRST / "index.html").is_file()
    assert f"- {older}\n" in ids_file.read_text()

    # A clean build of the same folder (ids file included) gives the same site.
    site = tree_digest(example_digest / "site")
    result = run_digest("build", "--no-cache", cwd=example_digest, check=True)
    assert tree_digest(example_digest / "site") == site, result.stderr


def test_without_the_ids_file_the_story_takes_its_first_articles_name(example_digest: Path) -> None:
    run_digest("build", cwd=example_digest, check=True)
    older = add_older_report(example_digest)
    (example_digest / "content" / "stories.yaml").unlink()
    run_digest("build", cwd=example_digest, check=True)
    assert list(stories(example_digest)) == [older]


def test_an_editor_renames_a_story_in_the_ids_file(example_digest: Path) -> None:
    run_digest("build", cwd=example_digest, check=True)
    ids_file = example_digest / "content" / "stories.yaml"
    ids_file.write_text(ids_file.read_text().replace(f"{FIRST}:", "s-400-for-india:"))
    run_digest("build", cwd=example_digest, check=True)
    assert list(stories(example_digest)) == ["s-400-for-india"]
    assert (example_digest / "site" / "stories" / "s-400-for-india" / "index.html").is_file()
    assert not (example_digest / "site" / "stories" / FIRST).exists()
    assert "s-400-for-india:" in ids_file.read_text()


def test_stories_that_merge_keep_the_bigger_ones_id_and_the_other_url_redirects(example_digest: Path) -> None:
    run_digest("build", cwd=example_digest, check=True)
    slugs = stories(example_digest)[FIRST]
    ids_file = example_digest / "content" / "stories.yaml"
    # As if the five had been two stories, then a build found them to be one.
    ids_file.write_text(f"early: [{slugs[0]}, {slugs[1]}]\nlate: [{slugs[2]}, {slugs[3]}, {slugs[4]}]\n")
    run_digest("build", cwd=example_digest, check=True)
    assert list(stories(example_digest)) == ["late"]
    assert "\nearly: late\n" in ids_file.read_text()
    moved = (example_digest / "site" / "stories" / "early" / "index.html").read_text()
    assert '<meta http-equiv="refresh" content="0; url=/stories/late/">' in moved
    assert '<link rel="canonical" href="/stories/late/">' in moved
    assert "/stories/early/" not in (example_digest / "site" / "sitemap.xml").read_text()
    run_digest("build", cwd=example_digest, check=True)  # the redirect stays
    assert (example_digest / "site" / "stories" / "early" / "index.html").read_text() == moved


def test_a_broken_ids_file_fails_the_build_names_the_line_and_keeps_the_site(example_digest: Path) -> None:
    run_digest("build", cwd=example_digest, check=True)
    before = tree_digest(example_digest / "site")
    ids_file = example_digest / "content" / "stories.yaml"
    ids_file.write_text("# ids\nthe-deal: [unclosed\n")
    result = run_digest("build", cwd=example_digest)
    assert result.returncode == 1
    assert "content/stories.yaml:3" in result.stderr and "delete the file to give stories new ids" in result.stderr
    assert tree_digest(example_digest / "site") == before
    assert ids_file.read_text() == "# ids\nthe-deal: [unclosed\n", "the editor's file is left as it is"


def test_a_temporary_ids_file_left_by_a_killed_build_is_removed(example_digest: Path) -> None:
    leftover = example_digest / "content" / ".stories.yaml.999999.tmp"
    leftover.parent.mkdir(parents=True, exist_ok=True)
    leftover.write_text("half")
    run_digest("build", cwd=example_digest, check=True)
    assert not leftover.exists()


def test_the_build_after_one_that_wrote_new_ids_is_up_to_date(example_digest: Path) -> None:
    run_digest("build", cwd=example_digest, check=True)  # sources stripped into pages: the next build checks them
    ids_file = example_digest / "content" / "stories.yaml"
    ids_file.unlink()
    run_digest("build", cwd=example_digest, check=True)  # writes the ids again
    assert f"{FIRST}:" in ids_file.read_text()
    result = run_digest("build", cwd=example_digest, check=True)
    assert "up to date" in result.stdout + result.stderr
    ids_file.write_text(ids_file.read_text() + "# an editor's comment\n")  # and any edit of the file is seen
    assert "up to date" not in run_digest("build", cwd=example_digest, check=True).stderr
