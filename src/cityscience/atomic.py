"""Atomic file writes: a failure never leaves a half-written or missing output.

Every output is first written to a temporary file in the destination folder,
flushed to disk, then moved over the destination with :func:`os.replace`
(atomic on POSIX and Windows within one file system). A reader therefore sees
either the old file or the complete new one, and a failed run leaves the old
file untouched and no temporary file behind.

This is the only module that moves files into place: every writer of the
project (CSV merges, workbooks, zips, figures, notebooks, the font cache)
goes through it. :func:`folder_lock` keeps two writers of one folder (two
builds) from running at once.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

__all__ = ["LOCK_FILE", "ZIP_TIMESTAMP", "FolderLocked", "OutputError", "atomic_path", "atomic_write_bytes",
           "atomic_write_many", "atomic_write_text", "check_writable", "folder_lock", "lock_holder",
           "move_into_place", "write_if_changed", "write_many_if_changed", "zip_bytes"]

#: Timestamp of every entry of the zips the project writes (xlsx, chart packs): equal contents, equal bytes.
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)


class OutputError(OSError):
    """An output file or folder cannot be written; the message says which and why."""


class FolderLocked(OutputError):
    """Another process holds the folder's lock (see :func:`folder_lock`); the message names it."""


#: The lock file :func:`folder_lock` takes in a folder.
LOCK_FILE = ".lock"


def _holder_text(fd: int) -> str:
    """What the lock holder wrote into the lock file (``pid 123 since 2026-01-01 10:00:00 UTC``)."""
    try:
        return os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
    except OSError:  # pragma: no cover
        return "another process"


def lock_holder(folder: Path) -> str | None:
    """Who holds ``folder``'s lock (as the holder described itself), or None when nobody does."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no locking
        return None
    try:
        fd = os.open(Path(folder) / LOCK_FILE, os.O_RDONLY)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _holder_text(fd)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


@contextlib.contextmanager
def folder_lock(folder: Path, what: str, *, wait: bool = True,
                log: Callable[[str], None] | None = None) -> Iterator[Path]:
    """Hold the exclusive lock of ``folder`` (its ``.lock`` file) for the ``with`` block.

    The lock is an ``flock`` on the file, so the system releases it when the
    holder ends in any way (even killed); the file itself stays. The holder
    writes its pid and start time into it for the message of the next one.

    Args:
        folder: the folder to lock (created if missing).
        what: what holds it, for messages (``cityscience build``).
        wait: wait for the holder to finish (saying so through ``log``), or refuse at once.
        log: where the waiting message goes.

    Raises:
        FolderLocked: ``wait`` is False and another process holds the lock.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no locking
        yield Path(folder) / LOCK_FILE
        return
    path = Path(folder) / LOCK_FILE
    check_writable(path)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder_text(fd)
            if not wait:
                raise FolderLocked(f"{folder}: another {what} is running ({holder}); expected one at a time: "
                                   "wait for it to finish and run again") from None
            if log is not None:
                log(f"waiting for another {what} to finish ({holder}; lock {path})")
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        since = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
        os.pwrite(fd, f"{what}, pid {os.getpid()}, since {since}\n".encode(), 0)
        yield path
    finally:
        os.close(fd)  # releases the lock


def _describe(exc: OSError) -> str:
    return exc.strerror or exc.__class__.__name__


def check_writable(path: Path) -> Path:
    """Fail early, with a clear message, when ``path`` cannot be written as a file.

    Creates missing parent folders. Checks that the destination is not a folder
    and that a file can be created next to it, so a long export does not run
    only to fail at the last step.

    Raises:
        OutputError: naming the path, the reason and what was expected.
    """
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{path}: expected a file name to write, but it is a folder")
    folder = path.parent
    blocker = next((p for p in [folder, *folder.parents] if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise OutputError(f"{blocker}: cannot create the output folder {folder}: {blocker} is a file; "
                          f"expected a writable folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{folder}: cannot create the output folder ({_describe(exc)}); "
                          f"expected a writable folder") from exc
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".probe", dir=folder)
    except OSError as exc:
        raise OutputError(f"{folder}: cannot write into the output folder ({_describe(exc)}); "
                          f"expected a writable folder") from exc
    os.close(fd)
    os.unlink(probe)
    return path


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success move it over ``path``.

    Write the complete output to the yielded path inside the ``with`` block. If
    the block raises, the temporary file is removed and ``path`` is untouched.
    """
    path = Path(path)
    check_writable(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        _copy_mode(path, tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def _copy_mode(path: Path, tmp: Path) -> None:
    """Keep the permissions of the file being replaced (mkstemp creates 0600 files)."""
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(tmp, mode)


def atomic_write_bytes(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and return ``path``."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def atomic_write_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (no newline translation) and return ``path``."""
    return atomic_write_bytes(path, text.encode(encoding))


def atomic_write_many(files: Mapping[Path, bytes]) -> list[Path]:
    """Write several files so that either all change or none does (as far as the OS allows).

    Every new content is first written to a temporary file next to its
    destination; only when all are written are they moved into place. A
    failure while writing leaves every destination untouched; the moves
    themselves are renames within one folder, which do not fail for lack of
    space. If one rename does fail, the files already moved are restored from
    their previous contents before the error is raised.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in files.items():
            path = Path(path)
            check_writable(path)
            fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            _copy_mode(path, Path(tmp_name))
            staged.append((path, Path(tmp_name)))
        previous = {path: (path.read_bytes() if path.exists() else None) for path, _ in staged}
        done: list[Path] = []
        try:
            for path, tmp in staged:
                os.replace(tmp, path)
                done.append(path)
        except BaseException:
            for path in done:
                old = previous[path]
                if old is None:
                    path.unlink(missing_ok=True)
                else:
                    atomic_write_bytes(path, old)
            raise
    finally:
        for _, tmp in staged:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
    return [path for path, _ in staged]


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` atomically unless the file already holds exactly these bytes.

    Returns True when the file was written. An unchanged file keeps its
    modification time, so tools that watch it (git, make) see nothing new.
    """
    path = Path(path)
    if _holds(path, data):
        return False
    atomic_write_bytes(path, data)
    return True


def write_many_if_changed(files: Mapping[Path, bytes]) -> list[Path]:
    """:func:`atomic_write_many` of the files that do not already hold exactly these bytes.

    Returns the files written; unchanged ones keep their modification time. The set is one
    change: a failure leaves every file as it was (a figure never ends up with a new PNG beside an
    old PDF).
    """
    changed = {Path(path): data for path, data in files.items() if not _holds(Path(path), data)}
    return atomic_write_many(changed) if changed else []


def _holds(path: Path, data: bytes) -> bool:
    try:
        return path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def move_into_place(src: Path, dest: Path) -> Path:
    """Move the finished file ``src`` over ``dest`` atomically (copying first across file systems)."""
    src, dest = Path(src), Path(dest)
    try:
        os.replace(src, dest)
    except OSError:  # another file system: copy next to the destination, then swap
        with atomic_path(dest) as tmp:
            shutil.copyfile(src, tmp)
        src.unlink()
    return dest


def zip_bytes(entries: Iterable[tuple[str, bytes]], *, stored: tuple[str, ...] = ()) -> bytes:
    """A zip of ``(name, data)`` entries with a fixed timestamp and mode, so equal input gives equal bytes.

    Args:
        entries: file names inside the zip and their contents, in order.
        stored: name suffixes kept uncompressed (already compressed data such as ``.png``).
    """
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_STORED if name.endswith(stored) and stored else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    return out.getvalue()
