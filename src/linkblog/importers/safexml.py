"""XML from an import, parsed only through defusedxml: no entity expansion, no external or local files."""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import defusedxml
from defusedxml import ElementTree

from linkblog.problems import Problem
from linkblog.yamlload import CONTROL_CHARACTERS

_REFUSED = {
    defusedxml.DTDForbidden: "refused: the file declares a DTD (<!DOCTYPE ...>), which a WordPress export never "
                             "has and which can expand entities without end or read local files",
    defusedxml.EntitiesForbidden: "refused: the file declares XML entities, which can expand without end "
                                  "('billion laughs') or read local files",
    defusedxml.ExternalReferenceForbidden: "refused: the file refers to an external or local resource",
}


# The encoding an XML declaration names, read from its ASCII bytes.
_DECLARED = re.compile(rb"""\A<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z][\w.:-]*)["']""")
# How a document starts, without a byte order mark, in the encodings whose declaration is not ASCII (XML 1.0, F.1):
# its first `<` with the NUL bytes around it, the four-byte forms before the two-byte ones they begin with.
_STARTS = {b"\x00\x00\x00<": "utf-32-be", b"<\x00\x00\x00": "utf-32-le", b"\x00<": "utf-16-be", b"<\x00": "utf-16-le"}
# The declaration's encoding, in a document read as text.
_DECLARED_TEXT = re.compile(r"""\A(\ufeff?<\?xml[^>]*?\sencoding\s*=\s*["'])[^"']*""")
# C0 controls other than tab, LF and CR: no XML document may hold them, yet old exports do. In UTF-8 also U+FFFE
# and U+FFFF, which no XML may hold either (CONTROL_CHARACTERS, as text): other encodings cannot spell them.
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_UTF8_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")
# Encodings in which such a byte can be part of another character: NULs in every UTF-16 and -32 character, and the
# escape and shift bytes ISO-2022 switches its character sets with. In all others it is the control itself.
_WIDE_OR_SHIFTED = ("utf-16", "utf-32", "iso2022")


def parse_xml(name: str, data: bytes, forbid_dtd: bool) -> tuple[Element | None, Problem | None]:
    """The document's root element, or why it was refused or could not be read; control characters are removed
    first, since the parser refuses the whole document for one."""
    data, _ = without_controls(data)
    try:
        root, problem = parse_document(name, data, forbid_dtd)
    except (LookupError, ValueError):
        # expat reads UTF-8, UTF-16, Latin-1 and single-byte encodings; Python's codecs read the rest
        # (Big5, EUC-KR, Shift_JIS, GB2312, UTF-16 spelled "utf16") or name the one nothing reads.
        text, problem = decoded(name, data)
        if text is None:
            return None, problem
        root, problem = parse_document(name, text, forbid_dtd)
    return root, declaration_problem(data, problem) if problem else problem


def declaration_problem(data: bytes, problem: Problem) -> Problem:
    """The parser's problem, or, where it is at an XML declaration that text comes before (a blank line, a message
    from the blog's code), one that says so: the declaration must open the file."""
    start = data.find(b"<?xml")
    before = data[:max(start, 0)].removeprefix(codecs.BOM_UTF8)
    if not before or problem.line != before.count(b"\n") + 1:
        return problem
    return Problem(problem.path, "text comes before the XML declaration (<?xml ...?>), which must open the file: "
                                 "remove it and import the file; nothing was imported", problem.line)


def without_controls(data: bytes) -> tuple[bytes, int]:
    """The document without the control characters XML cannot carry, and how many there were. Bytes are dropped
    where each is the control itself; UTF-16, UTF-32 and ISO-2022 documents are read as text, cleaned and
    written as UTF-8 (their declaration saying so). A document that cannot be decoded is left for the parser."""
    encoding = document_encoding(data)
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return data, 0
    if not name.startswith(_WIDE_OR_SHIFTED):
        return (_UTF8_CONTROL_BYTES if name == "utf-8" else _CONTROL_BYTES).subn(b"", data)
    try:
        text, removed = CONTROL_CHARACTERS.subn("", data.decode(encoding))
    except UnicodeDecodeError:
        return data, 0
    if not removed:
        return data, 0
    return _DECLARED_TEXT.sub(r"\g<1>utf-8", text.removeprefix("\ufeff"), count=1).encode("utf-8"), removed


def controls_removed(name: str, removed: int) -> list[Problem]:
    """The warning that names how many control characters without_controls() took out of a document, if any."""
    if not removed:
        return []
    plural = "s" if removed > 1 else ""
    return [Problem(name, f"removed {removed} character{plural} that no post or feed can carry (control "
                    "characters, U+FFFE, U+FFFF)", warning=True)]


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
    if start := next((start for start in _STARTS if data.startswith(start)), None):
        return _STARTS[start]
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
