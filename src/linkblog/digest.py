"""Digests: the one way inputs, pages and outputs are fingerprinted."""

from __future__ import annotations

import hashlib
from typing import BinaryIO


def digest_bytes(data: bytes) -> str:
    """A short, stable digest of some bytes."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def digest_file(file: BinaryIO) -> str:
    """digest_bytes of an open file's bytes, read a part at a time."""
    return hashlib.file_digest(file, lambda: hashlib.blake2b(digest_size=16)).hexdigest()


def key_of(*parts: str) -> str:
    """A short, stable digest of some text parts, kept apart from each other."""
    joined = "\0".join(parts)
    if joined.count("\0") < len(parts):  # no part holds the separator itself: the join is unambiguous
        return digest_bytes(joined.encode("utf-8", "surrogateescape"))
    # A part holds NUL (a fingerprint's "name\0url", a template's text): each part's NUL and \1 are escaped,
    # and the result digested apart from every plain join.
    escaped = "\0".join(part.replace("\1", "\1\2").replace("\0", "\1\3") for part in parts)
    data = escaped.encode("utf-8", "surrogateescape")
    return hashlib.blake2b(data, digest_size=16, person=b"linkblog-parts").hexdigest()


def post_digest(rel: str, data: bytes) -> str:
    """The digest of a post file: its bytes and its path, which also shapes its HTML (footnote ids)."""
    return digest_bytes(rel.encode("utf-8", "surrogateescape") + b"\0" + data)
