"""The supervisor ("shim") of one local job attempt, and the /proc helpers it shares with the
local executor.

The executor runs ``python -I -S _shim.py STATE GRACE MEMORY MODE CGROUP -- ARGV...`` as a
session leader, with the job's environment, working directory and log already in place.
The shim:

* forks the job into its own process group (and into the attempt's cgroup when there is
  one), so that the job's ``kill 0`` never reaches the shim;
* is a child subreaper (``PR_SET_CHILD_SUBREAPER``): processes that detach from the job
  (double fork, ``setsid``) are re-parented to it instead of to init, so they stay in its
  process tree and end with the attempt;
* on SIGTERM (the executor's ``kill``) terminates the tree: SIGTERM, then SIGKILL after GRACE
  seconds;
* in MODE ``monitor`` sums the tree's RSS every half second and SIGKILLs the tree once it is
  over MEMORY bytes; in MODE ``kernel`` the cgroup's ``memory.max`` does that and the shim
  only reads ``memory.events`` afterwards. Either way it writes ``STATE.reason`` first;
* when the job's main process exits, terminates what it left behind (the attempt is over
  when its command is), then writes the exit code to ``STATE.exit`` by an atomic rename.

A restarted server is not the shim's parent and cannot ``waitpid`` it: the ``.exit`` file is
how it learns the outcome. The shim imports only the standard library, never atrium, so that
it starts in milliseconds (``-I -S`` also skips site-packages).
"""

from __future__ import annotations

import os
import sys
import time

# The signal module's C core: ``signal`` itself imports enum, ~6 ms of CPU per job start.
signal = __import__("_signal")

MARK_VAR = "ATRIUM_ATTEMPT_MARK"
EXIT_SUFFIX = ".exit"
REASON_SUFFIX = ".reason"
#: Signals the shim takes synchronously with sigwait instead of dying of them.
HANDLED = frozenset({signal.SIGCHLD, signal.SIGTERM, signal.SIGINT, signal.SIGHUP})
TERMINATE = frozenset({signal.SIGTERM, signal.SIGINT, signal.SIGHUP})
MEMORY_TICK = 0.5
#: A process in uninterruptible sleep ignores SIGKILL until it wakes: repeat it this often.
KILL_RETRY = 1.0
PR_SET_CHILD_SUBREAPER = 36
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class ProcStat:
    """The fields of ``/proc/PID/stat`` that the executor uses."""

    __slots__ = ("cpu_ticks", "ppid", "rss", "start", "zombie")

    def __init__(self, fields: list[bytes]) -> None:
        # ``fields`` starts at "state" (field 3 in proc(5)), after the command name.
        self.zombie = fields[0] in (b"Z", b"X")
        self.ppid = int(fields[1])
        self.cpu_ticks = sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
        self.start = int(fields[19])
        self.rss = int(fields[21]) * PAGE_SIZE


def read_stat(pid: int) -> ProcStat | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as file:
            data = file.read()
    except OSError:
        return None
    # The command name may contain spaces and parentheses: the last ")" ends it.
    return ProcStat(data[data.rindex(b")") + 2 :].split())


def alive(pid: int, start: int) -> bool:
    """Whether ``pid`` is still the process that started at ``start`` and has not exited."""
    stat = read_stat(pid)
    return stat is not None and stat.start == start and not stat.zombie


def all_pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _children(pid: int) -> list[int]:
    if not _HAS_CHILDREN_FILES:
        return [other for other in all_pids() if (s := read_stat(other)) and s.ppid == pid]
    kids: list[int] = []
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return kids
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as file:
                kids.extend(int(kid) for kid in file.read().split())
        except OSError:
            continue
    return kids


# Kernels without CONFIG_PROC_CHILDREN lack these files; scanning every ppid is the fallback.
_HAS_CHILDREN_FILES = os.path.exists(f"/proc/self/task/{os.getpid()}/children")


def descendants(root: int) -> set[int]:
    """Every process below ``root`` in the parent tree (``root`` excluded)."""
    found: set[int] = set()
    todo = _children(root)
    while todo:
        pid = todo.pop()
        if pid not in found:
            found.add(pid)
            todo.extend(_children(pid))
    return found


def marked(mark: str) -> set[int]:
    """Processes started with ``MARK_VAR=mark`` in their environment, wherever they are now."""
    entry = f"{MARK_VAR}={mark}\0".encode()
    found: set[int] = set()
    for pid in all_pids():
        try:
            with open(f"/proc/{pid}/environ", "rb") as file:
                env = file.read()
        except OSError:  # ended meanwhile, or another user's process
            continue
        if env.startswith(entry) or b"\0" + entry in env:
            found.add(pid)
    return found


def cgroup_pids(cgroup: str) -> set[int]:
    if not cgroup:
        return set()
    try:
        with open(os.path.join(cgroup, "cgroup.procs"), "rb") as file:
            return {int(pid) for pid in file.read().split()}
    except OSError:
        return set()


def cgroup_value(cgroup: str, name: str, key: str = "") -> int | None:
    """A cgroup file's number, or the number after ``key`` in a flat-keyed file."""
    if not cgroup:
        return None
    try:
        with open(os.path.join(cgroup, name), "rb") as file:
            text = file.read().decode()
    except OSError:
        return None
    if not key:
        return int(text) if text.strip().isdigit() else None
    for line in text.splitlines():
        name_, _, value = line.partition(" ")
        if name_ == key:
            return int(value)
    return None


def memory_of(pids: set[int], cgroup: str) -> int:
    """Memory in use by the tree: the cgroup's charge when it has one, else the sum of RSS."""
    charged = cgroup_value(cgroup, "memory.current")
    if charged is not None:
        return charged
    return sum(stat.rss for pid in pids if (stat := read_stat(pid)))


def signal_all(pids: set[int], sig: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except OSError:  # ended meanwhile
            continue


def fmt_bytes(amount: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if amount >= size:
            return f"{amount / size:.1f}".removesuffix(".0") + f" {unit}"
    return f"{amount} bytes"


def write_atomic(path: str, text: str) -> None:
    with open(path + ".tmp", "w") as file:
        file.write(text)
    os.replace(path + ".tmp", path)


class Supervisor:
    """Waits for the job, enforces the memory limit, and terminates the tree when told."""

    def __init__(self, state: str, grace: float, memory: int, mode: str, cgroup: str) -> None:
        self.state = state
        self.grace = grace
        self.memory = memory
        self.monitor = memory > 0 and mode == "monitor"
        self.cgroup = cgroup
        self.kill_at: float | None = None  # SIGKILL the tree then (after a SIGTERM)
        self.reason: str | None = None

    def tree(self) -> set[int]:
        return descendants(os.getpid()) | cgroup_pids(self.cgroup)

    def everything(self) -> set[int]:
        """The tree plus any process with the attempt's mark: more thorough, and slower
        (it reads every process's environment), so only for kills."""
        mark = os.environ.get(MARK_VAR)
        return (self.tree() | (marked(mark) if mark else set())) - {os.getpid()}

    def run(self, child: int) -> int:
        """The job's exit code, once it and everything it left behind are gone."""
        code = self.reap(child)
        while code is None:
            self.step()
            code = self.reap(child)
        self.finish()
        return code

    def reap(self, child: int) -> int | None:
        """Collect every ended child (re-parented orphans too); ``child``'s code if it ended."""
        code = None
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return code
            if pid == 0:
                return code
            if pid == child:
                code = os.waitstatus_to_exitcode(status)

    def step(self) -> None:
        """Sleep until a child ends, a termination request arrives or a check is due."""
        now = time.monotonic()
        timeouts = [MEMORY_TICK] if self.monitor and self.reason is None else []
        if self.kill_at is not None:
            timeouts.append(max(0.0, self.kill_at - now))
        if timeouts:
            info = signal.sigtimedwait(HANDLED, min(timeouts))
            signo = info.si_signo if info else None
        else:
            signo = signal.sigwait(HANDLED)
        if signo in TERMINATE:
            self.terminate()
        if self.kill_at is not None and time.monotonic() >= self.kill_at:
            self.kill()
        if self.monitor and self.reason is None:
            self.check_memory()

    def terminate(self) -> None:
        if self.kill_at is None:
            signal_all(self.everything(), signal.SIGTERM)
            self.kill_at = time.monotonic() + self.grace

    def kill(self) -> None:
        signal_all(self.everything(), signal.SIGKILL)
        self.kill_at = time.monotonic() + KILL_RETRY

    def check_memory(self) -> None:
        if memory_of(self.tree(), self.cgroup) > self.memory:
            self.set_reason(f"killed: memory over {fmt_bytes(self.memory)}")
            self.kill()

    def set_reason(self, reason: str) -> None:
        self.reason = reason
        write_atomic(self.state + REASON_SUFFIX, reason + "\n")

    def finish(self) -> None:
        """End what the job left running: SIGTERM, the grace period, then SIGKILL."""
        leftovers = self.tree()
        if leftovers:
            signal_all(leftovers, signal.SIGTERM)
            deadline = time.monotonic() + self.grace
            while self.tree() and time.monotonic() < deadline:
                signal.sigtimedwait(HANDLED, 0.05)
                self.reap(-1)
            while leftovers := self.tree():
                signal_all(leftovers, signal.SIGKILL)
                signal.sigtimedwait(HANDLED, 0.05)
                self.reap(-1)
        oom_kills = cgroup_value(self.cgroup, "memory.events", "oom_kill")
        if self.reason is None and oom_kills:
            self.set_reason(f"killed: memory over {fmt_bytes(self.memory)}")
        if self.cgroup:
            # No contextlib.suppress: importing it would slow every job's start.
            try:  # noqa: SIM105
                os.rmdir(self.cgroup)
            except OSError:  # still settling: the executor removes it later
                pass


def spawn(command: list[str], cgroup: str) -> int:
    """Fork and exec the job in its own process group (inside ``cgroup`` if given)."""
    pid = os.fork()
    if pid:
        return pid
    try:
        # Python ignores these two; an ignored signal stays ignored across exec.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_SETMASK, ())
        if cgroup:
            with open(os.path.join(cgroup, "cgroup.procs"), "w") as file:
                file.write("0")
        os.setpgid(0, 0)
        os.execvp(command[0], command)
    except OSError as error:
        message = f"atrium: cannot run {command[0]!r}: {error.strerror}\n"
        os.write(2, message.encode(errors="replace"))
        os._exit(127 if isinstance(error, FileNotFoundError) else 126)
    finally:
        os._exit(127)


def set_subreaper() -> None:
    import ctypes  # only here: costs ~4 ms and only the shim needs it

    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def main(args: list[str]) -> int:
    if len(args) < 7 or args[5] != "--":
        sys.stderr.write("usage: _shim.py STATE GRACE MEMORY MODE CGROUP -- ARGV...\n")
        return 2
    state, grace, memory, mode, cgroup = args[:5]
    # The executor starts the shim with these blocked already; blocking again covers other
    # callers. A pending SIGTERM is then handled, never fatal, so no exit status is lost.
    signal.pthread_sigmask(signal.SIG_BLOCK, HANDLED)
    set_subreaper()
    supervisor = Supervisor(state, float(grace), int(memory), mode, cgroup)
    code = supervisor.run(spawn(args[6:], cgroup))
    write_atomic(state + EXIT_SUFFIX, f"{code}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
