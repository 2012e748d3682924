"""XML from an import: control characters, which make a whole document ill-formed, are removed first (#16)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli
from test_import_helpers import FIXTURES, fresh_site, posts_of


@pytest.mark.parametrize("removed", ["\x0b", "\x01", "\uffff", "\ufffe"], ids=["vt", "soh", "uffff", "ufffe"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_characters_no_xml_holds_are_removed_and_counted(tmp_path: Path, encoding: str, removed: str) -> None:
    site = fresh_site(tmp_path / "site")
    text = (FIXTURES / "wordpress.xml").read_text(encoding="utf-8")
    export = tmp_path / "wpctrl.xml"
    title = f"<![CDATA[Busy{removed} is{removed} not progress]]>"
    export.write_bytes(text.replace('encoding="UTF-8"', f'encoding="{encoding}"', 1)
                       .replace("<![CDATA[Busy is not progress]]>", title).encode(encoding))
    done = run_cli(site, "import", "wordpress", str(export))
    assert done.code == 0, done.err
    assert posts_of(site)["2015-06-01-busy-is-not-progress.md"].meta["title"] == "Busy is not progress"
    assert "removed 2 characters" in done.err  # nothing is left out silently
