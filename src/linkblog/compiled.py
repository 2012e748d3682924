"""Templates compiled once per user: Jinja's bytecode, kept in the user's own cache, never in a site folder.

Compiling the default theme takes 0.15 s, a tenth of a rebuild after an edit, on every build
of every site. Compiled templates are code, so they live where Python keeps its own (a private
folder of the user's, like __pycache__), not in a site's `.cache/`, which holds data only and
may come with a blog's repository. Whatever goes wrong with them costs only speed. Each linkblog
keeps entries of its own, and what goes unused for two months is removed as others are written.
"""

from __future__ import annotations

import os
import stat
import time
from contextlib import suppress
from pathlib import Path
from types import CodeType
from typing import Any

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket

from linkblog.digest import key_of

# An entry unused this long (its mtime is set as it is read) is removed when another is written: what an old
# linkblog, a deleted site or a renamed template left behind. A .tmp file this old was left by a killed build.
UNUSED_SECONDS = 60 * 86_400
STALE_TMP_SECONDS = 86_400
_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC  # never a link, never a wait on a FIFO
_WRITE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


class CompiledTemplates(BytecodeCache):
    """Each template's code, held only for this linkblog and these template bytes, in a folder opened once:
    every file is read and written through that folder's descriptor, so no path swapped later is followed."""

    def __init__(self, folder: Path, code: str):
        self.folder, self.code = folder, code
        self.fd: int | None = None  # opened in the process that first uses it

    def __getstate__(self) -> dict[str, Any]:
        return {"folder": self.folder, "code": self.code, "fd": None}  # a worker opens (and checks) it again

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        # Two linkblogs (a project's venv, a pipx install) keep an entry each: else each compiles over the other's.
        return key_of(self.code, super().get_cache_key(name, filename))

    def get_source_checksum(self, source: str) -> str:
        # Another linkblog may set Jinja up otherwise: its compiled code must not be taken for ours.
        return key_of(self.code, source)

    def load_bytecode(self, bucket: Bucket) -> None:
        name = f"{bucket.key}.jinja"
        data = self.read(name)
        if data is None:
            return
        with suppress(OSError):  # marks it used, so it outlives UNUSED_SECONDS
            os.utime(name, dir_fd=self.fd, follow_symlinks=False)
        try:
            bucket.bytecode_from_string(data)
        except Exception:  # noqa: BLE001 - a damaged file is compiled again and replaced
            bucket.reset()
        if bucket.code is not None and not isinstance(bucket.code, CodeType):
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        fd, name = self.opened(), f"{bucket.key}.jinja"
        if fd is None:
            return
        temporary = f"{name}.{os.getpid()}.tmp"
        try:
            with os.fdopen(os.open(temporary, _WRITE, 0o600, dir_fd=fd), "wb") as file:
                file.write(bucket.bytecode_to_string())
            os.replace(temporary, name, src_dir_fd=fd, dst_dir_fd=fd)
        except OSError:  # a full disk, a folder removed meanwhile: only the next build's speed is lost
            with suppress(OSError):
                os.unlink(temporary, dir_fd=fd)
        remove_unused(fd)

    def read(self, name: str) -> bytes | None:
        """A file of the folder, if it is a regular file of this user's."""
        fd = self.opened()
        if fd is None:
            return None
        try:
            with os.fdopen(os.open(name, _READ, dir_fd=fd), "rb") as file:
                info = os.fstat(file.fileno())
                return file.read() if stat.S_ISREG(info.st_mode) and info.st_uid == os.getuid() else None
        except OSError:
            return None

    def opened(self) -> int | None:
        """The folder's descriptor, if it is this user's own and no one else can write to it."""
        if self.fd is None:
            try:
                fd = os.open(self.folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
            except OSError:
                self.fd = -1
                return None
            self.fd = fd if is_private(os.fstat(fd)) else -1
            if self.fd == -1:
                os.close(fd)
        return self.fd if self.fd >= 0 else None


def remove_unused(fd: int) -> None:
    """Remove the folder's entries unused for UNUSED_SECONDS and its .tmp files older than STALE_TMP_SECONDS."""
    now = time.time()
    with suppress(OSError), os.scandir(fd) as entries:
        for entry in entries:
            limit = UNUSED_SECONDS if entry.name.endswith(".jinja") else \
                STALE_TMP_SECONDS if entry.name.endswith(".tmp") else None
            with suppress(OSError):
                if limit is not None and entry.is_file(follow_symlinks=False) and \
                        now - entry.stat(follow_symlinks=False).st_mtime > limit:
                    os.unlink(entry.name, dir_fd=fd)


def is_private(info: os.stat_result) -> bool:
    """True for a folder of this user's that no one else can write to: code read from it runs."""
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o022


def compiled_templates(code: str) -> CompiledTemplates | None:
    """The cache of compiled templates for this code; None when the user has no private folder to keep it in."""
    folder = private_folder()
    return CompiledTemplates(folder, code) if folder else None


def private_folder() -> Path | None:
    """$XDG_CACHE_HOME/linkblog/templates (~/.cache/... by default), made if need be, if no one else can write it."""
    base, home = os.environ.get("XDG_CACHE_HOME", ""), os.environ.get("HOME")
    try:
        root = Path(base) if os.path.isabs(base) else Path(home if home is not None else Path.home()) / ".cache"
    except RuntimeError:  # no home folder
        return None
    if not root.is_absolute():  # HOME is "" or relative: that would be the folder linkblog runs in, a site's
        return None
    folder = root / "linkblog" / "templates"
    try:
        folder.mkdir(parents=True, mode=0o700, exist_ok=True)
        info = folder.lstat()
    except OSError:  # nowhere writable: templates are compiled each build
        return None
    return folder if is_private(info) else None
