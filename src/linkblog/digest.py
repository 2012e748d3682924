"""Digests: the one way inputs, pages and outputs are fingerprinted."""

from __future__ import annotations

import hashlib


def digest_bytes(data: bytes) -> str:
    """A short, stable digest of some bytes."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def key_of(*parts: str) -> str:
    """A short, stable digest of some text parts, kept apart from each other."""
    return digest_bytes("\0".join(parts).encode("utf-8", "surrogateescape"))


def post_digest(rel: str, data: bytes) -> str:
    """The digest of a post file: its bytes and its path, which also shapes its HTML (footnote ids)."""
    return digest_bytes(rel.encode("utf-8", "surrogateescape") + b"\0" + data)
