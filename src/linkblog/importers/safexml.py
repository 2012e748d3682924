"""XML from an import, parsed only through defusedxml: no entity expansion, no external or local files."""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import defusedxml
from defusedxml import ElementTree

from linkblog.problems import Problem

_REFUSED = {
    defusedxml.DTDForbidden: "refused: the file declares a DTD (<!DOCTYPE ...>), which a WordPress export never "
                             "has and which can expand entities without end or read local files",
    defusedxml.EntitiesForbidden: "refused: the file declares XML entities, which can expand without end "
                                  "('billion laughs') or read local files",
    defusedxml.ExternalReferenceForbidden: "refused: the file refers to an external or local resource",
}


def parse_xml(name: str, data: bytes, forbid_dtd: bool) -> tuple[Element | None, Problem | None]:
    """The document's root element, or why it was refused or could not be read."""
    try:
        return ElementTree.fromstring(data, forbid_dtd=forbid_dtd), None
    except defusedxml.DefusedXmlException as exc:
        message = next(text for kind, text in _REFUSED.items() if isinstance(exc, kind))
        return None, Problem(name, f"{message}; nothing was imported")
    except ParseError as exc:
        reason = str(exc).split(": line")[0]
        return None, Problem(name, f"not well-formed XML ({reason}): truncated, or not an XML file? "
                             "Nothing was imported", exc.position[0] or None)


def read_source_file(name: str) -> tuple[bytes | None, Problem | None]:
    """A source file's bytes, or a one-line reason it cannot be read."""
    path = Path(name)
    if path.is_dir():
        return None, Problem(name, "is a folder; give the export or feed file")
    try:
        return path.read_bytes(), None
    except FileNotFoundError:
        return None, Problem(name, "no such file")
    except OSError as exc:
        return None, Problem(name, f"cannot be read: {exc.strerror or exc}")
