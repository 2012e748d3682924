"""The `linkblog` command: parses arguments, prints problems, chooses the exit code."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from linkblog import __version__
from linkblog.build import Builder, BuildOptions, BuildResult
from linkblog.problems import Problem


def main(argv: list[str] | None = None) -> int:
    """Run one command; 0 on success, 1 on content errors, 2 on usage errors."""
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except OSError as exc:
        print(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="linkblog", description="A static-site generator for link blogs.")
    top.add_argument("--version", action="version", version=f"linkblog {__version__}")
    commands = top.add_subparsers(title="commands", required=True, metavar="COMMAND")
    # One function per command adds its parser; each sets `run` to the function that runs it.
    for add in (add_build, add_init, add_new):
        add(commands)
    return top


def config_option(command: argparse.ArgumentParser) -> None:
    command.add_argument("--config", default="config.yaml", type=Path, help="config file (default: config.yaml)")


def add_build(commands: argparse._SubParsersAction) -> None:
    build = commands.add_parser("build", help="build the site into the output folder")
    config_option(build)
    build.add_argument("--output", help="output folder (overrides output_dir)")
    build.add_argument("--base-url", help="absolute base URL (overrides url)")
    build.add_argument("--drafts", action="store_true", help="include posts marked draft: true")
    build.add_argument("--future", action="store_true", help="include posts dated in the future")
    build.add_argument("--clean", action="store_true", help="ignore the cache and rebuild everything")
    build.add_argument("--jobs", type=int, default=0, help="worker processes (default: one per core)")
    build.add_argument("--quiet", action="store_true", help="print only problems")
    build.add_argument("--timings", action="store_true", help="print where the time went")
    build.set_defaults(run=run_build)


def add_init(commands: argparse._SubParsersAction) -> None:
    init = commands.add_parser("init", help="start a new site in DIR")
    init.add_argument("dir", type=Path)
    init.set_defaults(run=run_init)


def add_new(commands: argparse._SubParsersAction) -> None:
    new = commands.add_parser("new", help="write a new post file and print its path")
    new.add_argument("title")
    new.add_argument("--link", help="URL of the article the post quotes")
    new.add_argument("--source", help="who wrote it")
    new.add_argument("--via", help="who pointed you to it")
    new.add_argument("--tag", action="append", default=[], help="a tag (repeatable)")
    config_option(new)
    new.set_defaults(run=run_new)


def run_init(args: argparse.Namespace) -> int:
    from linkblog.scaffold import init_site

    problem = init_site(args.dir)
    if problem:
        report([problem])
        return 1
    print(f"Created a new site in {args.dir}. Next: cd {args.dir} && linkblog build")
    return 0


def run_new(args: argparse.Namespace) -> int:
    from linkblog.config import load_config
    from linkblog.scaffold import new_post

    config, problems = load_config(args.config)
    if config is None:
        report(problems)
        return 1
    now = datetime.now(UTC).astimezone(config.tz)
    path, problem = new_post(config.posts_path, args.title, now, args.link, args.source, args.via, args.tag)
    if problem:
        report([problem])
        return 1
    print(path.relative_to(config.root) if path.is_relative_to(config.root) else path)
    return 0


def run_build(args: argparse.Namespace) -> int:
    options = BuildOptions(drafts=args.drafts, future=args.future, clean=args.clean, jobs=args.jobs)
    overrides = {"output_dir": args.output, "url": args.base_url}
    builder = Builder(args.config, overrides, options)
    show_progress = sys.stderr.isatty() and not args.quiet
    result = builder.build(progress_printer() if show_progress else None)
    if show_progress:
        print("\r\033[K", end="", file=sys.stderr)
    report(result.problems, failed_build=True)
    if result.ok and not args.quiet:
        print(summary(result))
    if args.timings:
        print("timings: " + json.dumps({k: round(v, 4) for k, v in result.timings.items()}), file=sys.stderr)
    return 0 if result.ok else 1


def progress_printer() -> Callable[[str, int, int], None]:
    """A progress callback that redraws one terminal line, at most ten times a second."""
    last = [0.0]

    def show(stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done == total or now - last[0] > 0.1:
            last[0] = now
            print(f"\r{stage} {done}/{total}", end="", file=sys.stderr, flush=True)

    return show


def report(problems: list[Problem], failed_build: bool = False) -> None:
    """Print every problem, one line each."""
    for problem in problems:
        print(problem, file=sys.stderr)
    count = sum(1 for p in problems if not p.warning)
    if count and failed_build:
        print(f"build failed: {count} error{'s' if count > 1 else ''}; the output was left as it was",
              file=sys.stderr)


def summary(result: BuildResult) -> str:
    """One line: posts, files written, pages unchanged, files removed, seconds."""
    return (f"Built {plural(result.posts, 'post')}: {plural(len(result.written), 'file')} written, "
            f"{result.unchanged} unchanged, {len(result.deleted)} removed in {result.seconds:.2f} s")


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
