"""The private folder a run builds its report in, and what makes it vanish if the run dies.

A report folder must be complete or not exist: a reader (the consultant, the client, a batch
rolling findings up) must never find a 0-byte report.html, a workbook that is a broken zip,
or a folder with a workbook and no report. So `opskit run` builds everything in a private
folder beside the reports (``<base>/.opskit-<random>``, mode 0700, on the same disk) and
renames it to ``<base>/<timestamp>`` in one step when every artifact is in place.

Nothing of the client's may outlive a run that did not finish, however it ended:

- an error or Ctrl-C / SIGTERM: ``WorkFolder.close`` removes the folder (``finally``);
- ``kill -9``, the OOM killer: a *guardian*, a tiny child process started with the folder,
  waits on a pipe only the run holds. When the run dies the pipe closes; the guardian then
  kills the run's kernel (whose pid it was told) and removes the folder. It ignores SIGINT
  and SIGTERM, so a Ctrl-C or a kill of the whole process group does not stop it first;
- and if the guardian was killed too, the next run in the same base folder removes what is
  left (``sweep``): a work folder is stale once no process holds its lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from opskit.atomic import leftovers

PREFIX = ".opskit-"
STARTING = ".opskit~"  # a work folder before it holds its lock (then renamed)
LOCK = ".lock"
# Legacy leftovers of runs made before the work folder existed: the hand-off pickle and the
# kernel's IPython folder, written into the report folder itself.
LEGACY = (".engagement.pickle", ".ipython-*")

GUARDIAN = r"""
import os, shutil, signal, sys
for name in ("SIGINT", "SIGTERM", "SIGHUP"):
    signal.signal(getattr(signal, name), signal.SIG_IGN)
folder, pids = sys.argv[1], set()
for line in sys.stdin:
    word = line.split()
    if word[:1] == ["pid"]:
        pids.add(int(word[1]))
    elif word[:1] == ["unpid"]:
        pids.discard(int(word[1]))
    elif word[:1] == ["done"]:
        sys.exit(0)
for pid in pids:
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass
shutil.rmtree(folder, ignore_errors=True)
"""


class WorkFolder:
    """A fresh private folder under ``base``, locked and guarded while this run lives."""

    def __init__(self, base: Path) -> None:
        base.mkdir(parents=True, exist_ok=True)
        # Locked before it takes the name ``sweep`` looks for, so a concurrent sweep never
        # sees a live work folder without its lock.
        starting = Path(tempfile.mkdtemp(prefix=STARTING, dir=base))  # mode 0700
        self._lock = os.open(starting / LOCK, os.O_WRONLY | os.O_CREAT, 0o600)
        fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self.path = starting.with_name(PREFIX + starting.name[len(STARTING):])
        os.rename(starting, self.path)
        self._guardian = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", GUARDIAN, str(self.path)],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            text=True, close_fds=True)

    def _tell(self, line: str) -> None:
        with contextlib.suppress(OSError, ValueError):
            assert self._guardian.stdin is not None
            self._guardian.stdin.write(line + "\n")
            self._guardian.stdin.flush()

    def watch(self, pid: int) -> None:
        """The kernel ``pid`` (leader of its own process group) dies with this run."""
        self._tell(f"pid {pid}")

    def unwatch(self, pid: int) -> None:
        """The kernel ``pid`` has been shut down: its number may be reused, never kill it."""
        self._tell(f"unpid {pid}")

    def publish(self, destination: Path) -> None:
        """Rename the finished folder to ``destination`` in one step (lock file left out),
        with the mode a folder made with ``mkdir`` would have (0700 was for the work)."""
        (self.path / LOCK).unlink(missing_ok=True)
        os.chmod(self.path, 0o777 & ~_umask())
        os.rename(self.path, destination)
        self.path = destination
        self._published = True

    def close(self) -> None:
        """Remove the folder unless published; dismiss the guardian. Safe to call twice."""
        if not getattr(self, "_published", False):
            shutil.rmtree(self.path, ignore_errors=True)
        if self._lock >= 0:
            os.close(self._lock)
            self._lock = -1
        self._tell("done")
        with contextlib.suppress(OSError, ValueError):
            if self._guardian.stdin is not None:
                self._guardian.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._guardian.wait(timeout=30)

    def __enter__(self) -> WorkFolder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _umask() -> int:
    """This process's umask, read without changing it (``os.umask`` would, for a moment,
    for every thread); 0o022 where the system does not say."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


def sweep(base: Path) -> list[Path]:
    """Remove what killed runs left in ``base``: work folders no process holds any more,
    ``.part`` files in the report folders, and legacy hand-off pickles and IPython folders.
    Folders of runs still going (their lock is held) are never touched. What was removed."""
    removed: list[Path] = []
    if not base.is_dir():
        return removed
    for child in sorted(base.iterdir()):
        if child.name.startswith((PREFIX, STARTING)) and child.is_dir() and not child.is_symlink():
            if _stale(child):
                shutil.rmtree(child, ignore_errors=True)
                removed.append(child)
        elif (child.is_dir() and not child.is_symlink() and not child.name.startswith(".")
              and _report_folder(child)):
            for pattern in LEGACY:
                for path in child.glob(pattern):
                    if path.is_dir() and not path.is_symlink():
                        shutil.rmtree(path, ignore_errors=True)
                    else:
                        path.unlink(missing_ok=True)
                    removed.append(path)
            for path in leftovers(child):
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed


def _report_folder(folder: Path) -> bool:
    """True for a report folder of `opskit run`, old layout or new; never for another
    command's output that may be in use (a portfolio's kernel folder, its files in flight)."""
    if (folder / "portfolio.ipynb").exists():
        return False
    return any((folder / name).exists() for name in (
        "diagnostic.ipynb", ".engagement.pickle", "report.html", "findings.json", "run"))


def _stale(folder: Path) -> bool:
    """True when no live run holds ``folder``'s lock (or it never got one)."""
    try:
        fd = os.open(folder / LOCK, os.O_WRONLY)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)
