"""One writer at a time: the lock every command that writes the register holds from its first read to its replace.

    with register_lock(path):                       # waits up to WAIT_SECONDS, then RegisterLocked (exit 3)
        register, result = load_checked(path, today)
        ...
        write_changes(path, change, expected=register.fingerprint)
    with register_lock(path, enabled=args.apply):   # a dry run takes no lock
    tidy_leftovers(path)                            # any command: a killed writer's temporary files go

The lock is a file beside the register, ``.<name>.muskari-lock`` (``.rekisteri.xlsx.muskari-lock``), created
exclusively (``O_EXCL``: of two processes only one can), mode 0600, holding the process id, a hash of the
computer's name and the time (never personal data), and removed when the block ends, also on an exception or Ctrl+C.
Within one process the lock nests (the semester run holds it around every step; ``write_changes`` takes it
again around its own read and replace).

A lock whose writer was killed is recognised and taken over: on this computer, a process id that no longer
runs (or now names a process started after the lock was written: reused after a restart); from another
computer on a shared folder, a lock untouched for ``MAX_AGE_SECONDS``; or a lock file left empty. Taking it over goes through a second exclusive
file (``….muskari-lock.break``), so two processes that both found the same stale lock cannot both take it.

When the lock is first taken, ``toolkit.xlsx.leftovers`` removes what a killed writer left beside the
register: while nobody holds the lock, no writer is running, so its temporary files are garbage.
"""

from __future__ import annotations

import errno
import json
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from toolkit.model.errors import FileProblem, RegisterLocked, os_reason
from toolkit.system.processes import process_state, this_host

LOCK_SUFFIX = ".muskari-lock"
WAIT_SECONDS = 5.0           # a second writer waits this long for the first, then refuses
MAX_AGE_SECONDS = 3600.0     # no muskari command holds the register for an hour: older is a dead writer's
EMPTY_GRACE_SECONDS = 2.0    # an empty lock file older than this is a writer killed between create and write
BREAK_GRACE_SECONDS = 10.0   # a ".break" file older than this was left by a killed process
_POLL = (0.05, 0.1, 0.2, 0.25)
DRAFT_SUFFIX = ".luonnos"        # a lock being written: ``.<name>.muskari-lock.<token>.luonnos``
_NO_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.ENOSYS, errno.EMLINK}

_held: dict[str, tuple[Path, str, int]] = {}   # real register path -> (lock file, our token, depth)


@dataclass(frozen=True)
class LockInfo:
    pid: int
    host: str
    time: datetime
    token: str


def lock_path(register: str | os.PathLike) -> Path:
    """The lock file of ``register``: beside the real file (a link to the register shares its lock)."""
    real = Path(os.path.realpath(register))
    return real.with_name(f".{real.name}{LOCK_SUFFIX}")


def _key(register) -> str:
    return os.path.normcase(os.path.realpath(register))


@contextmanager
def register_lock(register: str | os.PathLike, *, enabled: bool = True,
                  wait: float | None = None) -> Iterator[None]:
    """Hold the register's lock for the block (see the module docstring); a no-op when not ``enabled``."""
    if not enabled:
        yield
        return
    key = _key(register)
    if key in _held:
        lock, token, depth = _held[key]
        _held[key] = (lock, token, depth + 1)
        _touch(lock)                          # a long run that still uses its lock shows it is alive
        try:
            yield
        finally:
            lock, token, depth = _held[key]
            _held[key] = (lock, token, depth - 1)
        return
    lock = lock_path(register)
    token = _acquire(Path(register), lock, WAIT_SECONDS if wait is None else wait)
    _held[key] = (lock, token, 1)
    try:
        from toolkit.xlsx.leftovers import remove_leftovers

        remove_leftovers(Path(os.path.realpath(register)))
        yield
    finally:
        _held.pop(key, None)
        _release(lock, token)


def _touch(lock: Path) -> None:
    try:
        os.utime(lock)
    except OSError:
        pass


def holds_lock(register: str | os.PathLike) -> bool:
    """Whether this process holds the register's lock."""
    return _key(register) in _held


def tidy_leftovers(register: str | os.PathLike) -> None:
    """Remove a killed writer's temporary files and stale lock beside the register when no writer is running
    (``read_register`` calls it: any command). Never waits, never fails: a busy lock or a read-only folder
    means nothing is done."""
    from toolkit.xlsx.leftovers import has_leftovers

    real = Path(os.path.realpath(register))
    if holds_lock(register) or not (os.path.lexists(lock_path(real)) or has_leftovers(real)):
        return
    try:
        with register_lock(register, wait=0):
            pass
    except (RegisterLocked, FileProblem, OSError):
        pass


# --- taking and giving back ------------------------------------------------------------------------------

def _acquire(register: Path, lock: Path, wait: float) -> str:
    token = uuid.uuid4().hex
    data = json.dumps({"pid": os.getpid(), "host": this_host(),
                       "time": datetime.now().astimezone().isoformat(timespec="seconds"),
                       "token": token}).encode("ascii")
    deadline = time.monotonic() + wait
    polls = iter(_POLL)
    breaks = 0
    while True:
        try:
            _create(lock, data, token)
            return token
        except FileExistsError:
            seen = _read(lock)
            if seen is not None and _is_stale(*seen) and breaks < 5:
                breaks += 1
                _break(lock, seen)
                continue
            if time.monotonic() >= deadline:
                raise _busy(register, lock, seen) from None
            time.sleep(min(next(polls, _POLL[-1]), max(deadline - time.monotonic(), 0.01)))
        except FileNotFoundError:
            raise FileProblem("file-missing", path=register) from None
        except OSError as error:
            raise FileProblem("register-lock-failed", name=register.name, folder=lock.parent,
                              error=os_reason(error)) from None


def _create(lock: Path, data: bytes, token: str) -> None:
    """The lock file with its words already in it: written under a name of its own, then linked into place (a
    hard link fails on a name that exists: exclusive and never empty, even if the process dies midway). Where
    there are no hard links (a FAT memory stick), an exclusive create and a write (an empty lock that a killed
    process may leave there is taken over after EMPTY_GRACE_SECONDS)."""
    draft = lock.with_name(f"{lock.name}.{token}{DRAFT_SUFFIX}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        try:
            os.write(fd, data)       # no fsync: after a power cut an empty or missing lock is a dead writer's
        finally:
            os.close(fd)
        try:
            os.link(draft, lock, follow_symlinks=False)
            return
        except FileExistsError:
            raise
        except OSError as error:
            if not isinstance(error, PermissionError) and error.errno not in _NO_LINKS:
                raise
    finally:
        draft.unlink(missing_ok=True)
    fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def _release(lock: Path, token: str) -> None:
    """Remove the lock when it is still ours (a lock taken over from us as stale is the other writer's)."""
    seen = _read(lock)
    if seen is not None and seen[1] is not None and seen[1].token == token:
        lock.unlink(missing_ok=True)


def _read(lock: Path) -> tuple[bytes, LockInfo | None, float] | None:
    """(raw bytes, what they say or None when unreadable, mtime); None when there is no lock file."""
    try:
        fd = os.open(lock, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return None
    except OSError:                      # a link or something that is no file: say it is unreadable
        try:
            return b"", None, os.lstat(lock).st_mtime
        except OSError:
            return None
    try:
        with os.fdopen(fd, "rb") as handle:
            raw = handle.read(4096)
            mtime = os.fstat(handle.fileno()).st_mtime
    except OSError:
        return b"", None, 0.0
    try:
        data = json.loads(raw.decode("ascii"))
        info = LockInfo(int(data["pid"]), str(data["host"]), datetime.fromisoformat(data["time"]), str(data["token"]))
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        info = None
    return raw, info, mtime


def _is_stale(raw: bytes, info: LockInfo | None, mtime: float) -> bool:
    """A dead writer's lock: on this computer its process is gone (or the id now names a process started after
    the lock was written: a reboot reused it); from another computer (a shared folder) it is untouched for
    MAX_AGE_SECONDS (its holder touches it at each nested use); an empty or unreadable one, after a moment."""
    now = time.time()
    if info is None:
        return now - mtime > EMPTY_GRACE_SECONDS
    if info.host != this_host():
        return now - mtime > MAX_AGE_SECONDS
    if info.pid == os.getpid():              # our own id, not in _held: a former process's lock
        return True
    alive, started = process_state(info.pid)
    return not alive or (started is not None and started > info.time.timestamp() + 2)


def _break(lock: Path, seen: tuple[bytes, LockInfo | None, float]) -> None:
    """Remove the stale lock ``seen``, only if it is still the same file, under a second exclusive file."""
    breaker = lock.with_name(lock.name + ".break")
    try:
        fd = os.open(breaker, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        try:
            if time.time() - breaker.stat().st_mtime > BREAK_GRACE_SECONDS:
                breaker.unlink(missing_ok=True)
        except OSError:
            pass
        time.sleep(_POLL[0])
        return
    except OSError:
        return
    os.close(fd)
    try:
        now = _read(lock)
        if now is not None and now[0] == seen[0] and now[2] == seen[2]:
            lock.unlink(missing_ok=True)
    finally:
        breaker.unlink(missing_ok=True)


def _busy(register: Path, lock: Path, seen) -> RegisterLocked:
    info = seen[1] if seen else None
    since = f"{info.time:%H.%M.%S}" if info else "?"
    pid = str(info.pid) if info else "?"
    return RegisterLocked("register-busy", name=register.name, since=since, pid=pid, lock=lock.name)
