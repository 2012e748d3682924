"""The `linkblog` command: parses arguments, prints problems, chooses the exit code.

Importing this module imports nothing else: what a command needs is imported once main() runs,
inside the handler of Ctrl-C, so a Ctrl-C at any moment of start-up ends quietly.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable
    from pathlib import Path
    from typing import TextIO

    from linkblog.build import BuildResult
    from linkblog.problems import Problem


def main(argv: list[str] | None = None, ending: bool = False) -> int:
    """Run one command; 0 on success, 1 on content errors, 2 on usage errors, 130 on Ctrl-C.

    `ending`: the process ends right after the command (the console script's)."""
    if sys.stderr is None:  # started with it closed (`2>&-`): print(file=None) would say problems on stdout
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - the process's own, open till it ends
    try:
        args = parser().parse_args(argv)
        args.ending = ending
        return args.run(args)
    except OSError as exc:
        print(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def run() -> None:
    """The console script: main(), then an exit that skips freeing every object of a big site one by one.

    `python -m linkblog` exits as usual, so that profilers and coverage run under it can report."""
    try:
        code = main(ending=True)
    except KeyboardInterrupt:  # Ctrl-C before the command could even start
        print("interrupted", file=sys.stderr)
        code = 130
    if "multiprocessing" in sys.modules:  # its exit handler stops the fork server and removes its folder
        sys.exit(code)
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:  # None when the shell closed it (`>&-`)
                stream.flush()
    except (OSError, ValueError):  # a broken pipe: let the interpreter report it as it exits
        sys.exit(code)
    # Nothing is left to close: files and databases are closed by now, and the interpreter's
    # teardown of 10,000 posts costs a tenth of an edit's build.
    os._exit(code)


def parser() -> argparse.ArgumentParser:
    import argparse

    from linkblog import __version__

    top = argparse.ArgumentParser(prog="linkblog", description="A static-site generator for link blogs.")
    top.add_argument("--version", action="version", version=f"linkblog {__version__}")
    commands = top.add_subparsers(title="commands", required=True, metavar="COMMAND")
    # One function per command adds its parser; each sets `run` to the function that runs it.
    for add in (add_build, add_serve, add_init, add_new, add_deploy, add_check, add_import):
        add(commands)
    return top


MAX_JOBS = 256  # far past any machine's cores; more only forks processes that wait for each other


def jobs_option(command: argparse.ArgumentParser) -> None:
    command.add_argument("--jobs", type=whole_number(0, MAX_JOBS), default=0,
                         help="worker processes (default: one per core)")


def whole_number(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from low to high, else a usage error naming the range."""
    import argparse

    def parsed(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be a whole number from {low} to {high}, not {text!r}")
        return value

    return parsed


def utf8_text(text: str) -> str:
    """An argparse type: text that was UTF-8 on the command line (Python keeps other bytes as lone surrogates,
    which no post file, URL or build record can hold), else a usage error."""
    import argparse

    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise argparse.ArgumentTypeError(f"is not UTF-8 text: {text.encode('utf-8', 'surrogateescape')!r} (is the "
                                         "terminal set to UTF-8?)") from None
    return text


def config_option(command: argparse.ArgumentParser) -> None:
    from pathlib import Path

    command.add_argument("--config", default="config.yaml", type=Path, help="config file (default: config.yaml)")


def add_build(commands: argparse._SubParsersAction) -> None:
    build = commands.add_parser("build", help="build the site into the output folder")
    config_option(build)
    build.add_argument("--output", type=utf8_text, help="output folder (overrides output_dir)")
    build.add_argument("--base-url", type=utf8_text, help="absolute base URL (overrides url)")
    build.add_argument("--drafts", action="store_true", help="include posts marked draft: true")
    build.add_argument("--future", action="store_true", help="include posts dated in the future")
    build.add_argument("--clean", action="store_true", help="ignore the cache and rebuild everything")
    jobs_option(build)
    build.add_argument("--quiet", action="store_true", help="print only problems")
    build.add_argument("--timings", action="store_true", help="print where the time went")
    build.set_defaults(run=run_build)


def add_serve(commands: argparse._SubParsersAction) -> None:
    import argparse

    serve = commands.add_parser("serve", help="preview the site (drafts included) at its base path")
    config_option(serve)
    serve.add_argument("--watch", action="store_true", help="rebuild on every change and reload open pages")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=whole_number(0, 65535), default=8000,
                       help="port (default: 8000; 0 picks a free one)")
    serve.add_argument("--drafts", action=argparse.BooleanOptionalAction, default=True,
                       help="show posts marked draft: true (default: yes)")
    serve.add_argument("--future", action=argparse.BooleanOptionalAction, default=True,
                       help="show posts dated in the future (default: yes)")
    serve.add_argument("--open", action="store_true", help="open the preview in the default browser")
    jobs_option(serve)
    serve.set_defaults(run=run_serve)


# Seconds a stop may wait for the first build to reach its next page before it stops it where it is.
FORCE_AFTER = 3.0


def run_serve(args: argparse.Namespace) -> int:
    import _thread
    import signal
    import time

    asked: list[int] = []
    closing = False
    gone: list[OSError] = []  # standard output or error closed (`| head` ended): nothing more can be told

    def say(line: str, stream: TextIO = sys.stdout) -> None:
        failed = told(line, stream)
        if failed:
            gone.append(failed)  # the main thread ends the session, whichever thread was telling

    def report_all(problems: list[Problem]) -> None:
        for problem in problems:
            say(str(problem), sys.stderr)

    def ask_to_stop(number: int, frame: object) -> None:
        # Noted, not raised: a KeyboardInterrupt lands wherever the main thread is (an import, a __del__ that
        # swallows it, a class body that turns it into RuntimeError). The build stops at its next page.
        asked.append(number)
        if len(asked) == 1:
            # A bare thread: threading's own locks may be held by the code this handler interrupted. None runs
            # before, so that a first build without other threads may still fork its workers.
            _thread.start_new_thread(force_a_stop_not_acted_on, ())
        elif len(asked) == 2 and not closing:  # a second Ctrl-C, or the first not acted on: stop where it is
            raise KeyboardInterrupt

    def force_a_stop_not_acted_on() -> None:
        time.sleep(FORCE_AFTER)
        if not closing:  # the first build is stuck in a page (a template that never ends)
            _thread.interrupt_main()  # as a second Ctrl-C: ask_to_stop raises in the main thread

    # Both stop it as Ctrl-C does, the first build included; SIGINT too when the shell that started it in the
    # background left it ignored, as Hugo's server stops then.
    signal.signal(signal.SIGINT, ask_to_stop)
    signal.signal(signal.SIGTERM, ask_to_stop)
    from linkblog.preview import ServeOptions, Session, is_loopback

    options = ServeOptions(args.host, args.port, args.drafts, args.future, args.watch, args.jobs)
    session = Session(args.config, options, say, report_all, lambda: bool(asked or gone))
    try:
        url, problems = (None, []) if asked else session.start()
        if problems:
            report_all(problems)
            return 1
        if url is not None and not (asked or gone):
            if not is_loopback(args.host):
                unpublished = [what for what, shown in (("drafts", args.drafts), ("future posts", args.future))
                               if shown]
                shown = f"; {' and '.join(unpublished)} included" if unpublished else ""
                print(f"warning: the preview is reachable from the network at {args.host}{shown}", file=sys.stderr)
            say(f"Serving {url}{' and watching for changes' if args.watch else ''} (Ctrl-C to stop)")
            if args.open:
                import webbrowser

                webbrowser.open(url)
        while not (asked or gone):  # a signal that reached another thread is acted on within 0.2 s
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        closing = True  # no signal interrupts the clean-up: it takes at most a few seconds
        session.stop()
        for number in (signal.SIGINT, signal.SIGTERM):  # the process ends now: nothing is left to stop
            signal.signal(number, signal.SIG_IGN)
    if gone:  # as any command that cannot print ends
        told(f"error: {gone[0].strerror or gone[0]}: the preview stopped, as nothing more could be printed",
             sys.stderr)
        return 1
    print("Stopped.", flush=True)
    return 0


def add_init(commands: argparse._SubParsersAction) -> None:
    from pathlib import Path

    init = commands.add_parser("init", help="start a new site in DIR")
    init.add_argument("dir", type=Path)
    init.set_defaults(run=run_init)


def add_new(commands: argparse._SubParsersAction) -> None:
    new = commands.add_parser("new", help="write a new post file and print its path")
    new.add_argument("title", nargs="?", type=utf8_text, help="the post's title (optional with --from-url)")
    new.add_argument("--from-url", metavar="URL", type=utf8_text,
                     help="fetch the article and fill in title, link, source and quote")
    new.add_argument("--link", metavar="URL", type=utf8_text, help="URL of the article the post quotes")
    new.add_argument("--source", metavar="NAME", type=utf8_text, help="who wrote it")
    new.add_argument("--via", metavar="NAME", type=utf8_text, help="who pointed you to it")
    new.add_argument("--via-url", metavar="URL", type=utf8_text, help="a link to who pointed you to it (needs --via)")
    new.add_argument("--quote", metavar="TEXT", type=utf8_text, help="the passage to quote (Markdown); default with "
                     "--from-url: the page's description")
    new.add_argument("--tag", action="append", default=[], type=utf8_text, help="a tag (repeatable)")
    new.add_argument("--draft", action="store_true", help="write draft: true, so builds leave it out")
    config_option(new)
    new.set_defaults(run=run_new, usage_error=new.error)


def run_init(args: argparse.Namespace) -> int:
    from linkblog.scaffold import init_site

    problem = init_site(args.dir)
    if problem:
        report([problem])
        return 1
    if os.path.samefile(args.dir, os.curdir):
        print("Created a new site in the current folder. Next: linkblog build")
    else:
        folder = shell_word(str(args.dir))
        print(f"Created a new site in {folder}. Next: cd {folder} && linkblog build")
    return 0


def shell_word(path: str) -> str:
    """A path as a shell reads it back, on one line: quoted (spaces, quotes), and never taken for an option."""
    import shlex

    from linkblog.problems import one_line

    return one_line(shlex.quote(f"./{path}" if path.startswith("-") else path))


def run_new(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from linkblog.config import load_config
    from linkblog.load import posts_near
    from linkblog.problems import Problem, errors
    from linkblog.scaffold import NewPost, new_post, prefilled, refused_options
    from linkblog.urls import slugify

    if not (args.title or args.from_url):
        args.usage_error("give the post's title, or --from-url URL")
    if args.via_url and not args.via:
        args.usage_error("--via-url needs --via NAME")
    new = NewPost(args.title, args.link, args.source, args.via, args.via_url, tuple(args.tag), args.quote, args.draft)
    # Other posts' problems do not stop a new post: only the config is read whole.
    config, problems = load_config(args.config)
    problems = refused_options(new) if config and not errors(problems) else problems
    if args.from_url and not problems:  # a refused option is reported before any time is spent fetching
        from linkblog.capture import capture

        captured, problem = capture(args.from_url)
        problems = [problem] if problem else []
        new = prefilled(new, captured) if captured else new
    if config is None or problems:
        report(problems)
        return 1
    now = datetime.now(UTC).astimezone(config.tz)
    rel, problems = new_post(config, posts_near(config, new.link, slugify(new.title or "")), new, now)
    report(problems)
    if rel is None:
        return 1
    gone = told(named_from_here(config.root / rel), sys.stdout)
    if gone:  # the post is written, which is what 0 says; only its path went unread (`| true`)
        told(str(Problem(rel, f"written, but its path could not be printed ({gone.strerror or gone})",
                         warning=True)), sys.stderr)
    return 0


def named_from_here(path: Path) -> str:
    """A path as named from the current folder, for an editor opened here (posts/... in the site itself); whole
    when the current folder is gone (deleted while the shell stayed in it)."""
    try:
        return os.path.relpath(path)
    except FileNotFoundError:
        return str(path)


def run_build(args: argparse.Namespace) -> int:
    import gc
    import json

    from linkblog.build import Builder, BuildOptions

    if args.ending:
        # A build pauses the collector anyway; the process ends after this one, so it never needs it
        # back (enabled again, it would first walk every object the build made: 30 ms at 10,000 posts).
        gc.disable()

    options = BuildOptions(drafts=args.drafts, future=args.future, clean=args.clean, jobs=args.jobs)
    overrides = {"output_dir": args.output, "url": args.base_url}
    builder = Builder(args.config, overrides, options, waiting=say_waiting)
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


def add_deploy(commands: argparse._SubParsersAction) -> None:
    deploy = commands.add_parser("deploy", help="build and push the site to a branch for GitHub Pages")
    config_option(deploy)
    deploy.add_argument("--remote", default="origin", help="git remote to push to (default: origin)")
    deploy.add_argument("--branch", default="gh-pages", help="branch that holds the site (default: gh-pages)")
    deploy.add_argument("--message", help="commit message (default: names the commit the site was built from)")
    deploy.add_argument("--no-build", action="store_true", help="deploy the output folder as it is")
    deploy.set_defaults(run=run_deploy)


def run_deploy(args: argparse.Namespace) -> int:
    from linkblog.deploy import deploy
    from linkblog.problems import plural

    result = deploy(args.config, args.remote, args.branch, args.message, build=not args.no_build,
                    waiting=say_waiting)
    report(result.problems)
    if not result.ok:
        return 1
    if result.commit:
        print(f"Deployed {plural(result.files, 'file')} to {result.target} as {result.commit[:7]}")
    else:
        print(f"{result.target} already holds this site; nothing to deploy")
    for note in result.notes:
        print(note)
    return 0


def add_check(commands: argparse._SubParsersAction) -> None:
    check = commands.add_parser("check", help="check links, fragments, feeds, the sitemap and the posts")
    config_option(check)
    check.add_argument("--output", type=utf8_text,
                       help="check this existing output folder (default: build afresh in a temp folder)")
    check.add_argument("--base-url", type=utf8_text, help="absolute base URL to check the site at (overrides url)")
    check.add_argument("--external", action="store_true", help="also check outbound links over the network")
    check.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for each outbound link")
    jobs_option(check)
    check.set_defaults(run=run_check)


def run_check(args: argparse.Namespace) -> int:
    from linkblog.check import check_site
    from linkblog.links_external import Checker
    from linkblog.problems import errors, plural
    from linkblog.web import MAX_TIMEOUT

    if not 0 < args.timeout <= MAX_TIMEOUT:  # nan too; far more overflows the sockets' timers
        print(f"linkblog check: error: --timeout must be a number of seconds above 0 and at most {MAX_TIMEOUT:g}",
              file=sys.stderr)
        return 2
    show_progress = args.external and sys.stderr.isatty()
    result = check_site(args.config, args.output, args.base_url, Checker(timeout=args.timeout) if args.external
                        else None, progress_printer() if show_progress else None, args.jobs)
    if show_progress:
        print("\r\033[K", end="", file=sys.stderr)
    report(result.problems)
    failed = len(errors(result.problems))
    found = f"{plural(failed, 'error')}, {plural(len(result.problems) - failed, 'warning')}"
    outbound = f", {plural(result.outbound, 'outbound link')}" if args.external else ""
    print(f"Checked {plural(result.pages, 'page')}, {plural(result.links, 'internal link')}{outbound}: "
          f"{found if result.problems else 'no problems'}")
    for note in result.notes:  # as a build's summary says: nothing is left out without a word
        print(note)
    return 0 if result.ok else 1


def add_import(commands: argparse._SubParsersAction) -> None:
    from pathlib import Path

    importer = commands.add_parser("import", help="turn another blog's posts into posts/ files, never overwriting")
    sources = importer.add_subparsers(title="sources", required=True, metavar="SOURCE")
    for kind, what, text in (("wordpress", "FILE", "a WordPress export (WXR, from Tools -> Export)"),
                             ("feed", "FILE_OR_URL", "an RSS or Atom feed, a file or a URL"),
                             ("jekyll", "DIR", "a Jekyll site's folder (_posts/, _drafts/)"),
                             ("hugo", "DIR", "a Hugo site's folder (content/)")):
        source = sources.add_parser(kind, help=text, description=f"Import {text}.")
        source.add_argument("source", metavar=what)
        source.add_argument("--into", type=lambda text: Path(utf8_text(text)),  # a build reads no other name
                            help="folder to write the posts to (default: the site's posts/)")
        source.add_argument("--drafts", action="store_true", help="also import drafts (written with draft: true)")
        source.add_argument("--force", action="store_true", help="overwrite existing files that differ")
        config_option(source)
        source.set_defaults(run=run_import, kind=kind)


def run_import(args: argparse.Namespace) -> int:
    from linkblog.config import load_config
    from linkblog.importers import import_posts

    config, problems = load_config(args.config)
    if config is None:
        report(problems)
        return 1
    result, problems = import_posts(args.kind, args.source, config, args.into, args.drafts, args.force)
    report(problems)
    if result is None:
        return 1
    print("\n".join(result.lines()))
    return 0 if result.ok else 1


def progress_printer() -> Callable[[str, int, int], None]:
    """A progress callback that redraws one terminal line, at most ten times a second."""
    import time

    last = [0.0]

    def show(stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done == total or now - last[0] > 0.1:
            last[0] = now
            print(f"\r{stage} {done}/{total}", end="", file=sys.stderr, flush=True)

    return show


def told(line: str, stream: TextIO) -> OSError | None:
    """Print one line at once; the error when the stream is gone (a pipe whose reader, such as `head`, ended).

    A stream gone is pointed at os.devnull, as Python's notes on SIGPIPE advise, so that nothing printed to it later
    fails, the interpreter's last flush included."""
    try:
        print(line, file=stream, flush=True)
    except OSError as exc:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, stream.fileno())
        os.close(null)
        return exc
    return None


def say_waiting(folder: str) -> None:
    print(f"waiting for another build writing {folder} to finish", file=sys.stderr, flush=True)


def report(problems: list[Problem], failed_build: bool = False) -> None:
    """Print every problem, one line each."""
    for problem in problems:
        print(problem, file=sys.stderr)
    count = sum(1 for p in problems if not p.warning)
    if count and failed_build:
        print(f"build failed: {count} error{'s' if count > 1 else ''}; the output was left as it was",
              file=sys.stderr)


def summary(result: BuildResult) -> str:
    """Posts, files written, unchanged and removed, seconds; then what was left out, if anything."""
    from linkblog.problems import plural

    line = (f"Built {plural(result.posts, 'post')}: {plural(len(result.written), 'file')} written, "
            f"{result.unchanged} unchanged, {len(result.deleted)} removed in {result.seconds:.2f} s")
    return "\n".join([line, *result.notes()])
