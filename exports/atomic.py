"""Atomic file replacement, so a reader (an import job, a person) never sees half a file.

We write to a temporary name in the *same* folder (so `os.replace` is a rename on one file
system, which POSIX makes atomic), fsync the data, rename over the target, then fsync the
folder so the rename itself survives a crash. On any error the temporary file is removed and
the previous version of the target, if any, is left intact.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO


class HashingTextWriter:
    """A minimal text sink for `csv.writer`: encodes to UTF-8, hashes and writes the bytes.

    Hashing while writing means the manifest's checksum is of exactly the bytes on disk,
    without reading a possibly large file back.
    """

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._hash = hashlib.sha256()

    def write(self, text: str) -> int:
        data = text.encode("utf-8")
        self._hash.update(data)
        self._raw.write(data)
        return len(text)

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


@contextmanager
def atomic_writer(path: Path) -> Iterator[HashingTextWriter]:
    """Yields a UTF-8 text sink; on clean exit the content replaces `path` atomically.

    The file keeps `mkstemp`'s owner-only mode (0600): exports hold personal data.
    """
    with _atomic_file(path) as raw:
        yield HashingTextWriter(raw)


def write_text_atomic(path: Path, content: str) -> str:
    """Writes `content` atomically and returns the sha256 of the bytes written."""
    with atomic_writer(path) as out:
        out.write(content)
    return out.hexdigest()


def write_bytes_atomic(path: Path, data: bytes) -> str:
    """Writes `data` atomically (mode 0600) and returns its sha256."""
    with _atomic_file(path) as raw:
        raw.write(data)
    return hashlib.sha256(data).hexdigest()


@contextmanager
def _atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A temporary file beside `path` that replaces it on clean exit (fsynced, then renamed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as raw:
            yield raw
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(tmp, path)
    except BaseException:
        with suppress(FileNotFoundError):
            tmp.unlink()
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    """Persists a rename; a no-op where directories cannot be opened (Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
