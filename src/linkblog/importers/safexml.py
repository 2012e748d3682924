"""XML from an import, parsed only through defusedxml: no entity expansion, no external or local files."""

from __future__ import annotations

import codecs
import re
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


# The encoding an XML declaration names, read from its ASCII bytes.
_DECLARED = re.compile(rb"""\A<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z][\w.:-]*)["']""")
# How a document starts, without a byte order mark, in the encodings whose declaration is not ASCII (XML 1.0, F.1).
_STARTS = {b"\x00<\x00?": "utf-16-be", b"<\x00?\x00": "utf-16-le"}


def parse_xml(name: str, data: bytes, forbid_dtd: bool) -> tuple[Element | None, Problem | None]:
    """The document's root element, or why it was refused or could not be read."""
    try:
        return parse_document(name, data, forbid_dtd)
    except (LookupError, ValueError):
        # expat reads UTF-8, UTF-16, Latin-1 and single-byte encodings; Python's codecs read the rest
        # (Big5, EUC-KR, Shift_JIS, GB2312, UTF-16 spelled "utf16") or name the one nothing reads.
        text, problem = decoded(name, data)
        if text is None:
            return None, problem
        return parse_document(name, text, forbid_dtd)


def decoded(name: str, data: bytes) -> tuple[str | None, Problem | None]:
    """The document as text, in the encoding its byte order mark, first bytes or declaration say."""
    encoding = document_encoding(data)
    try:
        return data.decode(encoding), None
    except LookupError:
        return None, Problem(name, f"unknown encoding '{encoding}' in its <?xml ...?> declaration; save the file "
                             "as UTF-8 and import that. Nothing was imported")
    except UnicodeDecodeError as exc:
        return None, Problem(name, f"not valid {encoding} text (byte {exc.start}), though its <?xml ...?> declaration "
                             "says so; nothing was imported")


def document_encoding(data: bytes) -> str:
    """The encoding of an XML document's bytes: its byte order mark, else how it starts, else its declaration."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if data[:4] in _STARTS:
        return _STARTS[data[:4]]
    declared = _DECLARED.match(data)
    return declared.group(1).decode("ascii") if declared else "utf-8"


def parse_document(name: str, document: bytes | str, forbid_dtd: bool) -> tuple[Element | None, Problem | None]:
    """Parse bytes (expat reads the encoding they declare) or text; an encoding expat cannot read raises."""
    try:
        return ElementTree.fromstring(document, forbid_dtd=forbid_dtd), None
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
