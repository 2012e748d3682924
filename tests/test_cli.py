import json
import os
import pty
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from conftest import make_site, post_text, run_cli


def test_build_ends_with_one_summary_line(site):
    run = run_cli(site, "build")
    assert run.code == 0 and run.err == ""
    assert re.fullmatch(r"Built 5 posts: \d+ files written, 0 unchanged, 0 removed in \d+\.\d\d s\n", run.out)


def test_quiet_prints_nothing_on_success(site):
    run = run_cli(site, "build", "--quiet")
    assert (run.code, run.out, run.err) == (0, "", "")


def test_timings_come_last_as_json(site):
    run = run_cli(site, "build", "--quiet", "--timings")
    stages = json.loads(run.err.strip().splitlines()[-1].removeprefix("timings: "))
    assert {"scan", "parse", "index", "render", "write"} <= stages.keys()


def test_usage_errors_exit_2(site):
    assert run_cli(site, "build", "--no-such-flag").code == 2
    assert run_cli(site, "frobnicate").code == 2
    assert run_cli(site).code == 2
    for timeout in ("0", "-1", "nan", "inf", "1e10", "3601"):
        run = run_cli(site, "check", "--external", "--timeout", timeout)
        assert run.code == 2 and "--timeout" in run.err
    for command in ("build", "serve", "check"):
        for jobs in ("-3", "100000", "many"):
            run = run_cli(site, command, "--jobs", jobs)
            assert run.code == 2 and "--jobs" in run.err and "Traceback" not in run.err
    for port in ("-1", "99999", "http"):
        run = run_cli(site, "serve", "--port", port)
        assert run.code == 2 and "--port" in run.err and "Traceback" not in run.err


def test_version(site):
    assert run_cli(site, "--version").out.startswith("linkblog ")


def test_progress_shows_on_a_terminal_only(site):
    leader, follower = pty.openpty()
    done = subprocess.run([sys.executable, "-m", "linkblog", "build"], cwd=site, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=follower, timeout=60)
    os.close(follower)
    shown = os.read(leader, 65536).decode()
    os.close(leader)
    assert done.returncode == 0
    assert "render" in shown and "\r" in shown
    assert run_cli(site, "build", "--clean").err == ""  # not a terminal: no progress


def test_the_console_script_flushes_and_exits_with_the_commands_code(site, tmp_path):
    # Output to a file is block-buffered: it is complete only if the script flushes before its fast exit.
    script = str(Path(sys.executable).with_name("linkblog"))
    with open(tmp_path / "out.txt", "w") as out, open(tmp_path / "err.txt", "w") as err:
        built = subprocess.run([script, "build"], cwd=site, stdout=out, stderr=err)
        failed = subprocess.run([script, "build", "--config", "nope.yaml"], cwd=site, stdout=out, stderr=err)
    assert (built.returncode, failed.returncode) == (0, 1)
    assert (tmp_path / "out.txt").read_text().startswith("Built 5 posts: ")
    assert "nope.yaml" in (tmp_path / "err.txt").read_text()


def test_the_console_script_skips_the_interpreters_teardown(site, monkeypatch):
    import gc

    from linkblog import cli

    exits: list[int] = []
    monkeypatch.setattr(os, "_exit", exits.append)
    monkeypatch.delitem(sys.modules, "multiprocessing", raising=False)  # as in a build that used no workers
    monkeypatch.chdir(site)
    monkeypatch.setattr(sys, "argv", ["linkblog", "build", "--quiet"])
    try:
        cli.run()
        assert exits == [0]
        assert not gc.isenabled()  # the process was to end: the collector stayed off after the build
    finally:
        gc.enable()


def test_the_console_script_succeeds_with_its_output_closed(site):
    script = Path(sys.executable).with_name("linkblog")
    done = subprocess.run(["sh", "-c", f"'{script}' build >&-"], cwd=site, capture_output=True, text=True)
    assert (done.returncode, done.stderr) == (0, "")


def test_the_console_script_leaves_no_folder_of_its_worker_processes(tmp_path):
    posts = {f"p{i:03d}.md": post_text(f"Post {i}", f"2017-{1 + i % 12:02d}-{1 + i % 28:02d} 10:{i % 60:02d}",
                                       f"Body {i}.") for i in range(300)}
    site = make_site(tmp_path / "site", posts)
    script = str(Path(sys.executable).with_name("linkblog"))
    # A short folder of its own: the fork server's socket lives there, and socket paths are short.
    with tempfile.TemporaryDirectory(prefix="lb", dir="/tmp") as temp:
        done = subprocess.run([script, "build", "--jobs", "2", "--quiet"], cwd=site, capture_output=True,
                              text=True, env={**os.environ, "TMPDIR": temp})  # a cold build of 300 posts spreads
        assert (done.returncode, done.stderr) == (0, "")
        assert list(Path(temp).iterdir()) == []


def test_new_from_a_folder_deleted_under_the_shell_writes_the_post_and_exits_0(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    gone = tmp_path / "gone"
    gone.mkdir()
    done = subprocess.run([sys.executable, "-c", "import os, sys; os.rmdir(os.getcwd()); "
                           "from linkblog.cli import main; sys.exit(main(sys.argv[1:]))",
                           "new", "Cwd gone", "--config", str(site / "config.yaml")],
                          cwd=gone, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (0, "")
    assert Path(done.stdout.strip()) == site / "posts" / Path(done.stdout.strip()).name
    assert Path(done.stdout.strip()).is_file()


def test_with_stderr_closed_problems_never_reach_stdout(tmp_path: Path) -> None:
    # `f=$(linkblog new "X" 2>&-)` must hold the path of the post, or nothing
    site = make_site(tmp_path / "site")
    runs = [subprocess.run([sys.executable, "-m", "linkblog", "new", "Twice"], cwd=site, stdout=subprocess.PIPE,
                           text=True, timeout=60, preexec_fn=lambda: os.close(2)) for _ in range(2)]
    assert [r.returncode for r in runs] == [0, 1]
    assert runs[0].stdout.strip().startswith("posts/") and runs[1].stdout == ""


def closed_pipe() -> int:
    """The writing end of a pipe nobody reads (as `| head` leaves it once head ended): a write to it fails."""
    reading, writing = os.pipe()
    os.close(reading)
    return writing


def test_new_whose_path_cannot_be_printed_still_exits_0_as_the_post_is_written(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    writing = closed_pipe()
    done = subprocess.run([sys.executable, "-m", "linkblog", "new", "Piped"], cwd=site, stdout=writing,
                          stderr=subprocess.PIPE, text=True, timeout=60)
    os.close(writing)
    [post] = (site / "posts").glob("*-piped.md")
    assert done.returncode == 0 and "Traceback" not in done.stderr
    assert [line.split(":")[0] for line in done.stderr.splitlines()] == [f"posts/{post.name}"]


def test_serve_whose_output_is_closed_after_it_started_stops_with_one_line(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"a.md": post_text("A", "2015-06-01")})
    process = subprocess.Popen([sys.executable, "-m", "linkblog", "serve", "--watch", "--port", "0"], cwd=site,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        while not process.stdout.readline().startswith("Serving"):
            pass
        process.stdout.close()  # `| head -2` ended: the next rebuild's line cannot be printed
        (site / "posts" / "a.md").write_text(post_text("A", "2015-06-01", "Edited."), encoding="utf-8")
        code = process.wait(timeout=30)  # not serving stale pages on, never to rebuild again
        err = process.stderr.read()
    finally:
        process.kill()
        process.wait()
    assert code == 1 and "Traceback" not in err and len(err.splitlines()) == 1, err


def test_serve_whose_output_is_closed_from_the_start_stops_with_one_line(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"a.md": post_text("A", "2015-06-01")})
    writing = closed_pipe()
    done = subprocess.run([sys.executable, "-m", "linkblog", "serve", "--watch", "--port", "0"], cwd=site,
                          stdin=subprocess.DEVNULL, stdout=writing, stderr=subprocess.PIPE, text=True, timeout=60)
    os.close(writing)
    assert done.returncode == 1 and "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1


def next_step_runs(run_in: Path, printed: str) -> bool:
    """Whether the shell, where init ran, reaches the new site by the step it printed."""
    step = printed.split("Next: ", 1)[1].strip().replace("linkblog build", "test -f config.yaml")
    return subprocess.run(["sh", "-c", step], cwd=run_in).returncode == 0


def test_init_of_a_folder_named_like_an_option_says_a_cd_the_shell_runs(tmp_path: Path) -> None:
    run = run_cli(tmp_path, "init", "--", "-dash")
    assert run.code == 0, run.err
    assert next_step_runs(tmp_path, run.out), run.out


def test_init_of_the_current_folder_says_only_to_build(tmp_path: Path) -> None:
    run = run_cli(tmp_path, "init", ".")
    assert run.code == 0, run.err
    assert run.out.endswith(" Next: linkblog build\n") and ".." not in run.out
    assert next_step_runs(tmp_path, run.out)
