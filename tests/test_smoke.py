from conftest import run_cli


def test_build_writes_home_page(site):
    run = run_cli(site, "build")
    assert run.code == 0, run.err
    assert (site / "build" / "index.html").exists()
