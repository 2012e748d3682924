"""Publish the built site to a branch (gh-pages) with git plumbing, never touching the user's checkout.

The tree is written through a temporary index (GIT_INDEX_FILE) from blobs hashed straight
from the output folder, committed on top of the remote branch's tip and pushed: the user's
HEAD, index, stash, branch and working tree are never read into or written (lektor's
publish_ghpages, mkdocs' gh-deploy without a local branch).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from linkblog import __version__
from linkblog.build import Builder, BuildOptions, output_identity
from linkblog.cache import load_built, output_files
from linkblog.config import Config, load_config
from linkblog.output import GIT, missing_files
from linkblog.problems import Problem, errors, plural
from linkblog.scan import HIDDEN, PRIVATE, STATIC_SKIPPED, Unusable, every_file, untracked
from linkblog.sources import FILE as SOURCES_FILE
from linkblog.urls import Urls

# Paths per `git hash-object` call: well under any system's argument-length limit.
HASH_BATCH = 500


class GitError(Exception):
    """A git command failed; the message is one line a user can act on."""


class NoGit(GitError):
    """git itself cannot be run."""


@dataclass
class DeployResult:
    """What a deploy did: the commit it pushed (None when the branch already held this site)."""

    problems: list[Problem] = field(default_factory=list)
    commit: str | None = None
    files: int = 0
    target: str = ""
    notes: list[str] = field(default_factory=list)  # what the build left out, which is never deployed

    @property
    def ok(self) -> bool:
        return not errors(self.problems)


@dataclass(frozen=True)
class Git:
    """Runs git for one repository from a folder inside it."""

    cwd: Path
    git_dir: str = ""

    def run(self, *args: str, data: bytes | None = None, env: dict[str, str] | None = None) -> str:
        """Stdout of one git command, stripped; a GitError with git's own reason when it fails."""
        return self.output(*args, data=data, env=env).decode(errors="replace").strip()

    def output(self, *args: str, data: bytes | None = None, env: dict[str, str] | None = None) -> bytes:
        """Stdout of one git command, byte for byte; a GitError with git's own reason when it fails."""
        done = self.call(*args, data=data, env=env)
        if done.returncode:
            raise GitError(git_reason(done.stderr.decode(errors="replace")) or f"git {args[0]} failed")
        return done.stdout

    def call(self, *args: str, data: bytes | None = None,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
        command = ["git", *([f"--git-dir={self.git_dir}"] if self.git_dir else []), *args]
        try:
            return subprocess.run(command, cwd=self.cwd, input=data, capture_output=True,
                                  env={**os.environ, **(env or {})}, check=False)
        except FileNotFoundError:
            raise NoGit("git is not installed (or not on PATH)") from None


def git_reason(stderr: str) -> str:
    """The line of git's error output that says what went wrong."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for marker in ("fatal:", "error:", "ERROR:"):
        found = [line for line in lines if line.startswith(marker)]
        if found:
            return found[0].removeprefix(marker).strip()
    return lines[-1] if lines else ""


def deploy(config_path: Path, remote: str = "origin", branch: str = "gh-pages", message: str | None = None,
           build: bool = True, waiting: Callable[[str], None] | None = None) -> DeployResult:
    """Build (unless told not to), commit the output as the whole tree of `branch` and push it to `remote`;
    `waiting` is told when the build waits for another one writing the output."""
    config, problems = load_config(config_path)
    if config is None or errors(problems):
        return DeployResult(problems)
    target = f"{remote}/{branch}"
    notes: list[str] = []
    try:
        git = open_repo(config.root, remote)
        check_branch_name(git, branch)
        problems += uncommitted_inputs(config_path, config)
        if build:
            result = Builder(config_path, options=BuildOptions(), waiting=waiting).build()
            problems += [p for p in result.problems if p not in problems]  # the config's warnings, read twice
            if not result.ok:
                return DeployResult(problems + [Problem("deploy", "the build failed; nothing was deployed")],
                                    target=target)
            notes = result.notes(hints=False)
        files, unusable = site_files(config)
        problems += unusable
        if not build:
            selection = built_selection(config)
            problems += selection
            if errors(selection):
                return DeployResult(problems, target=target)
        entries = tree_entries(git, config, files)
        tree = write_tree(git, entries)
        left_out = unstored_files(git, config, tree, entries)
        if left_out:
            return DeployResult(problems + left_out, target=target)
        tip = remote_tip(git, remote, branch)
        refuse_source_branch(git, config_path, target, branch, tip)
        if tip and git.run("rev-parse", f"{tip}^{{tree}}") == tree:
            return DeployResult(problems, None, len(entries), target, notes)
        try:
            commit = git.run("commit-tree", tree, *(["-p", tip] if tip else []), "-m", message or default_message(git))
        except GitError as exc:
            if "auto-detect" in str(exc) or "identity" in str(exc):  # no user.name / user.email set up
                raise GitError(f"{exc}: tell git who you are (git config --global user.name \"Your Name\"; "
                               "git config --global user.email you@example.com)") from None
            raise
        push(git, remote, commit, branch)
    except GitError as exc:
        return DeployResult(problems + [Problem("deploy", str(exc))], target=target)
    return DeployResult(problems, commit, len(entries), target, notes)


def open_repo(root: Path, remote: str) -> Git:
    """The repository holding the site, once it is known to have `remote`."""
    try:
        git_dir = Git(root).run("rev-parse", "--absolute-git-dir")
        # Run from the top of the work tree: with --git-dir, git takes the folder it runs in for that top, and
        # would look for a relative core.hooksPath, and paths of the repository, under a site's subfolder.
        top = Path(Git(root).run("rev-parse", "--show-toplevel"))
    except NoGit:
        raise
    except GitError:
        raise GitError(f"{root} is not in a git repository (run `git init` and add a remote first)") from None
    git = Git(top, git_dir)
    try:
        git.run("remote", "get-url", remote)
    except GitError:
        raise GitError(f"no git remote named '{remote}' (add one with `git remote add {remote} URL`)") from None
    return git


# What a deploy adds to any folder (hosting_blobs): never missing from one.
HOSTED = {".nojekyll", "CNAME"}
# The site's inputs, with the names a build skips in each folder (editors' files, .DS_Store, posts/_drafts/).
INPUT_FOLDERS = {"posts": PRIVATE, "templates": HIDDEN, "static": STATIC_SKIPPED}


def uncommitted_inputs(config_path: Path, config: Config) -> list[Problem]:
    """A warning for each of the site's inputs that differs from the last commit: the deployed site would match
    no commit, though the deploy's message names one."""
    git = Git(config.root)
    site = git.call("rev-parse", "--show-prefix").stdout.decode(errors="surrogateescape").strip()
    problems = []
    for name in (config_path.name, *INPUT_FOLDERS, SOURCES_FILE):
        # --no-optional-locks: status must not refresh (rewrite) the user's index.
        listed = git.call("--no-optional-locks", "status", "--porcelain", "-z", "--untracked-files=all", "--",
                          name).stdout.decode(errors="surrogateescape")
        count = sum(built_from(path.removeprefix(site), name) for path in status_paths(listed))
        if count:
            problems.append(Problem(name, f"{count} uncommitted change{'s' if count > 1 else ''}; the deployed "
                                    "site will not match any commit", warning=True))
    return problems


def status_paths(listed: str) -> list[str]:
    """The paths `git status --porcelain -z` names (relative to the repository), a rename's new one only."""
    entries, paths = iter(listed.split("\0")), []
    for entry in entries:
        if len(entry) > 3:
            paths.append(entry[3:])
            if entry[0] in "RC":
                next(entries, None)  # the path it was renamed or copied from
    return paths


def built_from(path: str, name: str) -> bool:
    """True unless a build skips the file at `path` (relative to the site) of the input `name`."""
    skipped = INPUT_FOLDERS.get(name)
    return skipped is None or not untracked("/".join(PurePosixPath(path).parts[1:]), skipped)


def site_files(config: Config) -> tuple[list[str], list[Problem]]:
    """Every file of the built site, relative to the output folder; a warning for each one git cannot store (a
    link to nothing, a pipe, a name that is not UTF-8: only put there since the build)."""
    if not (config.output_path / "index.html").is_file():
        raise GitError(f"{config.output_dir}/ holds no built site (run `linkblog build`, or deploy without "
                       "--no-build)")
    unusable: Unusable = []
    found = every_file(config.output_path, unusable)
    # A clone or worktree of the branch kept in the output folder (`git clone -b gh-pages URL build`, which a build
    # leaves in place) is git's, not the site's: never published, nor hashed into the user's repository.
    out = config.output_dir.rstrip("/")
    return [f.rel for f in found if not in_checkout(f.rel)], [
        Problem(f"{out}/{rel}", f"not deployed: {why}", warning=True) for rel, why in unusable if not in_checkout(rel)]


def in_checkout(rel: str) -> bool:
    """True for a file of the git checkout kept in the output folder, if any."""
    return rel.split("/", 1)[0] == GIT


def built_selection(config: Config) -> list[Problem]:
    """An error when the output was built with drafts or future posts; a warning when no record says how."""
    built = load_built(config.root, config.output_path)
    out = f"{config.output_dir}/"
    if built is None:
        return [Problem("deploy", f"no record of how {out} was built; deploying it as it is, drafts and future posts "
                        "included if it has any", warning=True)]
    flags = [flag for flag, on in (("--drafts", built.drafts), ("--future", built.future)) if on]
    if flags:
        return [Problem("deploy", f"{out} was built with {' and '.join(flags)} (drafts and future posts are never "
                        "deployed); run linkblog build without --drafts/--future, or deploy without --no-build")]
    # A preview's or staging copy's links lead there, not to the site.
    if built.url is not None and not same_address(built.url, config.url):
        return [Problem("deploy", f"{out} was built for {built.url} (--base-url), not for the site's url "
                        f"{config.url}; run linkblog build without --base-url, or deploy without --no-build")]
    written = output_files(config.root, config.output_path)
    gone = sorted(missing_files(config.output_path, written) - HOSTED)
    if gone:
        return [Problem("deploy", f"{out} lacks {plural(len(gone), 'file')} its last build wrote ({gone[0]}"
                        f"{', …' if len(gone) > 1 else ''}); run linkblog build, which puts "
                        f"{'them' if len(gone) > 1 else 'it'} back, or deploy without --no-build")]
    # Another identity: a name at the folder's top was added, removed or replaced since that build (by hand, by a
    # build that died, an older copy put back): its record says how that build was made, not what the folder holds.
    if built.identity != output_identity(config):
        return [Problem("deploy", f"{out} was changed or replaced since its last build; deploying it as it is, "
                        "drafts and future posts included if it has any", warning=True)]
    return []


def same_address(url: str, other: str) -> bool:
    """True when two base URLs are one address as linkblog spells it in pages (bücher.example is
    xn--bcher-kva.example, /my blog/ is /my%20blog/), so a build for either is the same output."""
    return Urls(url).absolute("/") == Urls(other).absolute("/")


def hosting_blobs(config: Config, files: list[str]) -> dict[str, bytes]:
    """What GitHub Pages needs beside the site: .nojekyll, and CNAME for a custom domain."""
    blobs = {} if ".nojekyll" in files else {".nojekyll": b""}
    static_cname = config.root / "static" / "CNAME"
    if config.cname:
        blobs["CNAME"] = config.cname.encode() + b"\n"
    elif "CNAME" not in files and static_cname.is_file():
        blobs["CNAME"] = static_cname.read_bytes()
    return blobs


def tree_entries(git: Git, config: Config, files: list[str]) -> dict[str, str]:
    """The blob of each file the deployed tree holds: the output folder's files plus its hosting files."""
    in_output = Git(config.output_path, git.git_dir)
    entries = {}
    for start in range(0, len(files), HASH_BATCH):
        batch = files[start:start + HASH_BATCH]
        # --no-filters: the user's autocrlf, attributes and LFS filters must not change a byte.
        shas = in_output.run("hash-object", "-w", "--no-filters", "--", *batch).split()
        entries.update(zip(batch, shas, strict=True))
    for rel, data in hosting_blobs(config, files).items():
        entries[rel] = git.run("hash-object", "-w", "--no-filters", "--stdin", data=data)
    return entries


def write_tree(git: Git, entries: dict[str, str]) -> str:
    """The git tree of the entries (path: blob), written through a temporary index."""
    listing = b"".join(f"100644 {sha}\t{rel}".encode() + b"\0" for rel, sha in sorted(entries.items()))
    with tempfile.TemporaryDirectory(prefix="linkblog-deploy-") as temp:
        index = {"GIT_INDEX_FILE": str(Path(temp) / "index")}
        git.run("update-index", "--add", "-z", "--index-info", data=listing, env=index)
        return git.run("write-tree", env=index)


def unstored_files(git: Git, config: Config, tree: str, entries: dict[str, str]) -> list[Problem]:
    """An error for each entry the tree lacks: update-index skips a name git refuses (.git below the top, or .GIT or
    GIT~1, which Windows or macOS would read as .git) with a note on stderr and exit 0."""
    listed = git.output("ls-tree", "-r", "-z", "--name-only", tree).decode(errors="surrogateescape")
    stored = set(listed.split("\0"))
    return [Problem(f"{config.output_dir}/{rel}", "git refuses this name (it is, or Windows or macOS would read it as, "
                    ".git), so the deployed site would lack it; rename it")
            for rel in sorted(entries) if rel not in stored]


def check_branch_name(git: Git, branch: str) -> None:
    """A GitError, before anything is built, for a name git refuses for a branch, or one that only looks like
    another ref (HEAD, refs/heads/x: git would make refs/heads/refs/heads/x)."""
    # Checked as the full ref name: `--branch` would take @{-1} for the branch checked out before.
    refused = branch == "HEAD" or branch.startswith("refs/")
    if refused or git.call("check-ref-format", f"refs/heads/{branch}").returncode:
        raise GitError(f"'{branch}' cannot be a branch name (try --branch gh-pages)")


def remote_tip(git: Git, remote: str, branch: str) -> str | None:
    """The commit at the remote branch's tip, fetched so the new commit can follow it; None for a new branch."""
    try:
        listed = git.run("ls-remote", "--heads", remote, f"refs/heads/{branch}")
    except GitError as exc:
        raise GitError(f"cannot reach remote '{remote}': {exc}") from None
    if not listed:
        return None
    tip = listed.split()[0]
    if not has_commit(git, tip):
        git.run("fetch", "--quiet", "--no-write-fetch-head", remote, f"refs/heads/{branch}")
    return tip


def refuse_source_branch(git: Git, config_path: Path, target: str, branch: str, tip: str | None) -> None:
    """A GitError when the branch holds the site's source rather than a deploy: committing the built site on
    top of it would make the next `git pull` delete the posts."""
    current = git.call("symbolic-ref", "--quiet", "--short", "HEAD").stdout.decode(errors="replace").strip()
    config_in_repo = os.path.relpath(config_path.resolve(), git.run("rev-parse", "--show-toplevel"))
    if branch == current and tip is None:  # nothing pushed there yet: it is the local branch that holds the source
        raise GitError(f"{branch} is the branch checked out here, which holds this site's source; deploy to a branch "
                       "of its own (the default, gh-pages, or --branch NAME)")
    source = branch == current or (tip is not None and (
        git.call("merge-base", "--is-ancestor", tip, "HEAD").returncode == 0
        or (not built_site(git, tip)
            and bool(git.call("ls-tree", "--name-only", tip, "--", config_in_repo).stdout.strip()))))
    if source:
        raise GitError(f"{target} holds this site's source, not a deployed site; deploy to a branch of its "
                       "own (the default, gh-pages, or --branch NAME)")


def built_site(git: Git, tip: str) -> bool:
    """True when the commit's tree is a built site (every build leaves .nojekyll and index.html at its top), which
    may hold a file named as the config is (a static config.yaml) without being the source."""
    names = git.call("ls-tree", "--name-only", "-z", tip).stdout.split(b"\0")
    return b".nojekyll" in names and b"index.html" in names


def has_commit(git: Git, sha: str) -> bool:
    try:
        git.run("cat-file", "-e", f"{sha}^{{commit}}")
    except GitError:
        return False
    return True


def default_message(git: Git) -> str:
    """'Deploy 1a2b3c4 with linkblog 0.1.0', naming the commit the site was built from."""
    try:
        source = git.run("rev-parse", "--short", "HEAD")
    except GitError:  # a repository with no commit yet
        return f"Deploy with linkblog {__version__} (no commit yet)"
    return f"Deploy {source} with linkblog {__version__}"


def push(git: Git, remote: str, commit: str, branch: str) -> None:
    """Push the commit to the branch; never forced, so someone else's deploy is never lost."""
    done = git.call("push", "--porcelain", remote, f"{commit}:refs/heads/{branch}")
    if done.returncode:
        stdout, stderr = done.stdout.decode(errors="replace"), done.stderr.decode(errors="replace")
        # The remote answers with the ref's status line; a pre-push hook refuses (exit 1, where a connection that
        # fails dies with 128) before there is one, and git does not say it was the hook.
        answered = f"\t{commit}:refs/heads/{branch}\t" in stdout
        hooked = done.returncode == 1 and not answered and has_pre_push_hook(git)
        reason = pre_push_reason(stdout, stderr) if hooked else push_reason(stdout, stderr)
        raise GitError(f"push to {remote}/{branch} was rejected: {reason}")


def has_pre_push_hook(git: Git) -> bool:
    """True when git push runs a pre-push hook of the user's (in .git/hooks, or core.hooksPath when set)."""
    hook = git.cwd / git.run("rev-parse", "--git-path", "hooks/pre-push")
    return hook.is_file() and os.access(hook, os.X_OK)


# How git's own lines around a push begin: the rest of what it printed is a hook's output, which git does not label.
GIT_LINES = ("error:", "fatal:", "hint:", "warning:", "remote:")


def pre_push_reason(stdout: str, stderr: str) -> str:
    """'the local pre-push hook declined' and the first line the hook printed (to stderr, or else to stdout)."""
    said = [line.strip() for line in [*stderr.splitlines(), *stdout.splitlines()]
            if line.strip() and not line.startswith(GIT_LINES)]
    return "; ".join(["the local pre-push hook declined", *said[:1]])


def push_reason(stdout: str, stderr: str) -> str:
    """Why git push failed, from its porcelain status line or its error output."""
    rejected = [line.split("\t")[-1] for line in stdout.splitlines() if line.startswith("!")]
    reason = rejected[0].split("] ", 1)[-1].strip("()") if rejected else git_reason(stderr)
    hook = [line.removeprefix("remote:").strip() for line in stderr.splitlines() if line.startswith("remote:")]
    # git's words for "someone pushed meanwhile": before the push began, and while it ran.
    if reason in ("non-fast-forward", "fetch first", "stale info") or "cannot lock ref" in stderr:
        return "non-fast-forward: the branch changed since this deploy began; run it again"  # git's words add nothing
    return "; ".join([reason, *[line for line in hook if line]][:2])
