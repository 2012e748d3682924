"""`linkblog deploy` against a local bare repository, and the GitHub Pages workflow that `init` writes."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import SAMPLE_POSTS, make_site, post_text, run_cli, tree_bytes
from test_example_site import copy_example

from linkblog.deploy import push_reason

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / "src" / "linkblog" / "pages.yml"
REPO_WORKFLOW = REPO / ".github" / "workflows" / "pages.yml"


@pytest.fixture(autouse=True)
def git_identity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Git as a fresh machine has it: no user or system config, an identity from the environment only."""
    empty = tmp_path / "gitconfig"
    empty.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "Test Author")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "author@example.org")


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()


def bare(path: Path) -> Path:
    git(path.parent, "init", "--quiet", "--bare", path.name)
    return path


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A site committed on main, with an empty bare repository as its origin."""
    site = make_site(tmp_path / "site", SAMPLE_POSTS, files={".gitignore": "/build/\n.cache/\n", "README": "hi\n"})
    git(site, "init", "--quiet", "--initial-branch=main")
    git(site, "add", "--all")
    git(site, "commit", "--quiet", "-m", "The site")
    git(site, "remote", "add", "origin", str(bare(tmp_path / "remote.git")))
    return site


def remote_of(site: Path) -> Path:
    return site.parent / "remote.git"


def branch_files(remote: Path, branch: str = "gh-pages") -> dict[str, bytes]:
    """Every file of a branch of a bare repository, with its bytes."""
    data = subprocess.run(["git", "archive", branch], cwd=remote, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        return {m.name: archive.extractfile(m).read() for m in archive.getmembers() if m.isfile()}


def user_state(site: Path) -> dict[str, object]:
    """What a deploy must leave alone: HEAD, branch, index, stash, status and every file of the checkout."""
    return {"head": git(site, "rev-parse", "HEAD"), "branch": git(site, "symbolic-ref", "HEAD"),
            "status": git(site, "--no-optional-locks", "status", "--porcelain", "--untracked-files=all"),
            "index": (site / ".git" / "index").read_bytes(), "stash": git(site, "stash", "list"),
            "files": {k: v for k, v in tree_bytes(site).items() if not k.startswith((".git/", "build/", ".cache/"))}}


def tip(remote: Path, branch: str = "gh-pages") -> str:
    return git(remote, "rev-parse", f"refs/heads/{branch}")


def test_deploy_pushes_the_built_site_as_the_whole_branch(repo: Path) -> None:
    run = run_cli(repo, "deploy")
    assert run.code == 0, run.err
    files = branch_files(remote_of(repo))
    assert files == tree_bytes(repo / "build")  # the site at the root, byte for byte
    assert files[".nojekyll"] == b""
    assert "index.html" in files and "2015/06/work-vs-progress/index.html" in files
    assert not any(name.startswith(("build/", "posts/")) or name == "config.yaml" for name in files)
    subject = git(remote_of(repo), "log", "-1", "--format=%s", "gh-pages")
    assert re.fullmatch(r"Deploy [0-9a-f]{7,} with linkblog \S+", subject)
    assert subject.split()[1] == git(repo, "rev-parse", "--short", "HEAD")


def test_a_second_deploy_of_the_same_site_makes_no_commit(repo: Path) -> None:
    assert run_cli(repo, "deploy").code == 0
    first = tip(remote_of(repo))
    again = run_cli(repo, "deploy")
    assert again.code == 0, again.err
    assert "nothing to deploy" in again.out
    assert tip(remote_of(repo)) == first


def test_a_changed_site_is_committed_on_top_of_the_last_deploy(repo: Path) -> None:
    assert run_cli(repo, "deploy").code == 0
    first = tip(remote_of(repo))
    (repo / "posts" / "2017-02-02-new.md").write_text(post_text("A new one", "2017-02-02 10:00", tags="[x]"))
    git(repo, "add", "posts")
    git(repo, "commit", "--quiet", "-m", "A post")
    run = run_cli(repo, "deploy", "--message", "Publish the new post")
    assert run.code == 0, run.err
    assert git(remote_of(repo), "log", "-1", "--format=%P %s", "gh-pages") == f"{first} Publish the new post"
    assert "2017/02/new/index.html" in branch_files(remote_of(repo))


def test_the_users_checkout_is_left_exactly_as_it_was(repo: Path) -> None:
    (repo / "README").write_text("edited, not committed\n")
    (repo / "notes.txt").write_text("untracked\n")
    (repo / "config.yaml").write_text((repo / "config.yaml").read_text() + "# staged\n")
    git(repo, "add", "config.yaml")
    (repo / "scratch.txt").write_text("stashed\n")
    git(repo, "stash", "push", "--quiet", "--include-untracked", "--", "scratch.txt")
    git(repo, "branch", "gh-pages")  # a local branch of that name is not the one deployed
    before = user_state(repo)
    run = run_cli(repo, "deploy", "--branch", "gh-pages")
    assert run.code == 0, run.err
    assert user_state(repo) == before
    assert git(repo, "rev-parse", "refs/heads/gh-pages") == before["head"]


def test_uncommitted_posts_are_deployed_with_a_warning(repo: Path) -> None:
    (repo / "posts" / "2017-03-03-unsaved.md").write_text(post_text("Unsaved", "2017-03-03 10:00", tags="[x]"))
    run = run_cli(repo, "deploy")
    assert run.code == 0, run.err
    assert re.search(r"^posts: warning: .*uncommitted", run.err, re.MULTILINE)
    assert "2017/03/unsaved/index.html" in branch_files(remote_of(repo))


@pytest.mark.parametrize("changed", ["config.yaml", "templates/post.html", "static/extra.css"])
def test_uncommitted_changes_to_what_the_site_is_built_from_are_named(repo: Path, changed: str) -> None:
    path = repo / changed
    path.parent.mkdir(exist_ok=True)
    path.write_text((path.read_text() if path.exists() else "") + "\n")
    run = run_cli(repo, "deploy")
    assert run.code == 0, run.err
    first = changed.split("/")[0]
    assert re.search(rf"^{re.escape(first)}: warning: 1 uncommitted change;", run.err, re.MULTILINE), run.err


def test_uncommitted_files_no_build_reads_are_not_named(repo: Path) -> None:
    for name in ("templates/.DS_Store", "static/.DS_Store", "posts/_drafts/idea.md", "posts/.x.md.swp"):
        (repo / name).parent.mkdir(exist_ok=True)
        (repo / name).write_text("x\n")
    run = run_cli(repo, "deploy")
    assert run.code == 0, run.err
    assert "uncommitted" not in run.err


def test_deploy_names_what_the_build_left_out(repo: Path) -> None:
    (repo / "posts" / "2017-03-03-unfinished.md").write_text(post_text("Unfinished", "2017-03-03", draft="true"))
    (repo / "posts" / "Shouting.txt").write_text(post_text("Shouting", "2017-03-04"))
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", "More")
    run = run_cli(repo, "deploy")
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert any(line.startswith("1 post left out: 1 draft") for line in lines), run.out
    assert any("left out" in line and "posts/Shouting.txt" in line for line in lines), run.out
    assert "--drafts" not in run.out  # deploy has no such option: drafts are never deployed


def test_a_site_publishing_a_file_named_as_its_config_deploys_again(repo: Path) -> None:
    (repo / "static").mkdir()
    (repo / "static" / "config.yaml").write_text("settings: 1\n")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", "A static config.yaml")
    assert run_cli(repo, "deploy").code == 0
    (repo / "posts" / "2017-03-03-two.md").write_text(post_text("Two", "2017-03-03"))
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", "Two")
    run = run_cli(repo, "deploy")
    assert run.code == 0, run.err
    assert "2017/03/two/index.html" in branch_files(remote_of(repo))


def test_a_page_named_like_an_editors_temporary_file_is_deployed(repo: Path) -> None:
    (repo / "posts" / "release.md").write_text(post_text("Release", "2017-03-03 10:00", tags="[x]", slug="v1.tmp"))
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", "A release")
    run = run_cli(repo, "deploy")
    assert run.code == 0, run.err
    assert "2017/03/v1.tmp/index.html" in branch_files(remote_of(repo))


@pytest.mark.parametrize("name", [".GIT/info.txt", "GIT~1/x.txt", "sub/.git/x.txt", ".git "])
def test_a_file_git_cannot_store_is_named_and_nothing_is_pushed(repo: Path, name: str) -> None:
    # Git refuses these names (core.protectNTFS, on by default): the published site would lack the file.
    assert run_cli(repo, "deploy").code == 0
    first = tip(remote_of(repo))
    (repo / "build").mkdir(exist_ok=True)
    (repo / "build" / name).parent.mkdir(parents=True, exist_ok=True)
    (repo / "build" / name).write_text("kept\n")
    run = run_cli(repo, "deploy", "--no-build")
    assert run.code == 1, run.out
    assert "Traceback" not in run.err
    named = [line for line in run.err.splitlines() if line.startswith(f"build/{name}:")]
    assert len(named) == 1, run.err
    assert tip(remote_of(repo)) == first


def test_static_files_git_cannot_store_stop_the_deploy(repo: Path) -> None:
    for name in ("static/.GIT/info.txt", "static/GIT~1/x.txt"):
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text("kept\n")  # which git cannot commit in the site's repository either
    run = run_cli(repo, "deploy")
    assert run.code == 1, run.out
    assert "nothing to deploy" not in run.out
    for name in ("build/.GIT/info.txt", "build/GIT~1/x.txt"):
        assert re.search(rf"^{re.escape(name)}: ", run.err, re.MULTILINE), run.err
    assert git(remote_of(repo), "branch", "--list") == ""


@pytest.mark.parametrize("kind", ["clone", "worktree"])
def test_a_git_checkout_in_the_output_folder_is_not_published(repo: Path, kind: str) -> None:
    """The Hugo habit: build/ is a clone (or worktree) of gh-pages, which the build leaves in place."""
    assert run_cli(repo, "deploy").code == 0
    shutil.rmtree(repo / "build")
    if kind == "clone":
        git(repo, "clone", "--quiet", "--branch", "gh-pages", str(remote_of(repo)), "build")
    else:
        git(repo, "fetch", "--quiet", "origin", "gh-pages")
        git(repo, "worktree", "add", "--quiet", "build", "FETCH_HEAD")
    (repo / "posts" / "2017-02-02-new.md").write_text(post_text("A new one", "2017-02-02 10:00", tags="[x]"))
    git(repo, "add", "posts")
    git(repo, "commit", "--quiet", "-m", "A post")
    run = run_cli(repo, "deploy")
    assert run.code == 0, run.err
    files = branch_files(remote_of(repo))
    assert not any(name == ".git" or name.startswith(".git/") for name in files)
    assert "2017/02/new/index.html" in files
    assert f"Deployed {len(files)} files" in run.out
    # Nothing of it was hashed into the site's repository: not its config (a clone) nor its pointer (a worktree).
    inside = repo / "build" / ".git" / ("config" if kind == "clone" else "")
    blob = git(repo, "hash-object", "--no-filters", str(inside))
    assert subprocess.run(["git", "cat-file", "-e", blob], cwd=repo, capture_output=True).returncode != 0


def test_cname_comes_from_the_config(repo: Path) -> None:
    (repo / "config.yaml").write_text((repo / "config.yaml").read_text() + "cname: notes.example.com\n")
    assert run_cli(repo, "deploy").code == 0
    assert branch_files(remote_of(repo))["CNAME"] == b"notes.example.com\n"


def test_a_config_warning_is_printed_once(repo: Path) -> None:
    (repo / "config.yaml").write_text((repo / "config.yaml").read_text() + "cname: elsewhere.example.com\n")
    git(repo, "commit", "--quiet", "-am", "A cname")
    run = run_cli(repo, "deploy")
    assert run.code == 0, run.err
    warnings = [line for line in run.err.splitlines() if line.startswith("config.yaml:")]
    assert len(warnings) == 1, run.err


def test_cname_comes_from_static_when_the_config_has_none(repo: Path) -> None:
    (repo / "static").mkdir()
    (repo / "static" / "CNAME").write_text("links.example.net\n")
    assert run_cli(repo, "deploy").code == 0
    assert branch_files(remote_of(repo))["CNAME"] == b"links.example.net\n"


def test_drafts_and_future_posts_are_never_deployed(repo: Path) -> None:
    posts = repo / "posts"
    (posts / "2016-02-02-draft.md").write_text(post_text("Secret draft", "2016-02-02 10:00", draft="true"))
    (posts / "2999-01-01-later.md").write_text(post_text("Far future", "2999-01-01 10:00"))
    assert run_cli(repo, "build", "--drafts", "--future").code == 0
    assert (repo / "build" / "2016" / "02" / "draft" / "index.html").exists()
    assert run_cli(repo, "deploy").code == 0
    names = branch_files(remote_of(repo))
    assert "index.html" in names
    assert not any(name.startswith(("2016/02/", "2999/")) for name in names)


def test_no_build_deploys_the_output_as_it_is(repo: Path) -> None:
    assert run_cli(repo, "build").code == 0
    (repo / "build" / "extra.txt").write_text("left by hand\n")
    run = run_cli(repo, "deploy", "--no-build")
    assert run.code == 0, run.err
    assert branch_files(remote_of(repo))["extra.txt"] == b"left by hand\n"


def test_no_build_names_the_output_files_it_cannot_deploy(repo: Path) -> None:
    assert run_cli(repo, "build").code == 0
    (repo / "build" / "dangling.html").symlink_to(repo / "nowhere.html")
    os.mkfifo(repo / "build" / "pipe")
    (repo / "build" / "extra.txt").write_text("left by hand\n")
    run = run_cli(repo, "deploy", "--no-build")
    assert (run.code, "Traceback" in run.err) == (0, False), run.err
    warned = sorted(line.split(":", 1)[0] for line in run.err.splitlines() if line.startswith("build/"))
    assert warned == ["build/dangling.html", "build/pipe"], run.err
    published = branch_files(remote_of(repo))
    assert published["extra.txt"] == b"left by hand\n"
    assert "dangling.html" not in published and "pipe" not in published


def assert_refused(run, *words: str) -> None:  # noqa: ANN001 - conftest.Run
    assert run.code == 1
    assert "Traceback" not in run.err
    line = next(line for line in run.err.splitlines() if line.startswith("deploy: "))
    assert all(word in line for word in words), run.err


def unpublished_posts(site: Path) -> None:
    """A draft and a post dated far ahead: neither may reach the branch."""
    (site / "posts" / "2016-02-02-draft.md").write_text(post_text("Secret draft", "2016-02-02 10:00", draft="true"))
    (site / "posts" / "2999-01-01-later.md").write_text(post_text("Far future", "2999-01-01 10:00"))
    git(site, "add", "posts")
    git(site, "commit", "--quiet", "-m", "Unpublished posts")


@pytest.mark.parametrize("flags", [["--drafts"], ["--future"], ["--drafts", "--future"]])
def test_no_build_refuses_an_output_built_with_drafts_or_future_posts(repo: Path, flags: list[str]) -> None:
    unpublished_posts(repo)
    assert run_cli(repo, "build", *flags).code == 0
    before = user_state(repo)
    run = run_cli(repo, "deploy", "--no-build")
    assert_refused(run, "build/", *flags, "run linkblog build without --drafts/--future, or deploy without --no-build")
    assert len([line for line in run.err.splitlines() if line.startswith("deploy: ")]) == 1
    assert git(remote_of(repo), "branch", "--list") == ""  # nothing pushed
    assert user_state(repo) == before


@pytest.mark.parametrize("top", ["added", "removed"])
def test_no_build_still_refuses_a_drafts_build_after_a_name_at_the_folders_top_changed(repo: Path, top: str) -> None:
    # a Finder .DS_Store, an editor's file, a feed deleted: the record of how the folder was built still holds
    unpublished_posts(repo)
    assert run_cli(repo, "build", "--drafts").code == 0
    (repo / "build" / ".DS_Store").write_bytes(b"") if top == "added" else (repo / "build" / "feed.xml").unlink()
    run = run_cli(repo, "deploy", "--no-build")
    assert_refused(run, "build/", "--drafts")
    assert git(remote_of(repo), "branch", "--list") == ""


def test_no_build_refuses_a_folder_that_lost_a_file_at_its_top(repo: Path) -> None:
    assert run_cli(repo, "build").code == 0
    (repo / "build" / "feed.xml").unlink()
    assert_refused(run_cli(repo, "deploy", "--no-build"), "feed.xml", "linkblog build")
    assert git(remote_of(repo), "branch", "--list") == ""


def test_git_missing_is_said_so(repo: Path, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"  # a PATH with Python but no git
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(sys.executable)
    run = run_cli(repo, "deploy", "--no-build", env={"PATH": str(bin_dir)})
    assert_refused(run, "git is not installed")
    assert "not in a git repository" not in run.err


def test_no_build_refuses_a_drafts_build_an_older_linkblog_recorded_without_its_address(repo: Path) -> None:
    unpublished_posts(repo)
    assert run_cli(repo, "build", "--drafts").code == 0
    record = repo / ".cache" / "linkblog" / "built.json"
    older = {folder: {k: v for k, v in built.items() if k != "url"} for folder, built in json.loads(
        record.read_text()).items()}
    record.write_text(json.dumps(older))
    assert_refused(run_cli(repo, "deploy", "--no-build"), "build/", "--drafts")
    assert git(remote_of(repo), "branch", "--list") == ""


def test_no_build_refuses_an_output_built_for_another_address(repo: Path) -> None:
    assert run_cli(repo, "build", "--base-url", "http://localhost:8080/").code == 0
    before = user_state(repo)
    run = run_cli(repo, "deploy", "--no-build")
    assert_refused(run, "build/", "http://localhost:8080/", "--base-url")
    assert git(remote_of(repo), "branch", "--list") == ""  # nothing pushed
    assert user_state(repo) == before
    assert run_cli(repo, "build").code == 0
    assert run_cli(repo, "deploy", "--no-build").code == 0


@pytest.mark.parametrize(("url", "base_url"), [
    ("https://bücher.example/b/", "https://xn--bcher-kva.example/b/"),
    ("https://example.org/my blog/", "https://example.org/my%20blog/"),
    ("https://User.GitHub.IO/Notes/", "https://user.github.io:443/Notes/"),
])
def test_no_build_deploys_an_output_built_for_the_same_address_spelled_otherwise(repo: Path, url: str,
                                                                                 base_url: str) -> None:
    config = repo / "config.yaml"
    config.write_text(config.read_text().replace("https://example.org/", url))
    git(repo, "commit", "--quiet", "-am", "Its own address")
    assert run_cli(repo, "build", "--base-url", base_url).code == 0
    run = run_cli(repo, "deploy", "--no-build")
    assert (run.code, "Traceback" in run.err) == (0, False), run.err
    assert branch_files(remote_of(repo))["index.html"] == (repo / "build" / "index.html").read_bytes()


def test_no_build_deploys_once_a_plain_build_replaced_a_drafts_build(repo: Path) -> None:
    unpublished_posts(repo)
    assert run_cli(repo, "build", "--drafts", "--future").code == 0
    assert run_cli(repo, "build").code == 0
    run = run_cli(repo, "deploy", "--no-build")
    assert run.code == 0, run.err
    assert "warning" not in run.err
    names = branch_files(remote_of(repo))
    assert "index.html" in names
    assert not any(name.startswith(("2016/02/", "2999/")) for name in names)


def test_a_drafts_build_into_another_folder_does_not_vouch_for_the_output(repo: Path) -> None:
    # Each folder keeps its own record: a preview build elsewhere neither blocks nor clears build/.
    unpublished_posts(repo)
    assert run_cli(repo, "build", "--drafts").code == 0
    assert run_cli(repo, "build", "--output", "plain").code == 0
    assert_refused(run_cli(repo, "deploy", "--no-build"), "build/", "--drafts")
    assert run_cli(repo, "build").code == 0
    assert run_cli(repo, "build", "--output", "preview", "--drafts").code == 0
    assert run_cli(repo, "deploy", "--no-build").code == 0


def test_no_build_says_so_when_no_record_tells_how_the_output_was_built(repo: Path) -> None:
    assert run_cli(repo, "build").code == 0
    shutil.rmtree(repo / ".cache")  # an output from elsewhere, or a cache the user deleted
    run = run_cli(repo, "deploy", "--no-build")
    assert run.code == 0, run.err
    assert re.search(r"^deploy: warning: no record of how build/ was built", run.err, re.MULTILINE)
    assert "index.html" in branch_files(remote_of(repo))


def test_no_build_refuses_an_output_lacking_files_its_build_wrote(repo: Path) -> None:
    assert run_cli(repo, "build").code == 0
    (repo / "build" / "2015" / "06" / "work-vs-progress" / "index.html").unlink()
    run = run_cli(repo, "deploy", "--no-build")
    assert_refused(run, "2015/06/work-vs-progress/index.html", "linkblog build")
    assert git(remote_of(repo), "branch", "--list") == ""
    assert run_cli(repo, "build").code == 0  # which puts it back
    (repo / "build" / ".nojekyll").unlink()  # which the deploy adds to any folder
    assert run_cli(repo, "deploy", "--no-build").code == 0
    assert {"2015/06/work-vs-progress/index.html", ".nojekyll"} <= branch_files(remote_of(repo)).keys()


def test_no_build_does_not_trust_a_record_of_a_folder_since_replaced(repo: Path, tmp_path: Path) -> None:
    unpublished_posts(repo)
    assert run_cli(repo, "build", "--drafts").code == 0
    assert run_cli(repo, "build").code == 0
    shutil.move(repo / "build", tmp_path / "plain")  # put back by hand, as another folder
    shutil.copytree(tmp_path / "plain", repo / "build")
    run = run_cli(repo, "deploy", "--no-build")
    assert run.code == 0, run.err
    assert re.search(r"^deploy: warning: build/ was changed or replaced since its last build", run.err, re.MULTILINE)


def test_a_build_that_died_while_changing_the_output_leaves_no_record(repo: Path) -> None:
    from linkblog.cache import mark_dirty

    assert run_cli(repo, "build").code == 0
    mark_dirty(repo, (repo / "build").resolve())  # what a build does just before it changes the output, then killed
    run = run_cli(repo, "deploy", "--no-build")
    assert run.code == 0, run.err
    assert re.search(r"^deploy: warning: no record of how build/ was built", run.err, re.MULTILINE)


def test_a_failed_drafts_build_leaves_the_record_of_the_output_it_left(repo: Path) -> None:
    unpublished_posts(repo)
    assert run_cli(repo, "build").code == 0
    (repo / "posts" / "2017-01-01-bad.md").write_text("---\ntitle: [unclosed\n---\nBody\n")
    assert run_cli(repo, "build", "--drafts").code == 1
    (repo / "posts" / "2017-01-01-bad.md").unlink()
    run = run_cli(repo, "deploy", "--no-build")
    assert run.code == 0, run.err
    assert "warning" not in run.err


def test_no_build_without_an_output_is_refused(repo: Path) -> None:
    assert_refused(run_cli(repo, "deploy", "--no-build"), "build")


def test_outside_a_git_repository_nothing_is_built_or_deployed(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", SAMPLE_POSTS)
    assert_refused(run_cli(site, "deploy"), "git repository")
    assert not (site / "build").exists()


def test_a_failed_build_deploys_nothing(repo: Path) -> None:
    (repo / "posts" / "2017-01-01-bad.md").write_text("---\ntitle: [unclosed\n---\nBody\n")
    run = run_cli(repo, "deploy")
    assert_refused(run, "build")
    assert re.search(r"^posts/2017-01-01-bad\.md:\d+: ", run.err, re.MULTILINE)
    assert git(remote_of(repo), "branch", "--list") == ""


def test_an_unknown_remote_is_refused_before_building(repo: Path) -> None:
    before = user_state(repo)
    assert_refused(run_cli(repo, "deploy", "--remote", "upstream"), "upstream")
    assert not (repo / "build").exists()
    assert user_state(repo) == before


@pytest.mark.parametrize("branch", ["HEAD", "refs/heads/pages", "", "a..b", "two words", "x~1", "@{-1}"])
def test_a_name_that_cannot_be_a_branch_is_refused_before_building(repo: Path, branch: str) -> None:
    before = user_state(repo)
    assert_refused(run_cli(repo, "deploy", "--branch", branch), "cannot be a branch name")
    assert not (repo / "build").exists()
    assert user_state(repo) == before
    assert git(remote_of(repo), "for-each-ref") == ""


@pytest.mark.parametrize("setup", ["pushed", "current", "diverged"])
def test_the_branch_holding_the_source_is_never_deployed_to(repo: Path, setup: str) -> None:
    """`deploy --branch main` would commit the built site over the posts, and the next `git pull` delete them."""
    if setup != "current":
        git(repo, "push", "--quiet", "origin", "main")
    if setup == "diverged":  # the remote's main moved on: its tip is no longer in HEAD's history
        git(repo, "checkout", "--quiet", "-b", "work")
        clone = repo.parent / "clone"
        git(repo.parent, "clone", "--quiet", "--branch", "main", str(remote_of(repo)), "clone")
        (clone / "README").write_text("changed elsewhere\n")
        git(clone, "commit", "--quiet", "-am", "Elsewhere")
        git(clone, "push", "--quiet", "origin", "main")
    before = git(remote_of(repo), "rev-parse", "main") if setup != "current" else None
    run = run_cli(repo, "deploy", "--branch", "main")
    if setup == "current":  # nothing on the remote's main: the branch named is the one checked out here
        assert_refused(run, "main is the branch checked out here", "source", "gh-pages")
        assert "origin/main" not in run.err
    else:
        assert_refused(run, "origin/main", "source", "gh-pages")
    if before:
        assert git(remote_of(repo), "rev-parse", "main") == before
    assert run_cli(repo, "deploy").code == 0  # its own branch is fine


def test_git_without_an_identity_is_told_how_to_give_one(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.delenv(f"GIT_{who}_NAME")
        monkeypatch.delenv(f"GIT_{who}_EMAIL")
    (repo.parent / "gitconfig").write_text("[user]\n\tuseConfigOnly = true\n")  # no guessing from the host
    assert_refused(run_cli(repo, "deploy"), "git config --global user.name", "user.email")
    assert git(remote_of(repo), "branch", "--list") == ""

def test_a_push_the_remote_refuses_is_reported(repo: Path) -> None:
    hook = remote_of(repo) / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'you may not publish here' >&2\nexit 1\n")
    hook.chmod(0o755)
    before = user_state(repo)
    assert_refused(run_cli(repo, "deploy"), "rejected", "you may not publish here")
    assert user_state(repo) == before
    assert git(remote_of(repo), "branch", "--list") == ""


def test_the_users_pre_push_hook_runs_and_its_refusal_is_reported(repo: Path) -> None:
    hook = repo / ".git" / "hooks" / "pre-push"
    hook.write_text("#!/bin/sh\necho 'tests failed, not pushing' >&2\nexit 1\n")
    hook.chmod(0o755)
    before = user_state(repo)
    assert_refused(run_cli(repo, "deploy"), "rejected", "pre-push hook", "tests failed, not pushing")
    assert user_state(repo) == before
    assert git(remote_of(repo), "branch", "--list") == ""


def test_a_hooks_path_of_the_repository_is_run_for_a_site_in_a_subfolder(tmp_path: Path) -> None:
    top = tmp_path / "repo"
    make_site(top / "blog", SAMPLE_POSTS, files={".gitignore": "/build/\n.cache/\n"})
    hooks = top / ".githooks"
    hooks.mkdir()
    (hooks / "pre-push").write_text("#!/bin/sh\necho 'tests failed, not pushing' >&2\nexit 1\n")
    (hooks / "pre-push").chmod(0o755)
    git(top, "init", "--quiet", "--initial-branch=main")
    git(top, "config", "core.hooksPath", ".githooks")  # relative: to the top of the work tree, as husky sets it
    git(top, "add", "--all")
    git(top, "commit", "--quiet", "-m", "The site")
    git(top, "remote", "add", "origin", str(bare(tmp_path / "remote.git")))
    assert_refused(run_cli(top / "blog", "deploy"), "rejected", "pre-push hook", "tests failed, not pushing")
    assert git(tmp_path / "remote.git", "branch", "--list") == ""


def test_a_push_that_cannot_reach_the_remote_is_not_blamed_on_the_pre_push_hook(repo: Path, tmp_path: Path) -> None:
    hook = repo / ".git" / "hooks" / "pre-push"
    hook.write_text("#!/bin/sh\nexit 0\n")
    hook.chmod(0o755)
    git(repo, "remote", "set-url", "--push", "origin", str(tmp_path / "gone.git"))
    run = run_cli(repo, "deploy")
    assert_refused(run, "rejected", "gone.git")
    assert "hook" not in run.err


def test_a_non_fast_forward_push_is_reported_and_not_forced(repo: Path, tmp_path: Path) -> None:
    # Pushes go to another repository whose gh-pages moved on: as if someone deployed meanwhile.
    other = bare(tmp_path / "other.git")
    elsewhere = make_site(tmp_path / "elsewhere", {}, files={"index.html": "someone else's\n"})
    git(elsewhere, "init", "--quiet", "--initial-branch=gh-pages")
    git(elsewhere, "add", "--all")
    git(elsewhere, "commit", "--quiet", "-m", "Their deploy")
    git(elsewhere, "push", "--quiet", str(other), "gh-pages")
    theirs = tip(other)
    git(repo, "remote", "set-url", "--push", "origin", str(other))
    assert_refused(run_cli(repo, "deploy"), "rejected", "non-fast-forward")
    assert tip(other) == theirs


def test_init_writes_the_packaged_workflow(tmp_path: Path) -> None:
    assert run_cli(tmp_path, "init", "blog").code == 0
    assert (tmp_path / "blog" / ".github" / "workflows" / "pages.yml").read_bytes() == TEMPLATE.read_bytes()


def test_the_repository_carries_the_same_workflow_installing_itself() -> None:
    # The one difference: linkblog's own repository builds its example site with the checkout.
    expected = TEMPLATE.read_text().replace("run: pip install 'linkblog[search]'\n", "run: pip install '.[search]'\n")
    assert "run: pip install '.[search]'\n" in expected
    assert REPO_WORKFLOW.read_text() == expected


def steps(workflow: dict, job: str) -> list[dict]:
    return workflow["jobs"][job]["steps"]


@pytest.mark.parametrize("path", [TEMPLATE, REPO_WORKFLOW], ids=["template", "repo"])
def test_the_workflow_uses_the_official_pages_actions(path: Path) -> None:
    workflow = yaml.safe_load(path.read_text())
    used = [step["uses"] for job in workflow["jobs"] for step in steps(workflow, job) if "uses" in step]
    assert all(re.fullmatch(r"actions/[a-z-]+@v\d+", name) for name in used)
    assert {name.split("@")[0] for name in used} == {
        "actions/checkout", "actions/setup-python", "actions/configure-pages", "actions/cache",
        "actions/upload-pages-artifact", "actions/deploy-pages"}
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert workflow["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    assert workflow["jobs"]["deploy"]["needs"] == "build"
    assert workflow["jobs"]["deploy"]["environment"]["name"] == "github-pages"
    build = steps(workflow, "build")
    cache = next(step for step in build if step.get("uses", "").startswith("actions/cache@"))
    assert cache["with"]["path"] == ".cache/linkblog/"
    runs = [step["run"] for step in build if "run" in step]
    assert any('linkblog build' in run and '--base-url "${{ steps.pages.outputs.base_url }}/"' in run for run in runs)
    upload = next(step for step in build if step.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert any(f"--output {upload['with']['path'].rstrip('/')} " in run for run in runs)


def run_build_steps(workflow_path: Path, checkout: Path, base_url: str) -> None:
    """The build job's `run:` lines, as the runner would run them, with linkblog taken from this venv."""
    workflow = yaml.safe_load(workflow_path.read_text())
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for step in steps(workflow, "build"):
        if "run" not in step or step["run"].startswith("pip install"):
            continue
        line = step["run"].replace("${{ steps.pages.outputs.base_url }}", base_url)
        assert "${{" not in line
        done = subprocess.run(["bash", "-e", "-c", line], cwd=checkout, env=env, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, f"{line}\n{done.stdout}{done.stderr}"


def test_the_workflow_builds_a_new_site(tmp_path: Path) -> None:
    assert run_cli(tmp_path, "init", "blog").code == 0
    site = tmp_path / "blog"
    run_build_steps(site / ".github" / "workflows" / "pages.yml", site, "https://someone.github.io/blog")
    page = BeautifulSoup((site / "_site" / "index.html").read_text("utf-8"), "html.parser")
    assert page.find("link", rel="stylesheet")["href"] == "/blog/style.css"
    assert (site / "_site" / ".nojekyll").exists()
    assert (site / ".cache" / "linkblog").is_dir()  # what actions/cache keeps for the next run


def test_the_repository_workflow_builds_the_example_site(tmp_path: Path) -> None:
    site = copy_example(tmp_path / "checkout")
    shutil.copytree(REPO / ".github", site / ".github")
    run_build_steps(site / ".github" / "workflows" / "pages.yml", site, "https://example.github.io/notes")
    page = BeautifulSoup((site / "_site" / "archive" / "index.html").read_text("utf-8"), "html.parser")
    assert page.find("link", rel="stylesheet")["href"] == "/notes/style.css"


def test_a_branch_moved_meanwhile_is_said_in_linkblogs_words_alone() -> None:
    # a pre-push hook (or anyone) pushed while the deploy ran: git's lock error adds nothing to act on
    stderr = ("remote: error: cannot lock ref 'refs/heads/gh-pages': is at 24f3d7d but expected ab2f0b0\n"
              "error: failed to push some refs to '../origin.git'\n")
    stdout = "To ../origin.git\n!\tHEAD:refs/heads/gh-pages\t[remote rejected] (failed to update ref)\nDone\n"
    assert push_reason(stdout, stderr) == "non-fast-forward: the branch changed since this deploy began; run it again"
