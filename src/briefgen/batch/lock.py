"""One batch at a time per output folder, and the cleanup of a killed run's temporaries."""

from __future__ import annotations

import datetime as _dt
import os
import sys
from pathlib import Path
from typing import Any

from briefgen.batch.incremental import MANIFEST
from briefgen.errors import BriefgenError
from briefgen.files import os_error

LOCK_FILE = ".briefgen-batch.lock"


class FolderLock:
    """One batch at a time per output folder; the OS drops the lock when the process dies."""

    def __init__(self, root: Path):
        self.path = root / LOCK_FILE
        self.fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise a Chinese error naming the run that holds it."""
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise os_error(e, self.path.parent, "在输出目录中创建锁文件") from None
        try:
            if sys.platform == "win32":
                import msvcrt  # platform-specific module

                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            else:
                import fcntl  # platform-specific module

                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = ""
            try:
                holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() if hasattr(os, "pread") else ""
            except OSError:
                pass
            os.close(fd)
            raise BriefgenError("另一个批量任务正在写入该输出目录" + (f"（{holder}）" if holder else ""),
                                where=str(self.path.parent),
                                hint="等它结束后再运行，或用 --out 换一个输出目录") from None
        info = f"进程 {os.getpid()}，开始于 {_dt.datetime.now().isoformat(timespec='seconds')}"
        try:
            os.ftruncate(fd, 0)
            os.lseek(fd, 1 if sys.platform == "win32" else 0, 0)
            os.write(fd, info.encode("utf-8"))
        except OSError:
            pass
        self.fd = fd

    def release(self) -> None:
        """Give the lock back (the OS also does when the process ends)."""
        if self.fd is not None:
            try:
                if sys.platform == "win32":
                    import msvcrt  # platform-specific module

                    os.lseek(self.fd, 0, 0)
                    msvcrt.locking(self.fd, msvcrt.LK_UNLCK, 1)
                else:
                    import fcntl  # platform-specific module

                    fcntl.flock(self.fd, fcntl.LOCK_UN)
            finally:
                os.close(self.fd)
                self.fd = None

    def __enter__(self) -> "FolderLock":
        self.acquire()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release()


def clean_partials(root: Path) -> int:
    """Remove temporaries a killed run left behind (we hold the folder lock)."""
    n = 0
    for p in root.rglob(".*"):
        stale_manifest = p.name.startswith(f".{MANIFEST}.") and p.name.endswith(".tmp")
        if p.is_file() and (p.name.endswith(".part") or stale_manifest):
            try:
                p.unlink()
                n += 1
            except OSError:
                pass
    return n
