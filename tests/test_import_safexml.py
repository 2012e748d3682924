"""XML from an import: control characters, which make a whole document ill-formed, are removed first (#16)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli
from test_import_helpers import FIXTURES, fresh_site, posts_of


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_a_wordpress_title_with_control_characters_is_imported(tmp_path: Path, encoding: str) -> None:
    site = fresh_site(tmp_path / "site")
    text = (FIXTURES / "wordpress.xml").read_text(encoding="utf-8")
    export = tmp_path / "wpctrl.xml"
    export.write_bytes(text.replace('encoding="UTF-8"', f'encoding="{encoding}"', 1)
                       .replace("<![CDATA[Busy is not progress]]>", "<![CDATA[Busy\x0b is\x01 not progress]]>")
                       .encode(encoding))
    done = run_cli(site, "import", "wordpress", str(export))
    assert done.code == 0, done.err
    assert posts_of(site)["2015-06-01-busy-is-not-progress.md"].meta["title"] == "Busy is not progress"
    assert "removed 2 characters" in done.err  # nothing is left out silently


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_the_noncharacters_no_xml_holds_are_removed_in_every_encoding(tmp_path: Path, encoding: str) -> None:
    site = fresh_site(tmp_path / "site")
    text = (FIXTURES / "wordpress.xml").read_text(encoding="utf-8")
    export = tmp_path / "wpffff.xml"
    export.write_bytes(text.replace('encoding="UTF-8"', f'encoding="{encoding}"', 1)
                       .replace("<![CDATA[Busy is not progress]]>", "<![CDATA[Busy\uffff is not\ufffe progress]]>")
                       .encode(encoding))
    done = run_cli(site, "import", "wordpress", str(export))
    assert done.code == 0, done.err
    assert posts_of(site)["2015-06-01-busy-is-not-progress.md"].meta["title"] == "Busy is not progress"
