"""digest.py: fingerprints of bytes, of text parts and of post files.

The module promises short, stable digests, not an algorithm: these tests check the properties the
cache relies on (the same input gives the same digest, in any process; different inputs differ),
never a particular value.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

from linkblog.digest import digest_bytes, key_of, post_digest

# Digests name staged files and end slugs (content.py takes their first characters): lowercase hex only.
HEX = re.compile(r"[0-9a-f]+")
SAMPLES = [b"", b"\x00", b"a", b"ab", b"ba", b"a" * 10_000, bytes(range(256)), "café".encode()]


def not_utf8(name: bytes) -> str:
    """A file name of Latin-1 bytes as Python lists it on a UTF-8 system."""
    return name.decode("utf-8", "surrogateescape")


def test_a_digest_is_short_lowercase_hex_of_one_length() -> None:
    digests = [digest_bytes(data) for data in SAMPLES]
    assert all(HEX.fullmatch(d) for d in digests)
    lengths = {len(d) for d in digests} | {len(key_of("a", "b")), len(post_digest("posts/a.md", b"x"))}
    [length] = lengths
    # Short enough for a file name, long enough that two inputs of a large site never share one.
    assert 16 <= length <= 64


def test_the_same_bytes_give_the_same_digest() -> None:
    for data in SAMPLES:
        assert digest_bytes(data) == digest_bytes(bytes(data))


def test_different_bytes_give_different_digests() -> None:
    assert len({digest_bytes(data) for data in SAMPLES}) == len(SAMPLES)
    many = [i.to_bytes(4, "big") for i in range(5000)]
    assert len({digest_bytes(data) for data in many}) == len(many)
    assert digest_bytes(b"\x00" * 64) != digest_bytes(b"\x00" * 63 + b"\x01")  # one bit apart


def test_digests_are_the_same_in_another_process() -> None:
    # The cache keeps digests on disk for the next build: they must not vary with hash seeds or processes.
    script = ("import json; from linkblog.digest import digest_bytes, key_of, post_digest; "
              "print(json.dumps([digest_bytes(b'some bytes'), key_of('a', 'b', '\\udcff'), "
              "post_digest('posts/a.md', b'---\\ntitle: A\\n---\\n')]))")
    here = [digest_bytes(b"some bytes"), key_of("a", "b", "\udcff"), post_digest("posts/a.md", b"---\ntitle: A\n---\n")]
    for seed in ("1", "2"):
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed})
        assert json.loads(done.stdout) == here


def test_key_of_keeps_its_parts_apart() -> None:
    splits = [("abc",), ("ab", "c"), ("a", "bc"), ("a", "b", "c"), ("abc", ""), ("", "abc"), ("a", "", "bc")]
    assert len({key_of(*parts) for parts in splits}) == len(splits)


def test_key_of_keeps_apart_parts_that_hold_its_separator() -> None:
    splits = [("a\0b",), ("a", "b"), ("a\0", "b"), ("a", "\0b"), ("a", "", "b"), ("a\0\0b",), ('["a", "b"]',),
              ('["a\\u0000b"]',), ("\0",), ("", ""), ("\udcff\0",), ("\udcff", ""), ("a\1\3b",), ("a\1", "b"),
              ("a\1\2", "\0"), ("a\1\2\0",), ()]
    assert len({key_of(*parts) for parts in splits}) == len(splits)


def test_key_of_depends_on_the_order_of_its_parts() -> None:
    assert key_of("a", "b") != key_of("b", "a")
    assert key_of("a", "b") == key_of("a", "b")


def test_key_of_tells_apart_text_that_looks_alike() -> None:
    # The same word composed and decomposed, and in another case: different input files, different keys.
    assert len({key_of("café"), key_of("cafe\u0301"), key_of("Café")}) == 3


def test_key_of_takes_file_names_that_are_not_utf8() -> None:
    # Python gives the undecodable bytes of a file name as lone surrogates (as os.fsdecode does on Linux).
    names = [not_utf8(b"posts/caf\xe9.md"), not_utf8(b"posts/caf\xe8.md"), "posts/café.md"]
    keys = [key_of(name) for name in names]
    assert all(HEX.fullmatch(k) for k in keys)
    assert len(set(keys)) == 3


def test_a_post_digest_changes_with_its_bytes_and_with_its_path() -> None:
    data = b"---\ntitle: A\n---\nWords.[^1]\n\n[^1]: A note.\n"
    digest = post_digest("posts/2015-06-01-a.md", data)
    assert post_digest("posts/2015-06-01-a.md", data) == digest
    assert post_digest("posts/2015-06-01-a.md", data + b"\n") != digest
    # The same bytes at another path make other HTML (footnote ids are the path's): another digest.
    assert post_digest("posts/2015-06-01-b.md", data) != digest


def test_a_post_digest_keeps_the_path_apart_from_the_bytes() -> None:
    assert post_digest("posts/a.md", b"bc") != post_digest("posts/a.mdb", b"c")
    assert post_digest("posts/a.md", b"") != post_digest("posts/a.m", b"d")


def test_a_post_digest_takes_a_path_that_is_not_utf8() -> None:
    names = [not_utf8(b"posts/caf\xe9.md"), not_utf8(b"posts/caf\xe8.md")]
    digests = {post_digest(name, b"same bytes") for name in names}
    assert len(digests) == 2 and all(HEX.fullmatch(d) for d in digests)
