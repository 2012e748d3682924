"""The wheel carries the default theme: install it, then init and build a site outside the repo."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_wheel_installs_and_builds_a_new_site(tmp_path):
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", tmp_path / "dist", REPO, cwd=tmp_path)
    wheel = next((tmp_path / "dist").glob("linkblog-*.whl"))
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    # Dependencies come from the test environment, so no network is needed; the package from the wheel.
    site_packages = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))",
                             cwd=tmp_path).stdout.strip())
    (site_packages / "deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    run(python, "-m", "pip", "install", "--no-deps", "--quiet", wheel, cwd=tmp_path)
    where = run(python, "-c", "import linkblog; print(linkblog.__file__)", cwd=tmp_path).stdout
    assert where.startswith(str(venv)), where
    run(venv / "bin" / "linkblog", "init", "newsite", cwd=tmp_path)
    assert (tmp_path / "newsite" / "templates" / "base.html").is_file()
    (tmp_path / "newsite" / "templates" / "base.html").unlink()  # the packaged theme fills the gap
    run(venv / "bin" / "linkblog", "build", cwd=tmp_path / "newsite")
    home = (tmp_path / "newsite" / "build" / "index.html").read_text()
    assert "Work vs. Progress" in home and "<!DOCTYPE html>" in home
    assert (tmp_path / "newsite" / "build" / "style.css").is_file()
