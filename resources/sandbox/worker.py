"""Long-lived Python worker for one conversation (spawned by src/sandbox).

Two processes, so user code can never speak the host's protocol:

  supervisor  this process. Holds the host's pipes, never runs user code, and is made
              non-dumpable, so another process of the same uid cannot open its
              /proc/PID/fd, read its memory or ptrace it.
  interpreter a child forked by the supervisor before any cell. It runs the cells
              (as __main__, like a script) and has only fd 0/1/2, the code channel
              (fd 5) and a private control socket to the supervisor. Its own copy of
              fds 3/4 is closed.

Host protocol (JSON lines, never on stdout/stderr):
  fd 3  host -> supervisor   {"type":"run","id":NONCE}
                             {"type":"interrupt","id":NONCE}
                             {"type":"reap"}
                             {"type":"reset"}  (between questions of an evaluation, see reset())
  fd 4  supervisor -> host   {"type":"ready",...} / {"type":"done","id":NONCE,...} / {"type":"reaped"}
                             / {"type":"reset","ok":BOOL,"pid":N}
                             / {"type":"gone"}  (the interpreter ended between cells; the worker ends)
  fd 5  host -> interpreter  {"type":"run","code":STR} / {"type":"reap"} (the code goes straight
                             to the interpreter: one hop less per cell; it holds no secret)
The nonce never enters the interpreter: after a cell the supervisor writes
"\\0" + NONCE + "\\0" on stdout and stderr (so the host knows where the cell's output
ends) and then the "done" reply. The interpreter's "done" on the control socket carries
only a sequence number, and is believed only once the interpreter's main thread is seen
waiting in read() on the code channel (/proc/PID/syscall): a cell that sends one itself and keeps
running is still running, and its own time limit ends it. A "done" for a cell that
already ended gets the interpreter killed, and the cell running then is reported as
stopped for that reason, never as its own timeout; after that (and after an os._exit or a
crash of the interpreter) the supervisor reports the cell and exits: the host starts a fresh
worker for the next cell. Control lines are bounded: a flood
is a protocol violation that ends the cell. What stays possible: a cell that takes over
its own interpreter (its main thread reading the code channel) can answer for later
cells of the same conversation, which it owns anyway; it never reaches the host.

Between cells the interpreter is stopped (SIGSTOP: every thread, its timers and signal
handlers), so nothing of a cell runs after it returns; the next "run" continues it. Before it
reports a cell, the interpreter also blocks every signal it can, so an interrupt that crosses
the end of its cell waits, and is dropped when the next cell starts. A continue by anyone else
(a POSIX timer or a child's exit signal set to SIGCONT) is seen through SIGCHLD and ends the
interpreter, like a crash between cells.
"""

import ctypes
import errno
import fcntl
import io
import json
import linecache
import operator
import os
import platform
import resource
import select
import signal
import socket
import stat
import struct
import sys
import threading
import time
import traceback
import types


# The interpreter runs the cells in its own process, and its loop (Interpreter) runs there
# around and between them: a cell that replaced what that loop uses made the NEXT cell break
# while the cell that did it looked fine. `json.loads = lambda s, **k: {}` made every later cell
# time out without running; `signal.getitimer` or `socket.socket.sendall` made to hide an armed
# SIGALRM timer, or `signal.sigpending` a pending SIGTERM, let the next cell "crash (signal 14/15)".
# So the worker's own code uses, from here on, copies taken before any cell: of the modules whose
# functions it calls, and of the builtins (a module's builtins are looked up through its own
# `__builtins__`; the cells get the real module, see fresh_main). Costs nothing a cell.
def private_copy(module):
    """A module object holding `module`'s names as they are now (the same objects)."""
    copy = types.ModuleType(module.__name__)
    copy.__dict__.update(module.__dict__)
    return copy


import builtins as BUILTINS

__builtins__ = dict(vars(BUILTINS))
os = private_copy(os)
signal = private_copy(signal)
io = private_copy(io)
# A class's name read from its C slot: a metaclass of the cell's may make `__name__` run its code.
TYPE_NAME = type.__dict__["__name__"].__get__

ARGS = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
REQ_FD = 3
REP_FD = 4
CODE_FD = 5
PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_TIMERSLACK = 29
PR_SET_SECCOMP = 22
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
# The longest control line the interpreter may send (a "done" is ~100 bytes).
MAX_CONTROL_LINE = 4096
# The longest request line from the host (the code of one cell).
MAX_REQUEST_LINE = 64 * 1024 * 1024
CELL_FILE = ".r1ci-cell.py"
# The interpreter's own exit, taken before any cell runs: a cell may replace os._exit.
EXIT = os._exit
# The interpreter's exit status when its own loop failed outside a cell's code (see start_interpreter).
LOOP_FAILED = 83
# Its exit status when that loop failed for want of memory: a cell left the address space all but
# used up (its MemoryErrors caught), so the loop's own reply could not be made. Not the cell's fault
# of replacing something: said as the sandbox out of memory (on_child_gone).
LOOP_OUT_OF_MEMORY = 84
LOOP_FAILED_DETAIL = (
    "the Python interpreter's own loop failed around this cell, which may not have run: a cell replaced something "
    "the sandbox's interpreter uses between cells (such as the traceback module, which prints a cell's error)"
)


# Said on stderr (fd 2, no object of the cells) when the objects of a cell made its run's set-up or
# the report of its end fail or outlast its time limit (Interpreter.run_cell), with the exception's class.
CELL_END_FAILED = (
    "\n[sandbox: this cell's run could not be set up or its end reported in full (%s): an object of the cells "
    "(an exception, a replaced sys.stderr, a __del__) raised or did not return; its variables are kept]\n"
)

# Said when what an earlier cell left made a step of a cell's preparation fail (Interpreter.prepare).
PREPARE_FAILED = (
    "[sandbox: multiprocessing's start method and helper processes were not reset for this cell: an earlier cell "
    "replaced their state (%s)]\n"
)


class CellFile:
    """The cell's source in scratch (a real file, so multiprocessing's spawn, inspect and
    tracebacks find it). Scratch belongs to the cell's code, which may have put a FIFO, a link,
    a device or a folder at that name: the file is opened without following links and without
    blocking, and anything but a regular file is removed and made again, so a planted name can
    neither stall nor redirect the next cell. The file stays open between cells: each cell's
    source is written over it (then cut to length) after an lstat shows the name is still this
    very file; otherwise it is opened again. Never truncated to zero first: that makes ext4
    flush the file on close (auto_da_alloc), ~2 ms per cell. When the name cannot be had (a
    folder there), the cell runs without the file: linecache still has its source for
    tracebacks."""

    def __init__(self, path):
        self.path = path
        self.fd = -1
        self.identity = None  # (st_dev, st_ino) of the open file

    def write(self, data):
        if self.fd >= 0:
            try:
                st = os.lstat(self.path)
                # Its mode too: a cell that took the read permission away would otherwise
                # leave later cells a source file they cannot read (inspect, multiprocessing).
                if stat.S_ISREG(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o644 and (st.st_dev, st.st_ino) == self.identity:
                    os.pwrite(self.fd, data, 0)
                    if st.st_size > len(data):
                        os.ftruncate(self.fd, len(data))
                    return
            except OSError:
                pass
            os.close(self.fd)
            self.fd = -1
        fd = self.open()
        if fd < 0:
            return
        try:
            os.write(fd, data)
            os.ftruncate(fd, len(data))
        except OSError:
            os.close(fd)
            return
        self.fd = fd

    def open(self):
        """A descriptor of a regular file at the name (made when needed), or -1."""
        flags = os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK
        for attempt in range(2):
            try:
                fd = os.open(self.path, flags if attempt == 0 else flags | os.O_EXCL, 0o644)
            except OSError:
                fd = -1
            if fd >= 0:
                try:
                    st = os.fstat(fd)
                    if stat.S_ISREG(st.st_mode):
                        if stat.S_IMODE(st.st_mode) != 0o644:
                            os.fchmod(fd, 0o644)  # whatever the umask or an earlier chmod made it
                        self.identity = (st.st_dev, st.st_ino)
                        return fd
                except OSError:
                    pass
                os.close(fd)
                if attempt == 1:
                    return -1
            if attempt == 0:
                try:
                    os.unlink(self.path)
                except OSError:
                    return -1
        return -1


# Every signal a process can block (SIGKILL and SIGSTOP are left out by the kernel), as ints.
ALL_SIGNALS = frozenset(int(sig) for sig in signal.valid_signals())
# Signals that an ignored disposition, inherited by a later cell's child processes, turns against
# that innocent cell: Popen.terminate and multiprocessing send SIGTERM, wait statuses need SIGCHLD,
# timeouts use SIGALRM, and SIGHUP/SIGQUIT end a child's session or dump it (see end_of_script).
RESET_WHEN_IGNORED = frozenset(
    int(getattr(signal, name)) for name in ("SIGTERM", "SIGCHLD", "SIGALRM", "SIGHUP", "SIGQUIT") if hasattr(signal, name)
)

# The C function: signal.pthread_sigmask turns the old mask it returns into a set of enum
# members, which costs ~40 µs a call; this runs several times a cell.
try:
    import _signal

    sigmask = _signal.pthread_sigmask
except (ImportError, AttributeError):
    sigmask = signal.pthread_sigmask

# What a script's end takes with it, so a cell's end does too (Interpreter.end_of_script): the
# C functions, taken before any cell (a cell may replace the modules' names for them).
import faulthandler
import gc


# Audit hooks cannot be removed (PEP 578): a cell's hook that raised on "exec" made every later
# cell fail. This hook, added before any cell, keeps every later one out: sys.addaudithook's
# documentation says a hook raising RuntimeError on its "sys.addaudithook" event means the new
# hook is not added and the call returns as usual. One string comparison per audit event.
def refuse_audit_hooks(event, args):
    if event == "sys.addaudithook":
        raise RuntimeError("the sandbox's interpreter takes no audit hooks")


sys.addaudithook(refuse_audit_hooks)

CANCEL_LATER_DUMP = faulthandler.cancel_dump_traceback_later
UNREGISTER_DUMP = faulthandler.unregister
GC_ENABLED, GC_ENABLE, GC_DISABLE, GC_THRESHOLD, SET_GC_THRESHOLD = gc.isenabled, gc.enable, gc.disable, gc.get_threshold, gc.set_threshold
GC_DEBUG, SET_GC_DEBUG = gc.get_debug, gc.set_debug


# Parks the interpreter after a cell whose end raised (Interpreter.run_cell): the collector off,
# the cells' Python signal handlers swapped for a recorder (Interpreter.quiet_handlers), every
# signal blocked, and the handlers of the cells for signals that came before run until none is left. Python runs a pending handler at a function's start, after each call and
# at a loop's jump back, and one that raises there ends whatever try is around. After the block
# at most one run is pending per signal (the kernel delivers no more), so a try for each, one
# after another and not in a loop: whatever the handlers raise is taken (and dropped) here,
# never in the loop between cells. Generated: PARK_TRIES copies of one try.
PARK_TRIES = len(ALL_SIGNALS) + 8
PARK_SOURCE = "def park(gc_disable, quiet, sigmask, block, signals):\n" + (
    "    try:\n        gc_disable()\n        quiet()\n        sigmask(block, signals)\n        return\n    except BaseException:\n        pass\n"
    * PARK_TRIES
)
PARK_NAMESPACE = {}
exec(compile(PARK_SOURCE, "<worker park>", "exec"), PARK_NAMESPACE)
PARK = PARK_NAMESPACE["park"]
del PARK_NAMESPACE
GET_SWITCH_INTERVAL, SET_SWITCH_INTERVAL = sys.getswitchinterval, sys.setswitchinterval
THREAD_STACK_SIZE = threading.stack_size
# Python 3.11 added the limit on int/str conversions (CVE-2020-10735); absent before.
GET_INT_DIGITS, SET_INT_DIGITS = getattr(sys, "get_int_max_str_digits", None), getattr(sys, "set_int_max_str_digits", None)
# The trace and profile functions threading gives each new thread (threading.settrace/setprofile).
THREADING_GLOBALS = vars(threading)
SIGNAL_C = private_copy(sys.modules.get("_signal", signal))
GET_SIGNAL, SET_SIGNAL, SIG_DFL, SIG_IGN = SIGNAL_C.getsignal, SIGNAL_C.signal, SIGNAL_C.SIG_DFL, SIGNAL_C.SIG_IGN
SET_WAKEUP_FD = SIGNAL_C.set_wakeup_fd
# The signals a Python handler can be set on (SIGKILL and SIGSTOP cannot be caught), as ints, in order.
CATCHABLE_SIGNALS = tuple(sorted(ALL_SIGNALS - {int(signal.SIGKILL), int(signal.SIGSTOP)}))
SIGINT_NUMBER, SIGCONT_NUMBER = int(signal.SIGINT), int(signal.SIGCONT)
# An identity test in C (map over it runs no code of the cells: no __eq__ of a cell's handler).
IS = operator.is_
# Signals whose default action ends a process and which Python ignores at start-up (a broken pipe
# or a write past RLIMIT_FSIZE is then an OSError), as ints.
IGNORED_AT_START = tuple(int(getattr(signal, name)) for name in ("SIGPIPE", "SIGXFSZ") if hasattr(signal, name))

# How long the interpreter's threads may take to stop after a cell (a thread in a long
# uninterruptible syscall, e.g. a write to a slow disk, stops when it returns).
FREEZE_WAIT = 2.0

try:
    LIBC = ctypes.CDLL(None, use_errno=True)
    LIBC_PRCTL = LIBC.prctl
except (OSError, AttributeError):
    LIBC = LIBC_PRCTL = None
# Taken before any cell: the interpreter calls prctl at each cell's start, and a cell can change
# the ctypes module (ctypes.c_ulong = None had ended the interpreter there, its variables lost).
C_ULONG = ctypes.c_ulong
ON_LINUX = sys.platform.startswith("linux")


def prctl(option, arg2=0, arg3=0, arg4=0, arg5=0):
    if LIBC_PRCTL is None or not ON_LINUX:
        return -1
    return LIBC_PRCTL(option, C_ULONG(arg2), C_ULONG(arg3), C_ULONG(arg4), C_ULONG(arg5))


# Signals the sandbox's processes may have queued at once, all together (RLIMIT_SIGPENDING, see set_limits).
SIGNALS_QUEUED = 1024


def queued_signals_of_user():
    """Signals and POSIX timers this process's real user has queued now (int; 0 where /proc does not say)."""
    try:
        with open("/proc/self/status", "rb") as status:
            for line in status:
                if line.startswith(b"SigQ:"):
                    return int(line.split()[1].split(b"/")[0])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def set_limits():
    # Set before any user code runs; the parent enforces wall clock and output.
    mem = int(ARGS.get("memoryBytes", 0))
    if mem > 0:
        resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    fsize = int(ARGS.get("fileSizeBytes", 0))
    if fsize > 0:
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # No locked memory: mlockall(MCL_FUTURE) in a cell locked every later allocation of its
    # interpreter, so past 8 MiB (the usual limit) a later, innocent cell's allocation of 200 MiB
    # failed as "MemoryError at the memory limit (2 GiB)". With 0, mlock, mlockall and MAP_LOCKED
    # fail at once (EPERM) in the cell that calls them (root keeps CAP_IPC_LOCK on the basic tier,
    # and is not held to the limit: nothing locked fails there).
    if hasattr(resource, "RLIMIT_MEMLOCK"):
        resource.setrlimit(resource.RLIMIT_MEMLOCK, (0, 0))
    # Queued signals count against a per-user limit of the kernel's that the sandbox shares with
    # the user who runs it (the basic tier; the user namespace of the non-root plan is charged to
    # the user who made it): a cell that queued real-time signals to itself until EAGAIN (~96,000),
    # kept pending while its interpreter waits between cells, made every sigqueue and timer_create
    # of that user on the host fail with EAGAIN. The sandbox's processes together get SIGNALS_QUEUED
    # more than the count this process's user already has queued (signals and POSIX timers; the
    # first number of "SigQ:" in /proc/self/status): the kernel compares that whole count with the
    # limit, so on the basic tier a user whose own programs hold 1,024 had left the cells none.
    if hasattr(resource, "RLIMIT_SIGPENDING"):
        soft, hard = resource.getrlimit(resource.RLIMIT_SIGPENDING)
        wanted = SIGNALS_QUEUED + queued_signals_of_user()
        limit = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_SIGPENDING, (limit, limit))
    nproc = int(ARGS.get("maxProcesses", 0))
    if nproc > 0 and not ARGS.get("pidNamespace") and os.getuid() != 0:
        # Outside a user namespace RLIMIT_NPROC counts every process of this user on
        # the machine, so allow what already runs plus the sandbox's own budget.
        nproc += count_processes_of(os.getuid())
    if nproc > 0 and hasattr(resource, "RLIMIT_NPROC"):
        # Only enforced for a non-root real uid: the parent makes sure we are one where it can.
        try:
            resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
        except (ValueError, OSError):
            pass
    # Exceeding RLIMIT_FSIZE then raises OSError(EFBIG) in the cell instead of killing us.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def count_processes_of(uid):
    count = 0
    try:
        entries = os.listdir("/proc")
    except OSError:
        return 4096
    for entry in entries:
        if entry.isdigit():
            try:
                if os.stat("/proc/" + entry).st_uid == uid:
                    count += 1
            except OSError:
                pass
    return count


def drop_privileges():
    # Isolated tier started by root: bwrap ran without a user namespace (a user
    # namespace created by root maps the sandbox to kernel uid 0, for which
    # RLIMIT_NPROC is never enforced), so we become nobody here, before any user code.
    uid = ARGS.get("dropToUid")
    if uid is None or os.getuid() != 0:
        return
    gid = int(ARGS.get("dropToGid", uid))
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(int(uid), int(uid), int(uid))
    if os.getuid() == 0 or os.geteuid() == 0:
        os._exit(70)


# seccomp, on every tier: refuse io_uring (its queued requests act for the process later with no
# thread or process of it running, so they would go on while the interpreter is stopped between
# cells), a process that shares its parent's descriptor table without being its thread (clone
# with CLONE_FILES but not CLONE_THREAD: the interpreter's code channel and control socket are
# never shared with another process), clone3 (whose flags a classic filter cannot read: ENOSYS,
# so libc falls back to clone) and any syscall of a foreign ABI (i386/x32 on x86_64), which would
# bypass the numbers below. Isolated tier, also: refuse new user namespaces (unshare/clone with
# CLONE_NEWUSER) and the kernel objects that outlive every process of the sandbox, so a reset
# between questions could not remove them: SysV shared memory, semaphores and message queues,
# POSIX message queues (not listed anywhere the sandbox can see) and keyrings (the per-uid ones
# live as long as the supervisor). Python's multiprocessing and shared_memory use files in
# /dev/shm instead.
# Basic tier, also: setsid and setpgid succeed without doing anything. There no pid namespace
# holds the sandbox, and the host finds its processes by ancestry from this supervisor (a child
# subreaper) and by its process group: a cell that moved a process to a session of its own and
# then killed this supervisor (same uid) left that process running on the host, found by neither.
# No process can leave a process group but through these two calls.
# read(2) per machine: the interpreter, idle, waits in read() for the next cell's code,
# which /proc/PID/syscall shows as "NR 0xFD ...".
READ_SYSCALL = {"x86_64": 0, "aarch64": 63}.get(platform.machine())
IDLE_SYSCALL = None if READ_SYSCALL is None or not sys.platform.startswith("linux") else b"%d 0x%x " % (READ_SYSCALL, CODE_FD)
SECCOMP_ARCH = {
    # machine: (AUDIT_ARCH, clone, unshare, clone3, refused: shmget semget msgget mq_open add_key request_key keyctl,
    #           made no-ops: setsid setpgid, seccomp, prctl)
    # (io_uring_setup, _enter and _register are 425-427 on both.)
    "x86_64": (0xC000003E, 56, 272, 435, (29, 64, 68, 240, 248, 249, 250), (112, 109), 317, 157),
    "aarch64": (0xC00000B7, 220, 97, 435, (194, 190, 186, 180, 217, 218, 219), (157, 154), 277, 167),
}
CLONE_NEWUSER = 0x10000000
CLONE_FILES = 0x400
CLONE_THREAD = 0x10000
IO_URING_SYSCALLS = (425, 426, 427)
# landlock_restrict_self (446 on both): like a seccomp filter, a Landlock domain cannot be taken
# off; one a cell put on its interpreter made every later cell's writes to scratch fail (EACCES).
LANDLOCK_RESTRICT_SELF = 446
# inotify_init, inotify_init1 and fanotify_init per machine (aarch64 has no inotify_init). Their
# instances and watches count against a per-user limit of the kernel's that the sandbox shares with
# the user who runs it: on the basic tier and in the user namespace of the non-root plan (the kernel
# charges a namespace's users to the user who made it). A cell that held 128 instances (the usual
# limit), kept while its interpreter waits between cells, made every inotify_init1 of that user on
# the host fail with EMFILE (an editor's file watcher, `tail -f`); watches likewise ("System limit
# for number of file watchers reached"). Refused on both tiers (EPERM): `tail -f` falls back to polling.
WATCH_SYSCALLS = {"x86_64": (253, 294, 300), "aarch64": (26, 262)}
# Signal senders per machine: kill, rt_sigqueueinfo (pid, sig), tkill (tid, sig), tgkill,
# rt_tgsigqueueinfo (tgid, tid, sig), pidfd_send_signal (pidfd, sig) and fcntl (F_SETSIG).
# SIGSTOP to this supervisor is refused on both tiers (EPERM): to it by pid, to its process group or
# the caller's (0, -pgid; without a pid namespace every process of the sandbox is in this supervisor's
# group), to every process (-1), through any pidfd (which names no pid a filter can read), and as the
# signal of an open file's I/O notices (F_SETSIG), which F_SETOWN may send to any process or group.
# A stopped supervisor cannot see the host's end (EOF on its request pipe) and kill what the cell
# left: on the basic tier a cell that stopped it and then saw its host killed (SIGKILL; a crashed
# extension host) ran on with its children, unowned, forever (found by s38-red). On the isolated tier
# bubblewrap dies with the host and takes the pid namespace with it. The other stop signals
# (SIGTSTP, SIGTTIN, SIGTTOU) do nothing to a process group with no parent in its session (bwrap's
# --new-session, the host's detached spawn), as this one is; ptrace needs a dumpable supervisor.
SIGNAL_SYSCALLS = {
    # machine: (kill, rt_sigqueueinfo, tkill, tgkill, rt_tgsigqueueinfo, pidfd_send_signal, fcntl)
    "x86_64": (62, 129, 200, 234, 297, 424, 72),
    "aarch64": (129, 138, 130, 131, 240, 424, 25),
}


def install_seccomp():
    """Installs the filter; True when it is in force. Linux x86_64/aarch64 only."""
    arch = SECCOMP_ARCH.get(platform.machine())
    if arch is None or LIBC is None or not sys.platform.startswith("linux"):
        return False
    audit_arch, nr_clone, nr_unshare, nr_clone3, refused, session_calls, nr_seccomp, nr_prctl = arch
    deny_userns = bool(ARGS.get("denyUserNamespaces"))
    # Filters of the sandbox's own code: one cannot be taken off a process, so a filter a cell
    # stacked on its interpreter (no_new_privs allows it) that kills at a syscall a later cell makes
    # would make that innocent cell "crash (signal 31)"; prctl(PR_SET_SECCOMP) is refused below.
    # So is prctl(PR_SET_DUMPABLE, 0): a non-dumpable interpreter closes its /proc files to the
    # supervisor (not root), whose checks after each cell read them (Supervisor.child_idle): a cell
    # that flipped it while sending its own "done" had the "done" believed and ran on into the
    # next cell, which took the time limit. (The supervisor makes itself non-dumpable before this.)
    refused = IO_URING_SYSCALLS + WATCH_SYSCALLS[platform.machine()] + (nr_seccomp, LANDLOCK_RESTRICT_SELF) + (refused if deny_userns else ())
    # Without a pid namespace the process group is how the host finds every process (see above).
    no_ops = () if ARGS.get("pidNamespace") else session_calls
    nr_kill, nr_sigqueue, nr_tkill, nr_tgkill, nr_tgsigqueue, nr_pidfd_signal, nr_fcntl = SIGNAL_SYSCALLS[platform.machine()]
    me = os.getpid()
    stop = int(signal.SIGSTOP)
    ld, jeq, jge, jset, ret = 0x20, 0x15, 0x35, 0x45, 0x06
    # ALLOW, ERRNO(EPERM), ERRNO(ENOSYS), ERRNO(0): the call returns 0 (success) and does nothing.
    allow, deny, nosys, no_op = 0x7FFF0000, 0x00050000 | 1, 0x00050000 | 38, 0x00050000
    # (code, jump if true, jump if false, k): jumps name a label, resolved to offsets below.
    program = [
        (ld, None, None, 4),  # arch
        (jeq, None, "deny", audit_arch),  # foreign ABI
        (ld, None, None, 0),  # syscall number
        (jge, "deny", None, 0x40000000),  # x32
    ]
    program += [(jeq, "deny", None, nr) for nr in refused]
    program += [(jeq, "no_op", None, nr) for nr in no_ops]
    program += [
        (jeq, "kill", None, nr_kill),
        (jeq, "kill", None, nr_sigqueue),
        (jeq, "tkill", None, nr_tkill),
        (jeq, "tgkill", None, nr_tgkill),
        (jeq, "tgkill", None, nr_tgsigqueue),
        (jeq, "pidfd_signal", None, nr_pidfd_signal),
        (jeq, "fcntl", None, nr_fcntl),
        (jeq, "prctl", None, nr_prctl),
        (jeq, "nosys", None, nr_clone3),
        (jeq, "unshare" if deny_userns else "allow", None, nr_unshare),
        (jeq, None, "allow", nr_clone),
        (ld, None, None, 16),  # low half of args[0] (the flags)
        (jset, None, "newuser", CLONE_FILES),
        (jset, "newuser", "deny", CLONE_THREAD),
        ("unshare", ld, None, None, 16),
        ("newuser", jset, "deny" if deny_userns else "allow", "allow", CLONE_NEWUSER),
        ("prctl", ld, None, None, 16),  # low half of args[0] (the option)
        (jeq, "deny", None, PR_SET_SECCOMP),
        (jeq, None, "allow", PR_SET_DUMPABLE),
        (ld, None, None, 24),  # low half of args[1]: dumpable 0 is refused, 1 allowed
        (jeq, "deny", "allow", 0),
        # SIGSTOP (see SIGNAL_SYSCALLS): kill and rt_sigqueueinfo to this supervisor, 0, -1 or -pgid.
        ("kill", ld, None, None, 24),  # low half of args[1]: the signal
        (jeq, None, "allow", stop),
        (ld, None, None, 16),  # low half of args[0]: the pid (an int)
        (jeq, "deny", None, me),
        (jeq, "deny", None, 0),
        (jeq, "deny", None, 0xFFFFFFFF),
        (jeq, "deny", "allow", -me & 0xFFFFFFFF),
        ("tkill", ld, None, None, 24),
        (jeq, None, "allow", stop),
        (ld, None, None, 16),  # the thread: this supervisor's only one has its pid
        (jeq, "deny", "allow", me),
        ("tgkill", ld, None, None, 32),  # low half of args[2]: the signal
        (jeq, None, "allow", stop),
        (ld, None, None, 16),  # the thread group
        (jeq, "deny", "allow", me),
        ("pidfd_signal", ld, None, None, 24),
        (jeq, "deny", "allow", stop),
        ("fcntl", ld, None, None, 24),  # the command
        (jeq, None, "allow", F_SETSIG),
        (ld, None, None, 32),  # the signal
        (jeq, "deny", "allow", stop),
        ("allow", ret, None, None, allow),
        ("deny", ret, None, None, deny),
        ("nosys", ret, None, None, nosys),
        ("no_op", ret, None, None, no_op),
    ]
    labels = {row[0]: i for i, row in enumerate(program) if isinstance(row[0], str)}
    rows = [row[1:] if isinstance(row[0], str) else row for row in program]
    rows = [(code, labels[jt] - i - 1 if jt else 0, labels[jf] - i - 1 if jf else 0, k) for i, (code, jt, jf, k) in enumerate(rows)]

    class SockFilter(ctypes.Structure):
        _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(SockFilter))]

    filters = (SockFilter * len(rows))(*[SockFilter(*row) for row in rows])
    fprog = SockFprog(len(rows), filters)
    if prctl(PR_SET_NO_NEW_PRIVS, 1) != 0:
        return False
    return LIBC.prctl(PR_SET_SECCOMP, ctypes.c_ulong(2), ctypes.byref(fprog), ctypes.c_ulong(0), ctypes.c_ulong(0)) == 0


def become_subreaper():
    # Orphaned grandchildren (setsid / start_new_session) are re-parented to us,
    # so they can still be found by ancestry and killed. Linux only.
    prctl(PR_SET_CHILD_SUBREAPER, 1)


def process_parents():
    parents = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return parents
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry, "rb") as f:
                stat = f.read()
            parents[int(entry)] = int(stat[stat.rindex(b")") + 2 :].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return parents


def descendants(root, spare=()):
    """Pids whose ancestry leads to `root`, except `spare` (whose descendants are included)."""
    children = {}
    for pid, ppid in process_parents().items():
        children.setdefault(ppid, []).append(pid)
    found = []
    frontier = [root]
    while frontier:
        for pid in children.get(frontier.pop(), []):
            if pid == root:
                continue
            if pid not in spare:
                found.append(pid)
            frontier.append(pid)
    return found


def kill_descendants(spare=()):
    """Kills every process this worker started except `spare`; reaps the zombies."""
    me = os.getpid()
    for _ in range(50):
        pids = descendants(me, spare)
        for pid in pids:
            try:
                os.kill(pid, signal.SIGSTOP)
            except OSError:
                pass
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        reap_zombies(spare)
        if not pids:
            return


def kill_everything_else():
    """Kills every process of the sandbox but this one and its init: in a pid namespace of its
    own every pid /proc lists (the namespace's init refuses: it is not ours), else this
    supervisor's descendants (orphans are re-parented to it: it is a child subreaper)."""
    if not ARGS.get("pidNamespace"):
        kill_descendants()
        return
    me = os.getpid()
    for _ in range(50):
        pids = [pid for pid in sandbox_pids() if pid not in (1, me)]
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            for pid in pids:
                try:
                    os.kill(pid, sig)
                except OSError:
                    pass
        reap_zombies()
        if not others_alive():
            return
        time.sleep(0.001)


def sandbox_pids():
    try:
        return [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]
    except OSError:
        return []


def others_alive():
    """True while a process other than this one and its init (or its ancestors) lives; zombies not counted."""
    me = os.getpid()
    if ARGS.get("pidNamespace"):
        candidates = [pid for pid in sandbox_pids() if pid not in (1, me)]
    else:
        candidates = descendants(me)
    for pid in candidates:
        try:
            with open("/proc/%d/stat" % pid, "rb") as f:
                data = f.read()
            if data[data.rindex(b")") + 2 : data.rindex(b")") + 3] != b"Z":
                return True
        except (OSError, ValueError):
            continue
    return False


def reap_zombies(spare=()):
    """Waits for this process's exited children, except `spare` (waited for by their owner)."""
    me = os.getpid()
    for pid, ppid in process_parents().items():
        if ppid == me and pid not in spare:
            try:
                os.waitpid(pid, os.WNOHANG)
            except (ChildProcessError, OSError):
                pass


LOADAVG = {"fd": None}


def last_pid():
    """The last pid the kernel gave out in this process's pid namespace (the last field of
    /proc/loadavg), or None. In the sandbox's own pid namespace (isolated tier) it changes
    exactly when a process or thread of the sandbox is made; on the basic tier, whenever one
    is made anywhere on the machine."""
    try:
        if LOADAVG["fd"] is None:
            LOADAVG["fd"] = os.open("/proc/loadavg", os.O_RDONLY | os.O_CLOEXEC)
        return os.pread(LOADAVG["fd"], 128, 0).split()[-1]
    except (OSError, IndexError):
        return None


# ioctl request for the bytes of a socket's send queue its reader has not taken (Linux).
TIOCOUTQ = 0x5411 if sys.platform.startswith("linux") else None


def unread_bytes(fd):
    """Bytes written to the socket `fd` (stdout, stderr: socket pairs to the host) that the host
    has not read yet, or None when unknown. 0 means every byte written so far has reached the
    host's reader, which hands what it reads to the cell's capture before anything else it
    reads (the reply among it) is looked at."""
    if TIOCOUTQ is None:
        return None
    try:
        return struct.unpack("i", fcntl.ioctl(fd, TIOCOUTQ, b"\0\0\0\0"))[0]
    except (OSError, ValueError):
        return None


# rt_sigqueueinfo(2) per machine: the supervisor's SIGINT names the cell it is meant for.
SIGQUEUEINFO_SYSCALL = {"x86_64": 129, "aarch64": 138}.get(platform.machine())


def interrupt_code(seq):
    """The si_code of the supervisor's SIGINT for the interpreter's cell number `seq`: negative
    (a queued signal, which another process of the same uid may send), never SI_TKILL (-6)."""
    return -(1000 + seq % 1_000_000)


def send_interrupt(pid, seq):
    """SIGINT to the interpreter, tagged with the cell it is meant for (see Interpreter.loop);
    a plain kill where the tag cannot be sent."""
    if LIBC is not None and SIGQUEUEINFO_SYSCALL is not None:
        # siginfo_t (128 bytes): signo, errno, code, padding, then si_pid and si_uid.
        info = ctypes.create_string_buffer(struct.pack("iiiiiI", signal.SIGINT, 0, interrupt_code(seq), 0, os.getpid(), os.getuid()), 128)
        if LIBC.syscall(SIGQUEUEINFO_SYSCALL, pid, signal.SIGINT, info) == 0:
            return
    try:
        os.kill(pid, signal.SIGINT)
    except OSError:
        pass


def same_items(current, saved):
    """True when dict `current` holds exactly `saved`'s keys bound to the very same objects. Never
    calls a value's __eq__; a key of the cells whose __eq__ or __hash__ raises counts as a change."""
    try:
        if len(current) != len(saved):
            return False
        for key, value in saved.items():
            if current.get(key, saved) is not value:
                return False
        return True
    except Exception:
        return False


def write_all(fd, data):
    """Writes all of `data` to `fd`, waiting while it is full even when a cell made the (shared)
    open file non-blocking; False when the descriptor failed."""
    while data:
        try:
            data = data[os.write(fd, data) :]
        except (BlockingIOError, InterruptedError):
            select.select([], [fd], [], 0.05)
        except OSError:
            return False
    return True


def send_line(fd, message):
    data = (json.dumps(message) + "\n").encode("utf-8")
    while data:
        written = os.write(fd, data)
        data = data[written:]


class LineReader:
    """Splits a byte stream into lines of at most `limit` bytes; linear in the input."""

    def __init__(self, fd, limit):
        self.fd = fd
        self.limit = limit
        self.parts = []
        self.size = 0
        self.overflow = False

    def read(self):
        """New complete lines; None at end of file. Sets `overflow` on an overlong line."""
        chunk = os.read(self.fd, 1 << 16)
        if not chunk:
            return None
        lines = []
        start = 0
        while True:
            newline = chunk.find(b"\n", start)
            if newline < 0:
                break
            piece = chunk[start:newline]
            if self.size + len(piece) > self.limit:
                self.overflow = True
            else:
                self.parts.append(piece)
                lines.append(b"".join(self.parts))
            self.parts = []
            self.size = 0
            start = newline + 1
        rest = chunk[start:]
        if rest:
            self.size += len(rest)
            if self.size > self.limit:
                self.overflow = True
                self.parts = []
            else:
                self.parts.append(rest)
        return lines


# ---------------------------------------------------------------- reset between questions

# Where a question's code can leave files: scratch (the cwd), $HOME and $TMPDIR, and in a
# sandbox of its own (pid namespace) /tmp and /dev/shm. All are emptied by a reset.
# The socket options a cell can change on a socket it shares with every later process of the
# sandbox, as (name, getsockopt buffer length or None for an int, set back as half the value: the
# kernel doubles the buffer sizes it is given). The send side matters for stdout and stderr; the
# receive side for the code channel, which every later interpreter reads: a question that set a
# low-water mark there made each cell of the next question wait for bytes that never come (a
# timeout blamed on it), a receive timeout made the next question's interpreter end itself.
SHARED_SOCKET_OPTIONS = tuple(
    (getattr(socket, name), length, halved)
    for name, length, halved in (
        ("SO_SNDBUF", None, True),
        ("SO_SNDTIMEO", 16, False),
        ("SO_RCVBUF", None, True),
        ("SO_RCVTIMEO", 16, False),
        ("SO_RCVLOWAT", None, False),
    )
    if hasattr(socket, name)
)
# Linux: the other SOL_SOCKET options a process may set on a socket and read back (asm-generic
# numbers; Python names only some), put back by a reset the same way. Each one a question set on
# these shared sockets was there for the next question to read: SO_LINGER's seconds, SO_PEEK_OFF,
# SO_MAX_PACING_RATE, SO_PRIORITY and the flags carried data to it on both tiers
# (reset-shared-state-attacks.test.ts), and so did SO_BINDTODEVICE's device name (a root cell may
# bind them; where the supervisor may not unbind, the reset refuses). SO_LOCK_FILTER cannot be
# cleared: set, the reset refuses.
# Read-only options (SO_TYPE, SO_ERROR, SO_MEMINFO, SO_PEERPIDFD, which makes a descriptor) are not here.
LINUX_SOCKET_STATE = (
    (sys.platform.startswith("linux") and (1, 2, 5, 6, 9, 10, 11, 12, 13, 15, 16, 25, 29, 34, 35, 36, 37, 40, 41, 42, 43, 44, 45, 46, 47, 49, 60, 61, 69, 70, 75, 76, 82, 83))
    or ()
)
# Socket filters (classic BPF: 4,096 instructions whose constants are any data, read back with
# SO_GET_FILTER) are taken off with SO_DETACH_FILTER; a locked one cannot be.
SO_DETACH_FILTER = 27
F_SETSIG = getattr(fcntl, "F_SETSIG", 10)
SO_LINGER = 13


def stream_state():
    """{fd: (status flags, socket options or None)} of fds 0-2 and the code channel (see
    Supervisor.streams). The socket options are those of SHARED_SOCKET_OPTIONS: a cell can change
    them for every later reader and writer of the socket."""
    state = {}
    for fd in (0, 1, 2, CODE_FD):
        try:
            flags = fcntl.fcntl(fd, fcntl.F_GETFL)
        except OSError:
            continue
        options = None
        try:
            sock = socket.socket(fileno=fd)
            try:
                options = tuple(socket_option(sock, opt, length) for opt, length, _ in SHARED_SOCKET_OPTIONS)
            finally:
                sock.detach()
        except OSError:
            options = None
        more = {}
        if options is not None:
            for opt in LINUX_SOCKET_STATE:
                try:
                    more[opt] = os_getsockopt(fd, opt)
                except OSError:
                    pass  # not known to this kernel
        state[fd] = (flags, options, more)
    return state


def os_getsockopt(fd, opt):
    """The bytes of SOL_SOCKET option `opt` of the socket `fd` (at most 16)."""
    sock = socket.socket(fileno=fd)
    try:
        return sock.getsockopt(socket.SOL_SOCKET, opt, 16)
    finally:
        sock.detach()


def socket_option(sock, opt, length):
    return sock.getsockopt(socket.SOL_SOCKET, opt) if length is None else sock.getsockopt(socket.SOL_SOCKET, opt, length)


# fcntl's open-file-description locks (linux/fcntl.h; Python has the name from 3.9 on) and the
# struct flock they take: l_type, l_whence, l_start, l_len (0: to the end), l_pid.
F_OFD_SETLK = getattr(fcntl, "F_OFD_SETLK", 37)
UNLOCK_ALL = struct.pack("hhqqi", fcntl.F_UNLCK, os.SEEK_SET, 0, 0, 0)


def release_locks(fd):
    """Drops the locks held through the open file `fd` (shared with the interpreters): flock(2)
    locks and open-file-description byte-range locks (F_OFD_SETLK) belong to the open file, not to
    a process, so those a question took outlived it. Byte ranges of any start and length, listed
    in /proc/locks, carried any data to the next question's code on both tiers, and a flock on
    stdin, the host's /dev/null, made the next question's flock of /dev/null fail
    (reset-shared-state-attacks.test.ts). Process-owned (F_SETLK) locks end with their process."""
    try:
        fcntl.flock(fd, fcntl.LOCK_UN)
    except OSError:
        pass
    if sys.platform.startswith("linux"):
        try:
            fcntl.fcntl(fd, F_OFD_SETLK, UNLOCK_ALL)
        except OSError:
            pass


def restore_streams(state):
    """Puts fds 0-2 and the code channel back as `stream_state` found them (an owner left there
    would get SIGIO, which ends a process, when the host writes; locks, see release_locks); None
    when done, else why not (a socket the last question shut down cannot be opened again)."""
    for fd, (flags, options, more) in state.items():
        release_locks(fd)
        try:
            fcntl.fcntl(fd, fcntl.F_SETFL, flags)
            fcntl.fcntl(fd, fcntl.F_SETOWN, 0)
            if LINUX_SOCKET_STATE:
                # F_SETSIG: the signal of the open file's I/O notices, which the next question could read back (F_GETSIG).
                fcntl.fcntl(fd, F_SETSIG, 0)
            if options is None:
                continue
            sock = socket.socket(fileno=fd)
            try:
                for (opt, length, halved), value in zip(SHARED_SOCKET_OPTIONS, options):
                    if socket_option(sock, opt, length) != value:
                        sock.setsockopt(socket.SOL_SOCKET, opt, value // 2 if halved else value)
                for opt, value in more.items():
                    try:
                        if sock.getsockopt(socket.SOL_SOCKET, opt, 16) != value:
                            if opt == SO_LINGER and len(value) == 8:
                                # Turned off, the kernel keeps the seconds: set them while on first.
                                sock.setsockopt(socket.SOL_SOCKET, opt, struct.pack("ii", 1, struct.unpack("ii", value)[1]))
                            sock.setsockopt(socket.SOL_SOCKET, opt, value)
                            if sock.getsockopt(socket.SOL_SOCKET, opt, 16) != value:
                                return "the last question left socket option %d on stream %d, which cannot be put back" % (opt, fd)
                    except OSError as exc:
                        return "the last question left socket option %d on stream %d, which cannot be put back (%s)" % (opt, fd, exc)
                if LINUX_SOCKET_STATE:
                    try:
                        sock.setsockopt(socket.SOL_SOCKET, SO_DETACH_FILTER, 0)
                    except OSError as exc:
                        if exc.errno != errno.ENOENT:  # ENOENT: no filter
                            return "the last question left a socket filter on stream %d, which cannot be taken off (%s)" % (fd, exc)
                # Shut down for reading, the channel reads as its end: the next interpreter would exit.
                # The other directions are shut for good too, and the next question could read
                # them (stdout, stderr shut for reading read EOF; the code channel shut for
                # writing fails a send of nothing with EPIPE): a bit each that it was handed.
                try:
                    if sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b"":
                        return "the last question shut stream %d down" % fd
                except (BlockingIOError, InterruptedError):
                    pass
                if fd == CODE_FD:
                    try:
                        sock.send(b"", socket.MSG_DONTWAIT | getattr(socket, "MSG_NOSIGNAL", 0))
                    except BrokenPipeError:
                        return "the last question shut stream %d down" % fd
                    except (BlockingIOError, InterruptedError):
                        pass
            finally:
                sock.detach()
            if fd in (1, 2):
                # A write of nothing fails with EPIPE on a socket shut down for writing.
                os.write(fd, b"")
        except OSError as exc:
            return "the last question broke its output stream %d (%s)" % (fd, exc)
    return None


class SharedStreams:
    """The settings of fds 0-2 and the code channel that a cell can leave to strike the NEXT cell
    of its conversation, put back after every cell (the interpreter frozen): each fd's status flags
    (O_NONBLOCK on the code channel made the next interpreter's read fail and end it; on stdout
    the next cell's output was lost once the pipe was full; O_ASYNC sends SIGIO), the code
    channel's receive low-water mark and timeout (the next cell waited for bytes that never come,
    reported as its timeout) and the output sockets' send timeout. Read through descriptors of
    our own (dups, never inherited by an interpreter): ~3 µs a cell."""

    CHECKED = ((CODE_FD, ("SO_RCVLOWAT", None), ("SO_RCVTIMEO", 16)), (1, ("SO_SNDTIMEO", 16)), (2, ("SO_SNDTIMEO", 16)))

    def __init__(self):
        self.fds = []
        for fd in (0, 1, 2, CODE_FD):
            try:
                self.fds.append((fd, fcntl.fcntl(fd, fcntl.F_GETFL)))
            except OSError:
                pass
        self.options = []  # (socket, level option, getsockopt length, value)
        for fd, *names in self.CHECKED:
            try:
                dup = os.dup(fd)
            except OSError:
                continue
            try:
                sock = socket.socket(fileno=dup)
            except OSError:
                os.close(dup)  # not a socket (a pipe)
                continue
            for name, length in names:
                opt = getattr(socket, name, None)
                if opt is not None:
                    self.options.append((sock, opt, length, socket_option(sock, opt, length)))
            if not any(entry[0] is sock for entry in self.options):
                sock.close()

    def put_back(self):
        """Sets back what a cell changed; None, or why it could not (then the interpreter ends)."""
        try:
            for fd, flags in self.fds:
                if fcntl.fcntl(fd, fcntl.F_GETFL) != flags:
                    fcntl.fcntl(fd, fcntl.F_SETFL, flags)
            for sock, opt, length, value in self.options:
                if socket_option(sock, opt, length) != value:
                    sock.setsockopt(socket.SOL_SOCKET, opt, value)
        except OSError as exc:
            return "the cell broke a stream it shares with later cells (%s)" % exc
        return None


def writable_roots():
    roots = [".", os.environ.get("HOME"), os.environ.get("TMPDIR")]
    if ARGS.get("pidNamespace"):
        roots += ["/tmp", "/dev/shm"]
    seen, found = set(), []
    for root in roots:
        if not root:
            continue
        try:
            st = os.stat(root)
        except OSError:
            continue
        if (st.st_dev, st.st_ino) not in seen:
            seen.add((st.st_dev, st.st_ino))
            found.append(root)
    return found


# ioprio_get(2) per machine (not wrapped by Python).
IOPRIO_GET_SYSCALL = {"x86_64": 252, "aarch64": 31}.get(platform.machine())
# kcmp(2) per machine: whether two descriptors are the same open file, one syscall (a stat of
# /proc/PID/fd/N costs three times as much).
KCMP_SYSCALL = {"x86_64": 312, "aarch64": 272}.get(platform.machine())
KCMP_FILE = 0


def same_open_file(pid, fd, ident):
    """True when `pid`'s descriptor `fd` is our own descriptor `fd` (the same open file), or at
    least the same file (`ident`: its (st_dev, st_ino)); False when it is another or closed."""
    if LIBC is not None and KCMP_SYSCALL is not None and LIBC.syscall(KCMP_SYSCALL, os.getpid(), pid, KCMP_FILE, fd, fd) == 0:
        return True
    try:
        st = os.stat("/proc/%d/fd/%d" % (pid, fd))
    except OSError:
        return False
    return (st.st_dev, st.st_ino) == ident


# The descriptors the interpreter shares with every later cell, which a cell must not leave closed
# or replaced (Supervisor.sabotage): {fd: (name, what a replaced one does to later cells)}.
SHARED_FDS = {
    0: ("stdin", "would make a later cell that reads its input wait for it until its time limit"),
    1: ("stdout", "would hide the output of every later cell"),
    2: ("stderr", "would hide the output of every later cell"),
    CODE_FD: ("code channel", "would keep the next cell's code from ever reaching it (that cell would take the time limit)"),
}


# What process_attributes(quick=True) reads after every cell: the limits and scheduling that can
# kill or starve this supervisor before the next cell (CPU time, memory, descriptors, processes,
# file size, stack; nice value, CPUs, policy). Direct calls: ~3 µs, a quarter of the full set.
# The interpreter's own limits, every one (number: name), put back after every cell as a script's
# end with its run (Supervisor.sabotage): left lowered by a cell, a CPU-time limit killed the
# interpreter during a later cell (SIGXCPU), a stack limit crashed a later recursion, an address
# space or data limit made a later cell's allocation "MemoryError at the memory limit (2 GiB)" far
# below it, a file size limit a later write "file size limit (100 MiB)", a descriptor limit a later
# open fail. (A limit with two names, RLIMIT_NOFILE and RLIMIT_OFILE, is called by the first.)
INTERPRETER_LIMITS = {}
for _name in sorted(dir(resource)):
    if _name.startswith("RLIMIT_"):
        INTERPRETER_LIMITS.setdefault(getattr(resource, _name), _name)
del _name
GUARDED_LIMITS = tuple(getattr(resource, name) for name in ("RLIMIT_AS", "RLIMIT_CPU", "RLIMIT_DATA", "RLIMIT_FSIZE", "RLIMIT_NOFILE", "RLIMIT_NPROC", "RLIMIT_STACK") if hasattr(resource, name))


def process_attributes(quick=False):
    """What a process of the sandbox's uid can change in this supervisor from outside (prlimit(2),
    setpriority(2), sched_setaffinity(2), sched_setscheduler(2), ioprio_set(2) need only the same
    uid) and an interpreter forked by a reset would inherit: its resource limits, nice value, CPUs,
    scheduling policy and I/O priority. With `quick`, only the part that can kill or starve this
    supervisor before the next cell (GUARDED_LIMITS, nice, CPUs, policy), read after every cell."""
    if quick:
        try:
            return (tuple(map(resource.getrlimit, GUARDED_LIMITS)), os.getpriority(os.PRIO_PROCESS, 0), os.sched_getaffinity(0), os.sched_getscheduler(0))
        except (AttributeError, OSError):
            return None
    found = []
    for name in sorted(dir(resource)):
        if name.startswith("RLIMIT_"):
            try:
                found.append((name, resource.getrlimit(getattr(resource, name))))
            except (OSError, ValueError):
                found.append((name, None))
    for name, read in (
        ("nice", lambda: os.getpriority(os.PRIO_PROCESS, 0)),
        ("cpus", lambda: sorted(os.sched_getaffinity(0))),
        ("policy", lambda: (os.sched_getscheduler(0), os.sched_getparam(0).sched_priority)),
        ("ioprio", lambda: LIBC.syscall(IOPRIO_GET_SYSCALL, 1, 0) if LIBC is not None and IOPRIO_GET_SYSCALL is not None else None),
    ):
        try:
            found.append((name, read()))
        except (AttributeError, OSError):
            found.append((name, None))
    return found


# Signals whose default action neither ends nor stops a process (SIGCHLD, SIGCONT, SIGURG,
# SIGWINCH: signal(7)). Any other signal a timer sends ends or stops the interpreter unless it has
# a handler or is ignored; SIGKILL and SIGSTOP always do.
HARMLESS_SIGNALS = frozenset(int(getattr(signal, name)) for name in ("SIGCHLD", "SIGCONT", "SIGURG", "SIGWINCH") if hasattr(signal, name))
UNCATCHABLE_SIGNALS = frozenset((int(signal.SIGKILL), int(signal.SIGSTOP)))
# setitimer(2)'s timers and the signal each sends.
ITIMERS = tuple((getattr(signal, which), int(getattr(signal, signo))) for which, signo in (("ITIMER_REAL", "SIGALRM"), ("ITIMER_VIRTUAL", "SIGVTALRM"), ("ITIMER_PROF", "SIGPROF")) if hasattr(signal, which))


def proc_limits_text(path):
    """The text of a /proc/PID/limits file, or None when it cannot be read."""
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


def signal_mask_field(status, field):
    """A signal set of /proc/PID/status (e.g. b"SigCgt") as an int bit mask (bit n-1: signal n)."""
    start = status.find(b"\n" + field + b":")
    if start < 0:
        return 0
    line = status[start + len(field) + 2 :].split(b"\n", 1)[0]
    try:
        return int(line.strip(), 16)
    except ValueError:
        return 0


def timer_signals(timers):
    """Signal numbers of the POSIX timers in /proc/PID/timers text ("signal: 9/..." lines)."""
    found = []
    for line in timers.split(b"\n"):
        if line.startswith(b"signal:"):
            try:
                found.append(int(line[7:].split(b"/")[0]))
            except ValueError:
                continue
    return found


def folders_below(root):
    """Relative paths of the folders under `root` on its own file system, e.g. the parents
    bubblewrap made for a bind below /tmp (a venv there). A reset keeps them, and empties them."""
    try:
        dev = os.lstat(root).st_dev
    except OSError:
        return set()
    found = set()
    stack = [""]
    while stack and len(found) < 1000:
        rel = stack.pop()
        try:
            names = os.listdir(os.path.join(root, rel) if rel else root)
        except OSError:
            continue
        for name in names:
            path = os.path.join(rel, name) if rel else name
            try:
                st = os.lstat(os.path.join(root, path))
            except OSError:
                continue
            if stat.S_ISDIR(st.st_mode) and st.st_dev == dev:
                found.add(path)
                stack.append(path)
    return found


def empty_folder(dir_fd, dev, keep, prefix="", depth=0):
    """Removes everything inside the open folder `dir_fd` but the folders in `keep` ({relative
    path: folder_attributes as the sandbox started}: emptied instead, their attributes put back)
    and other file systems mounted there (binds, read-only); never follows a link.
    Raises OSError when something cannot be removed."""
    if depth > 64:
        raise OSError("folders nested too deep to remove")
    for name in os.listdir(dir_fd):
        try:
            st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        except FileNotFoundError:
            continue
        path = prefix + name
        if not stat.S_ISDIR(st.st_mode):
            os.unlink(name, dir_fd=dir_fd)
            continue
        if st.st_dev != dev:
            continue
        saved = keep.get(path)
        wanted = 0o700 if saved is None else saved[0]
        if (saved is None and st.st_mode & 0o700 != 0o700) or (saved is not None and stat.S_IMODE(st.st_mode) != wanted):
            # A folder the cell made unreadable is still its own (same uid): open it up to empty it;
            # a kept one gets its own mode back first (mode 000 made every later reset fail).
            # (Every process of the sandbox is gone by now: nothing can swap it for a link.)
            os.chmod(name, wanted, dir_fd=dir_fd)
        sub = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)
        try:
            empty_folder(sub, dev, keep, path + "/", depth + 1)
            if saved is not None:
                clear_folder_attributes(sub, saved)
        finally:
            os.close(sub)
        if path not in keep:
            os.rmdir(name, dir_fd=dir_fd)


# FS_IOC_GETFLAGS / FS_IOC_SETFLAGS (linux/fs.h: _IOR/_IOW('f', 1/2, long)); the kernel reads and
# writes an int. The flags chattr(1) shows.
FS_IOC_GETFLAGS = (2 << 30) | (struct.calcsize("l") << 16) | (ord("f") << 8) | 1
FS_IOC_SETFLAGS = (1 << 30) | (struct.calcsize("l") << 16) | (ord("f") << 8) | 2


def folder_flags(fd):
    """The open folder's file attribute flags (chattr), or None where its file system has none."""
    try:
        return struct.unpack("i", fcntl.ioctl(fd, FS_IOC_GETFLAGS, bytes(4)))[0]
    except OSError:
        return None


def folder_attributes(path):
    """(permission bits, file attribute flags or None) of the folder at `path`, as a reset puts
    them back (clear_folder_attributes)."""
    mode = stat.S_IMODE(os.lstat(path).st_mode)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return (mode, None)
    try:
        return (mode, folder_flags(fd))
    finally:
        os.close(fd)


def clear_folder_attributes(fd, saved):
    """Removes the extended attributes a question left on a folder a reset keeps (the writable
    roots, and the folders kept inside them), and puts back its permission bits and file
    attribute flags (`saved`: folder_attributes as the sandbox started): emptied, the folder
    would still carry them to the next question (user.* values of up to 64 KiB each; POSIX ACLs;
    chattr's synchronous-writes flag, which ext4 hands on to every file made in the folder, so
    each write of the next question waited for the disk). Attributes of other namespaces the
    sandbox cannot set (security.*) are left. Raises OSError when one cannot be removed."""
    try:
        names = os.listxattr(fd)
    except OSError as exc:
        if exc.errno in (errno.ENOTSUP, errno.EOPNOTSUPP):
            names = []
        else:
            raise
    for name in names:
        if name.startswith(("user.", "system.posix_acl", "trusted.")):
            try:
                os.removexattr(fd, name)
            except OSError as exc:
                if exc.errno != errno.ENODATA and not (exc.errno == errno.EPERM and name.startswith("trusted.")):
                    raise
    mode, flags = saved
    if stat.S_IMODE(os.fstat(fd).st_mode) != mode:
        os.fchmod(fd, mode)
    if flags is not None and folder_flags(fd) != flags:
        fcntl.ioctl(fd, FS_IOC_SETFLAGS, struct.pack("i", flags))


def skeleton():
    """{folder: sorted names} of the sandbox's own root and /dev file systems (the folders bubblewrap
    made, outside every bind and tmpfs). Where the sandbox's user owns them (a user namespace),
    a question could leave a file there: a reset then fails and the host starts a fresh sandbox.
    None without a user namespace (bubblewrap run as root, the code dropped to a uid of its own):
    bubblewrap made those folders root's, 0755, so the code can leave nothing there, and the walk
    (15% of a reset's CPU) would compare nothing (test: reset-shared-state-attacks)."""
    if not ARGS.get("pidNamespace") or ARGS.get("dropToUid") is not None:
        return None
    found = {}
    for top in ("/", "/dev"):
        try:
            dev = os.lstat(top).st_dev
        except OSError:
            continue
        stack = [top]
        while stack and len(found) < 2000:
            folder = stack.pop()
            try:
                names = sorted(os.listdir(folder))
            except OSError:
                continue
            found[folder] = names
            for name in names:
                path = os.path.join(folder, name)
                try:
                    st = os.lstat(path)
                except OSError:
                    continue
                if stat.S_ISDIR(st.st_mode) and st.st_dev == dev:
                    stack.append(path)
    return found


def left_connections():
    """How many TCP connections the sandbox's own network namespace still lists once every
    process of the last question is gone (/proc/net/tcp and tcp6: one line each after the
    header), or 0 where the sandbox has no namespace of its own (the basic tier shares the
    host's network). A connection its code closed first stays in TIME_WAIT for 60 s, held by
    the kernel, not by a process: the next question's server on that port failed with "Address
    already in use" (Python's socketserver does not set SO_REUSEADDR), where a fresh sandbox
    binds it, and its /proc/net/tcp showed the last question's ports. No process of the sandbox
    may drop them (CAP_NET_ADMIN), so a reset then fails and the host starts a fresh sandbox
    (test: reset-shared-state-attacks).

    Counted from /proc/net/sockstat and sockstat6 where they can be read: their TCP "inuse"
    (listening and connected sockets) and "tw" (TIME_WAIT, IPv4 and IPv6 together) are per
    network namespace, read in O(1). Listing /proc/net/tcp walks the kernel's whole
    established-connection hash table, shared by every namespace, for the few lines of ours: it
    took 1.8 ms of a 12 ms reset on a 24 GiB machine. Where sockstat cannot be read or parsed,
    the listing is used. A kernel whose sockstat counted another namespace's sockets would
    make resets refuse (a fresh sandbox each question), never miss ours."""
    if not ARGS.get("pidNamespace"):
        return 0
    counted = sockstat_tcp_sockets()
    if counted is not None:
        return counted
    count = 0
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(name, "rb") as table:
                count += max(0, len(table.read().splitlines()) - 1)
        except OSError:
            continue
    return count


def sockstat_tcp_sockets():
    """TCP sockets of this network namespace by /proc/net/sockstat{,6}: IPv4 "inuse" + "tw" plus
    IPv6 "inuse" (proc(5), net/ipv4/proc.c and net/ipv6/proc.c: sockstat_seq_show), or None
    when a file or field is missing or not a number."""
    try:
        with open("/proc/net/sockstat", "rb") as four, open("/proc/net/sockstat6", "rb") as six:
            fields = {}
            for line in four.read().splitlines() + six.read().splitlines():
                name, _, rest = line.partition(b":")
                words = rest.split()
                fields.update({(name, words[i]): words[i + 1] for i in range(0, len(words) - 1, 2)})
        return sum(int(fields[key]) for key in ((b"TCP", b"inuse"), (b"TCP", b"tw"), (b"TCP6", b"inuse")))
    except (OSError, KeyError, ValueError):
        return None


# ---------------------------------------------------------------- scratch scan

# Entries of every kind (folders too) count against the scan, so 200,000 empty folders
# cost a cell a few milliseconds, not seconds; the host re-checks everything it opens.
SCAN_ENTRIES = 5000
# Each folder costs an open and a read of its own: at most this many are opened per scan.
SCAN_FOLDERS = 200
SCAN_DEPTH = 8
MAX_CHANGED = 200
# Of the host's 1 MiB reply line (MAX_REPLY_LINE_BYTES, protocol.ts), what the changed files' names may take.
CHANGED_NAMES_BYTES = 512 * 1024
SCAN_IGNORED = {CELL_FILE, "__pycache__", ".ipynb_checkpoints"}


EMPTY_SCAN = {"mtime": None}


def scan_scratch():
    """{relative name: (size, mtime_ns, dev, ino)} of regular files under the cwd (links not followed)."""
    files = {}
    # Fast path: scratch held nothing but our own cell file at the last scan, and its folder
    # has not changed since (no entry added, removed or renamed) - then it still holds nothing.
    # Trusted only when the folder's last change is 50 ms older than that scan (timestamps
    # are coarser than the time between two changes).
    try:
        mtime = os.stat(".").st_mtime_ns
    except OSError:
        mtime = None
    if mtime is not None and mtime == EMPTY_SCAN["mtime"]:
        return files
    scanned_at = time.time_ns()
    budget = [SCAN_ENTRIES]
    folders = [SCAN_FOLDERS]
    counted = [0]  # entries that are not ignored

    def walk(path, prefix, depth):
        if folders[0] <= 0:
            return
        folders[0] -= 1
        try:
            entries = os.scandir(path)
        except OSError:
            return
        with entries:
            for entry in entries:
                if budget[0] <= 0:
                    return
                budget[0] -= 1
                if entry.name in SCAN_IGNORED:
                    continue
                counted[0] += 1
                name = prefix + entry.name
                try:
                    if entry.is_dir(follow_symlinks=False):
                        if depth < SCAN_DEPTH:
                            walk(entry.path, name + "/", depth + 1)
                    elif entry.is_file(follow_symlinks=False):
                        st = entry.stat(follow_symlinks=False)
                        files[name] = (st.st_size, st.st_mtime_ns, st.st_dev, st.st_ino)
                except OSError:
                    pass

    walk(".", "", 0)
    settled = mtime is not None and scanned_at - mtime > 50_000_000
    EMPTY_SCAN["mtime"] = mtime if counted[0] == 0 and settled else None
    return files


def changed_files(before, after):
    """The files of `after` that are new or changed since `before`: at most MAX_CHANGED, whose
    names take at most CHANGED_NAMES_BYTES in the "done" reply (JSON escapes a name's bytes up to
    six times over), so the reply stays within the host's line limit."""
    changed = []
    room = CHANGED_NAMES_BYTES
    for name, now in after.items():
        if before.get(name) != now:
            room -= len(json.dumps(name))
            if room < 0:
                break
            changed.append({"name": name, "size": now[0], "dev": str(now[2]), "ino": str(now[3])})
            if len(changed) >= MAX_CHANGED:
                break
    return changed


# ---------------------------------------------------------------- interpreter (child)


def install_show_hook():
    """plt.show() and fig.show() save figures as plot-N.png in the cwd (image artifacts)."""

    class ShowHook:
        def find_spec(self, name, path=None, target=None):
            if name != "matplotlib.pyplot":
                return None
            # The font cache is built on first use; its warning is noise for the model.
            import logging

            logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
            for finder in sys.meta_path:
                if finder is self or not hasattr(finder, "find_spec"):
                    continue
                spec = finder.find_spec(name, path, target)
                if spec is not None:
                    break
            else:
                return None
            loader = spec.loader
            original = loader.exec_module

            def exec_module(module):
                original(module)
                patch_pyplot(module)

            loader.exec_module = exec_module
            return spec

    sys.meta_path.insert(0, ShowHook())


def patch_pyplot(pyplot):
    """plt.show() saves every open figure, fig.show() its own figure (the object-oriented API),
    each as the next free plot-N.png, and closes it: a display would have shown it."""

    def save(figure):
        n = 1
        while os.path.exists("plot-%d.png" % n):
            n += 1
        figure.savefig("plot-%d.png" % n)

    def show(*args, **kwargs):
        for number in pyplot.get_fignums():
            save(pyplot.figure(number))
        pyplot.close("all")

    def figure_show(figure, *args, **kwargs):
        save(figure)
        pyplot.close(figure)

    pyplot.show = show
    figure_class = getattr(sys.modules.get("matplotlib.figure"), "Figure", None)
    if figure_class is not None:
        figure_class.show = figure_show


# The decoder of the code channel's messages: the scanner of a decoder made now holds what it calls
# (json.loads looks up json's module and class attributes, which a cell may replace).
SCAN_JSON = json.JSONDecoder().scan_once
CURRENT_FRAMES = sys._current_frames
RAW_SOCKET, SOL_SOCKET, SO_RCVTIMEO = sys.modules["_socket"].socket, socket.SOL_SOCKET, socket.SO_RCVTIMEO
# The threading module's own tables of threads (the dicts themselves: threading.enumerate and
# current_thread look them up by name, which a cell may rebind; a threading._active whose values()
# slept made every later cell time out before it began).
THREADS_ACTIVE, THREADS_STARTING, GET_IDENT = threading._active, threading._limbo, threading.get_ident


def THREADS():
    """The threading.Thread objects alive or starting (a list), as threading.enumerate() gives them."""
    return list(THREADS_ACTIVE.values()) + list(THREADS_STARTING.values())


def CURRENT_THREAD():
    """The calling thread's threading.Thread object (None for a thread threading does not know)."""
    return THREADS_ACTIVE.get(GET_IDENT())

GET_TRACE, SET_TRACE, GET_PROFILE, SET_PROFILE = sys.gettrace, sys.settrace, sys.getprofile, sys.setprofile
GET_RECURSION_LIMIT, SET_RECURSION_LIMIT = sys.getrecursionlimit, sys.setrecursionlimit
SYS_GLOBALS, SYS_MODULES, LINECACHE_GLOBALS = vars(sys), sys.modules, vars(linecache)


def decode_message(line):
    """The JSON object on one line (bytes) of the code channel, or None when it is not one."""
    try:
        value, _ = SCAN_JSON(line.decode("utf-8"), 0)
    except (ValueError, StopIteration):
        return None
    return value if isinstance(value, dict) else None


class Interpreter:
    """Runs the cells; everything here is reachable by user code, so it holds no secret."""

    def __init__(self, control):
        self.control = control
        # The interpreter's own SIGINT handler, one object (a bound method is made anew at each look).
        self.sigint_handler = self.on_sigint
        # Between cells the cells' Python signal handlers are swapped for a recorder (see
        # quiet_handlers): the signals that came then (number -> frame), the handlers to put back at
        # the next cell's start (number -> handler), and the handler table as the last park left it.
        self.recorded = {}
        self.recorder = self.recorded.__setitem__
        self.saved_handlers = {}
        self.parked_handlers = ()
        # Bound now: a cell may replace socket.socket's methods.
        self.send = control.sendall
        self.seq = 0
        self.running = False
        # A SIGINT delivered between the unblocking of signals for a cell and its start.
        self.early_interrupt = False
        self.stateless = ARGS.get("mode") == "stateless"
        self.cell_path = None
        self.cell_file = None
        self.main = None
        # True when new_run has run since the last cell (then the next cell need not run it).
        self.fresh_run = False
        # The standard streams each cell starts with, and their text settings (see standard_streams).
        self.streams = (sys.stdin, sys.stdout, sys.stderr)
        self.stream_settings = tuple(text_settings(stream) for stream in self.streams)
        self.stream_attributes = [instance_attributes(stream) for stream in self.streams]
        # The recursion limit each cell starts with at least (see run_cell).
        self.recursion_limit = GET_RECURSION_LIMIT()
        # The thread switch interval and the garbage collector's settings each cell ends with (see
        # run_cell and end_of_script).
        self.switch_interval = GET_SWITCH_INTERVAL()
        self.gc_threshold = GC_THRESHOLD()
        self.gc_debug = GC_DEBUG()
        self.thread_stack_size = THREAD_STACK_SIZE()
        self.int_digits = GET_INT_DIGITS() if GET_INT_DIGITS is not None else 0
        # Signals that process tools send or wait on, whose action is the default at start-up
        # (ints): one a cell set to SIG_IGN gets it back at the cell's end (see end_of_script).
        # Any other signal a cell ignored stays ignored, as in a notebook (the cell chose it).
        self.default_signals = tuple(signo for signo in sorted(RESET_WHEN_IGNORED) if GET_SIGNAL(signo) == SIG_DFL)
        # The file mode creation mask each cell starts with (see loop).
        self.umask = os.umask(0o022)
        os.umask(self.umask)
        install_input_notice()

    def fresh_main(self):
        main = types.ModuleType("__main__")
        main.__dict__.update({"__file__": self.cell_path, "__builtins__": BUILTINS, "__cached__": None})
        return main

    def on_sigint(self, signum, frame):
        # Only a running cell is interrupted: a late SIGINT must not break this loop. One that
        # comes after signals are let in for a cell but before it runs is that cell's (see loop).
        if self.running:
            raise KeyboardInterrupt
        self.early_interrupt = True

    def loop(self):
        signal.signal(signal.SIGINT, self.sigint_handler)
        install_show_hook()
        reader = LineReader(CODE_FD, MAX_REQUEST_LINE)
        while True:
            try:
                lines = reader.read()
            except BlockingIOError:
                # The cell that just ended made the code channel non-blocking or gave it a
                # receive timeout (the supervisor puts both back once it has stopped us, see
                # SharedStreams): wait for the next cell's code as usual instead of ending. Blocking
                # again after the socket object is made: one made while a cell's default timeout
                # (socket.setdefaulttimeout) holds makes the file non-blocking, and this loop spun
                # until the cell's time limit ended the interpreter. The C type: a cell may replace
                # socket.socket or its methods.
                sock = RAW_SOCKET(fileno=CODE_FD)
                try:
                    sock.setsockopt(SOL_SOCKET, SO_RCVTIMEO, bytes(16))
                finally:
                    sock.detach()
                os.set_blocking(CODE_FD, True)
                continue
            if lines is None:
                EXIT(0)
            for line in lines:
                message = decode_message(line)
                if message is None:
                    continue
                if message.get("type") == "run":
                    # Numbered like the supervisor numbers this interpreter's cells.
                    self.seq += 1
                    # Parked between cells (see the module docstring): the cell's own signals
                    # are delivered again once its run begins (run_script). A SIGINT still
                    # pending was meant for a cell that has ended (an interrupt that crossed its
                    # end): dropped, or its handler could run once this cell has begun and stop
                    # it. Unless the
                    # supervisor tagged it with this cell's number: a cancel that came before
                    # the cell began (send_interrupt), which must not be lost.
                    # Any other signal still pending whose default action would end or stop
                    # the interpreter (one the last cell blocked and sent itself, a SIGTERM or a
                    # real-time signal) is dropped too, as a script's end drops it: delivered
                    # now, it made this innocent cell "crash (signal 15)". One the cell handles
                    # runs its handler in this cell. (One sigpending a cell: nothing is pending
                    # in the common case.)
                    pending = SIGNAL_C.sigpending()
                    cancelled = bool(pending) and drop_pending_signals(pending, self.seq)
                    self.early_interrupt = False
                    # A timer slack the last cell left on this thread would stretch every sleep
                    # and timeout of this one (up to centuries): back to the default (0 = inherited).
                    prctl(PR_SET_TIMERSLACK, 0)
                    # The umask, as a script's run starts with its shell's: one a cell set (0o777)
                    # made every file a later cell wrote unreadable to it (PermissionError when it
                    # read back what it had just written). One umask(2) a cell: it cannot be read
                    # without setting it.
                    os.umask(self.umask)
                    # A SIGINT handler the last cell set (or SIG_IGN) would outlive its run, as no
                    # script's does: this cell's time limit or cancel then ended the interpreter, its
                    # variables lost, instead of raising KeyboardInterrupt in it. So would what Python's
                    # handler table does not show: signal.siginterrupt(SIGINT, False) (SA_RESTART: a
                    # wait for a child never returned to Python), faulthandler.register(SIGINT) (its
                    # C handler only printed a traceback), a sigaction through ctypes. Set anew, one
                    # rt_sigaction a cell: the kernel's disposition cannot be read without one.
                    SET_SIGNAL(signal.SIGINT, self.sigint_handler)
                    self.run_cell(self.seq, str(message.get("code", "")), cancelled)
                elif message.get("type") == "reap":
                    # The supervisor killed what the cell left behind; its direct children
                    # are ours to wait for.
                    reap_zombies()

    def run_script(self, seq, code, cancelled):
        """Runs cell `seq` (its `code`, str) as a script's run, within the cell's window (see
        run_cell), and prints its error; returns (exit code: int, error: "interrupted", "memory",
        "file-size" or None). Raises what the cell's own objects raise while its end is reported."""
        # Compiled under a name of its own, kept in linecache: a traceback through a function an
        # earlier cell defined shows that cell's lines (and inspect.getsource finds them), not
        # the lines of the same numbers in the file, which holds only the latest cell.
        name = "<cell %d>" % seq
        exit_code = 0
        error = None
        pid = os.getpid()
        try:
            try:
                # The cell's own signals are delivered again from here on: a handler of the cells
                # for a signal that came between cells runs now, as part of this cell (one that
                # raised had ended the interpreter when it ran in the loop before the cell).
                sigmask(signal.SIG_SETMASK, ())
                # The handlers the last cell's park swapped for the recorder, and the signals it
                # recorded between cells, delivered now (see quiet_handlers).
                if self.saved_handlers or self.recorded:
                    self.wake_handlers()
                # Each cell starts as a new run of a script. Made so at the end of the last cell (see
                # below), unless that was cut short: then here, as part of this cell.
                if not self.fresh_run:
                    self.new_run()
                self.fresh_run = False
                if self.main is None or self.stateless:
                    self.main = self.fresh_main()
                self.cell_file.write(code.encode("utf-8", "surrogatepass"))
                before = set(THREADS())
                if cancelled or self.early_interrupt:
                    raise KeyboardInterrupt
                # What follows goes through objects earlier cells own and may have replaced
                # (multiprocessing's state: an object whose attribute hooks sleep or raise): run
                # as part of this cell, so what such a hook does is interruptible and shown (one
                # that slept had made this cell time out with its variables lost, one that raised
                # had ended the interpreter).
                self.prepare(code, name)
                exec(compile(code, name, "exec"), self.main.__dict__)
                # Like a script: the cell ends when its non-daemon threads do (the time
                # limit still applies: SIGINT interrupts the join).
                for thread in THREADS():
                    if thread not in before and not thread.daemon and thread is not CURRENT_THREAD():
                        thread.join()
            finally:
                # What a script's end takes with it and the loop runs under: a trace or profile
                # function the cell set on this thread (one that raised at the loop's next call made
                # the NEXT cell fail as "the interpreter's own loop failed"), and a recursion limit
                # it lowered (every later cell's recursion, the loop's own calls too, hit it). A raised
                # one is kept. Looks that cost no system call; the functions were taken before any cell.
                if GET_TRACE() is not None:
                    SET_TRACE(None)
                if GET_PROFILE() is not None:
                    SET_PROFILE(None)
                if GET_RECURSION_LIMIT() < self.recursion_limit:
                    SET_RECURSION_LIMIT(self.recursion_limit)
                # The same for what threading hands every new thread (threading.settrace: one that
                # raised killed each thread a later cell started), and for the digits an int may have
                # to be converted to text (lowered to 640, a later print(math.factorial(500)) raised
                # ValueError); a raised or removed digit limit is kept.
                if THREADING_GLOBALS.get("_trace_hook") is not None:
                    THREADING_GLOBALS["_trace_hook"] = None
                if THREADING_GLOBALS.get("_profile_hook") is not None:
                    THREADING_GLOBALS["_profile_hook"] = None
                if GET_INT_DIGITS is not None and 0 < GET_INT_DIGITS() < self.int_digits:
                    SET_INT_DIGITS(self.int_digits)
                # The thread switch interval, before this thread gives up the GIL again (at its next
                # write or read): with sys.setswitchinterval(1e6) a thread the cell left busy kept
                # the GIL from the interpreter's main thread for days, and the NEXT cell timed out
                # before it began, its variables lost.
                if GET_SWITCH_INTERVAL() != self.switch_interval:
                    SET_SWITCH_INTERVAL(self.switch_interval)
                if os.getpid() != pid:
                    # A child the cell forked fell out of the cell's code: it must not
                    # continue as a second interpreter.
                    EXIT(0)
        except SystemExit as exc:
            if exc.code is None:
                exit_code = 0
            elif isinstance(exc.code, int):
                exit_code = exit_status(exc.code)
            else:
                print(exc.code, file=sys.stderr)
                exit_code = 1
        except KeyboardInterrupt:
            exit_code = 1
            error = "interrupted"
            self.print_exception(sys.exc_info())
        except MemoryError:
            exit_code = 1
            error = "memory"
            self.print_exception(sys.exc_info())
        except BaseException:
            exit_code = 1
            exc = sys.exc_info()[1]
            if isinstance(exc, OSError) and exc.errno == 27:  # EFBIG: RLIMIT_FSIZE
                error = "file-size"
            self.print_exception(sys.exc_info())
        # The streams the cell wrote to, and the standard ones it may have replaced after writing.
        for stream in (sys.stdout, sys.stderr, self.streams[1], self.streams[2]):
            try:
                stream.flush()
            except Exception:
                pass
        # What the cell leaves that a new run of a script would not find is put back now, while it
        # is still this cell's: dropping its objects (its sys.stdout, its sys.argv) runs their
        # __del__ here (done before the next cell, one that slept made that cell time out).
        self.new_run()
        self.fresh_run = True
        return exit_code, error

    def new_run(self):
        """Makes the interpreter look as it does to a new run of a script: its own argv, the standard
        streams and warnings shown again."""
        sys.argv = [self.cell_path]
        self.standard_streams()
        if self.main is not None:
            self.main.__dict__.pop("__warningregistry__", None)

    def run_cell(self, seq, code, cancelled=False):
        if self.cell_path is None:
            # Taken at the first cell: a warm spare's scratch folder is renamed before it.
            self.cell_path = os.path.join(os.getcwd(), CELL_FILE)
            self.cell_file = CellFile(self.cell_path)
        # The cell's window. Not only its own code runs code of the cells: setting up its run drops
        # what the last cell left in sys.argv, sys.stdout or __warningregistry__ (a __del__ that
        # slept there made this innocent cell time out before it began, its variables lost), the
        # garbage collector runs their callbacks and finalizers, and reporting its end reads its
        # exception, SystemExit code and streams (an exception whose __str__ slept, or a sys.stderr
        # whose write raised, lost the variables too). All of that runs here, interruptible at the
        # time limit (self.running) and caught: the cell is told, its variables are kept. Between
        # cells the collector is off: a cell that left its count just under the threshold had it
        # run the cell's callback in this loop, with every signal blocked. Two C calls a cell.
        self.running = True
        GC_ENABLE()
        try:
            try:
                exit_code, error = self.run_script(seq, code, cancelled)
            finally:
                # The collector off first: what follows allocates, and a collection could run the
                # cell's callbacks and finalizers with every signal blocked, past its time limit.
                GC_DISABLE()
                # Park: no handler of the cells may run until the next cell (the supervisor
                # checks), nor in this loop, where what it raised would end the interpreter. One
                # whose signal came just before runs at the next call, still inside this window.
                # Blocking covers only this thread: a thread the cell left takes the process's
                # signals, and Python runs their handlers in this thread at its next check, so
                # the handlers are swapped for a recorder first (see quiet_handlers).
                self.quiet_handlers()
                sigmask(signal.SIG_BLOCK, ALL_SIGNALS)
                # From here a SIGINT (a late time limit, delivered to a thread the cell left) only
                # marks the next cell's start, which drops it (see loop).
                self.running = False
        except BaseException as failure:
            # What the cell's objects raised while its end was reported, or a handler of the cells
            # that raised in the finally above, maybe before the park: then signals may still be
            # let in, and the next raising handler (a 1 ms timer's) would strike outside any try
            # and end the loop. Parked (see PARK) before anything else: PARK's own start is a
            # place where a pending handler runs, so it is called in tries nested in each other's
            # handlers, each of which takes one such raise.
            try:
                PARK(GC_DISABLE, self.quiet_handlers, sigmask, signal.SIG_BLOCK, ALL_SIGNALS)
            except BaseException:
                try:
                    PARK(GC_DISABLE, self.quiet_handlers, sigmask, signal.SIG_BLOCK, ALL_SIGNALS)
                except BaseException:
                    try:
                        PARK(GC_DISABLE, self.quiet_handlers, sigmask, signal.SIG_BLOCK, ALL_SIGNALS)
                    except BaseException:
                        PARK(GC_DISABLE, self.quiet_handlers, sigmask, signal.SIG_BLOCK, ALL_SIGNALS)
            self.running = False
            exit_code, error = 1, "interrupted" if type(failure) is KeyboardInterrupt else None
            write_all(2, (CELL_END_FAILED % TYPE_NAME(type(failure))).encode())
            failure = None
        try:
            self.end_of_script()
        except BaseException as failure:
            # A handler of the cells run by a signal a thread it left sent after the park (only
            # the main thread's signals are blocked): the cell that left them is told.
            exit_code = exit_code or 1
            write_all(2, (CELL_END_FAILED % TYPE_NAME(type(failure))).encode())
            failure = None
        try:
            # Threads that run Python code (sys._current_frames sees `threading` and `_thread`
            # ones alike); native pools such as OpenBLAS's are frozen too but not worth a notice.
            python_threads = max(0, len(CURRENT_FRAMES()) - 1)
            # Interval timers still armed (only the process itself can read them): the supervisor
            # ends the interpreter when their signal would end or stop it during a later cell.
            itimers = ", ".join("%d" % signo for which, signo in ITIMERS if signal.getitimer(which)[0] > 0)
            # Written out here rather than by json.dumps, which a cell may have replaced.
            done = '{"type": "done", "seq": %d, "exitCode": %d, "error": %s, "threads": %d, "itimers": [%s]}\n' % (
                seq,
                exit_code,
                "null" if error is None else '"%s"' % error,
                python_threads,
                itimers,
            )
            self.send(done.encode())
        except OSError:
            EXIT(0)

    def quiet_handlers(self):
        """Swaps the Python signal handlers the cells set for the recorder (a dict's C __setitem__,
        which runs no Python code and cannot raise), until the next cell's start puts them back
        (wake_handlers). Between cells only this thread blocks the signals: a thread a cell left
        running (stopped with the interpreter, but continued with it for the next cell) takes the
        process's signals, and Python runs their handlers in this thread at its next check, in the
        loop between cells; one that raised there (a 1 ms timer's, beside a leftover thread) ended
        the interpreter before the innocent next cell ("protocol", variables lost). A SIGINT handler
        of the cell's gets the interpreter's back now rather than at the next cell's start, and a
        SIGCONT one the default action, as end_of_script gives it (neither is put back). Idempotent:
        a handler that raises while this runs (in the cell's window, or in PARK's tries) leaves the
        rest to the next call. ~4 µs a cell when nothing changed (one getsignal per signal); two rt_sigaction per handled signal otherwise (here and in wake_handlers)."""
        handlers = tuple(map(GET_SIGNAL, CATCHABLE_SIGNALS))
        if len(handlers) == len(self.parked_handlers) and all(map(IS, handlers, self.parked_handlers)):
            return
        # Until a pass finds nothing to swap: a handler of the cells whose signal came during a
        # pass (before its own swap) runs and may set a handler on a signal already swapped (a
        # 100 us timer's handler setting SIGUSR1's to one that raised, which a leftover thread's
        # SIGUSR1 then ran in the loop: the innocent next cell "protocol", variables lost). Once
        # every handler is the recorder, none of the cells' runs, so the last pass is quiet.
        swapped = True
        while swapped:
            swapped = False
            for signo, handler in zip(CATCHABLE_SIGNALS, handlers):
                if handler is self.recorder or handler is self.sigint_handler or not callable(handler):
                    continue
                swapped = True
                if signo == SIGINT_NUMBER:
                    SET_SIGNAL(signo, self.sigint_handler)
                elif signo == SIGCONT_NUMBER:
                    SET_SIGNAL(signo, SIG_DFL)
                else:
                    self.saved_handlers[signo] = handler
                    SET_SIGNAL(signo, self.recorder)
            handlers = tuple(map(GET_SIGNAL, CATCHABLE_SIGNALS))
        self.parked_handlers = handlers

    def wake_handlers(self):
        """At a cell's start (its window, signals let in): puts back the handlers quiet_handlers
        swapped out, then calls the handler of each signal recorded between cells once (with the
        frame the signal came in), so it runs as part of this cell, as a signal held pending by the
        block would. As CPython does for a pending signal ("ignored due to race condition" in
        Modules/signalmodule.c), one whose handler is no longer a Python callable (SIG_DFL, SIG_IGN,
        set by a handler that ran before it) is dropped: sent again with raise_signal, a recorded
        SIGTERM whose handler an earlier one had set back to SIG_DFL ended the interpreter at the
        innocent next cell's start (variables lost). What a handler raises here is this cell's
        error; whatever is left is done at the next cell's start."""
        saved = self.saved_handlers
        for signo in tuple(saved):
            if GET_SIGNAL(signo) is self.recorder:
                SET_SIGNAL(signo, saved[signo])
            del saved[signo]
        recorded = self.recorded
        for signo in tuple(recorded):
            handler = GET_SIGNAL(signo)
            if handler is not self.recorder:
                frame = recorded.pop(signo, None)
                if callable(handler):
                    handler(signo, frame)

    def prepare(self, code, name):
        """Makes this cell __main__, puts its lines in linecache, forgets the multiprocessing start method (set_start_method
        in a script the model runs again would otherwise fail with "context has already been
        set") and helpers that have ended."""
        # sys.modules and linecache.cache as the interpreter made them: a cell may have bound
        # either name to something else (a dict subclass whose item assignment runs its code, or
        # None, which also broke every later traceback). Read and written through the modules'
        # own dicts, taken before any cell: plain dict operations, no code of the cells.
        if SYS_GLOBALS.get("modules") is not SYS_MODULES:
            SYS_GLOBALS["modules"] = SYS_MODULES
        SYS_MODULES["__main__"] = self.main
        cache = LINECACHE_GLOBALS.get("cache")
        if type(cache) is not dict:
            cache = LINECACHE_GLOBALS["cache"] = {}
        lines = code.splitlines(True)
        cache[self.cell_path] = (len(code), None, lines, self.cell_path)
        cache[name] = (len(code), None, lines, name)
        try:
            unset_start_method()
            forget_ended_helpers()
        except Exception as exc:
            # The cell runs all the same, and is told (its own code may put the state back).
            sys.stderr.write(PREPARE_FAILED % ("%s: %s" % (type(exc).__name__, exc)))

    def end_of_script(self):
        """Ends what a script's end would take with it and would otherwise strike a later cell:
        faulthandler's watchdog (dump_traceback_later: a C thread, frozen with the interpreter,
        that fired during the next cell and, with exit=True, ended the interpreter there), and a
        SIGPIPE or SIGXFSZ set back to its default action (a later cell's broken pipe or write past
        the file size limit then crashed the interpreter instead of raising OSError). A handler
        the cell set on them stays its own. Also a signal process tools use (RESET_WHEN_IGNORED) set
        to SIG_IGN that was not ignored at start-up (inherited by every later cell's child processes: SIGTERM ignored made a later
        `proc.terminate()` wait forever; SIGCHLD ignored made the kernel reap children itself, so
        a later `subprocess.run(["false"])` returned 0), and the garbage collector retuned or set
        to keep what it finds (switched off, it is on again as each cell's window opens) (DEBUG_SAVEALL: a later cell's cyclic garbage was never
        freed, MemoryError), the stack size of new
        threads (threading.stack_size(32768) made a later cell's thread that printed a nested list
        crash the interpreter with SIGSEGV; a huge one left no address space for them), and a signal wake-up
        file (set_wakeup_fd: one on a copy of the code channel wrote a byte there at the next cell's
        first signal, which ended that innocent cell as a protocol violation), and the handlers of the
        signals the sandbox makes after a cell (SIGCONT, SIGCHLD; see below). No other system call
        when nothing changed."""
        CANCEL_LATER_DUMP()
        SET_WAKEUP_FD(-1)
        for signo in IGNORED_AT_START:
            if GET_SIGNAL(signo) == SIG_DFL:
                SET_SIGNAL(signo, SIG_IGN)
        if SIG_IGN in map(GET_SIGNAL, self.default_signals):
            for signo in self.default_signals:
                if GET_SIGNAL(signo) == SIG_IGN:
                    SET_SIGNAL(signo, SIG_DFL)
        if GC_THRESHOLD() != self.gc_threshold:
            SET_GC_THRESHOLD(*self.gc_threshold)
        if GC_DEBUG() != self.gc_debug:
            SET_GC_DEBUG(self.gc_debug)
        # threading.stack_size() with no argument also sets the size to 0 (CPython's default, the
        # value saved at start-up) as it reads it: the check puts the start-up size back by itself,
        # and a cell's own getter call behaves as in a script.
        if THREAD_STACK_SIZE() != self.thread_stack_size:
            THREAD_STACK_SIZE(self.thread_stack_size)
        # The signals the sandbox itself makes for the interpreter after a cell, which no script's
        # run gets: SIGCONT when the supervisor continues it for the next cell, SIGCHLD when the
        # host kills the children the cell left. A handler the cell set on them ran in the NEXT
        # cell: faulthandler.register(SIGCONT or SIGCHLD) on the control socket ended that innocent
        # cell as a protocol violation (variables lost), on stdout it put a dump of the worker's
        # frames before every later cell's output, and a raising SIGCONT handler made every later
        # cell fail. So SIGCONT gets its default action back, in the kernel too (faulthandler's
        # and ctypes' handlers are not in Python's table), one rt_sigaction a cell; SIGCHLD, when
        # the interpreter has children (about to be killed; one waitid), gets the action Python's
        # table shows (a Python handler of the cell's stays its own and runs in the next cell).
        UNREGISTER_DUMP(signal.SIGCONT)
        SET_SIGNAL(signal.SIGCONT, SIG_DFL)
        if has_children():
            UNREGISTER_DUMP(signal.SIGCHLD)
            handler = GET_SIGNAL(signal.SIGCHLD)
            SET_SIGNAL(signal.SIGCHLD, SIG_DFL if handler is None else handler)

    def standard_streams(self):
        """Puts back sys.stdin, sys.stdout and sys.stderr at a cell's end: each cell's output is its
        own, as each run of a script writes to the terminal. A cell that set sys.stdout to a file
        (or closed it: exit() closes sys.stdin) would otherwise leave every later cell with no
        output and no error. A closed one is opened again on the same descriptor. Attributes a cell
        set on the stream objects themselves (sys.stdout.write = ..., on their buffers too) are
        dropped first: they outlived the cell (every later cell printed nothing, or a reconfigure
        that slept made the next cell time out before it began). Dict looks when nothing changed."""
        streams = []
        for fd, stream in enumerate(self.streams):
            for attributes, saved in self.stream_attributes[fd]:
                # Compared by identity, never with ==, which would call the __eq__ of a value the
                # cell set (one that raised left the dict as it was, so every later cell failed
                # before its code ran). A __del__ of what clear() drops runs in the cell's window.
                if not same_items(attributes, saved):
                    attributes.clear()
                    attributes.update(saved)
            settings = self.stream_settings[fd]
            if not stream.closed and text_settings(stream) != settings:
                # Its encoding or error handler changed (sys.stdout.reconfigure(encoding="ascii")
                # made every later cell's print of a non-ASCII character raise UnicodeEncodeError),
                # or its buffering (output held back from the host): as at start-up. Attribute
                # reads when nothing changed.
                try:
                    stream.reconfigure(**settings)
                except (OSError, ValueError, AttributeError, LookupError):
                    stream.close()
            if stream.closed:
                # Unbuffered underneath as before (-u): what a cell prints before it hangs still arrives.
                raw = isinstance(getattr(stream, "buffer", None), io.FileIO)
                stream = io.TextIOWrapper(
                    open(fd, "rb" if fd == 0 else "wb", buffering=0 if raw else -1, closefd=False),
                    **settings,
                )
                self.stream_attributes[fd] = instance_attributes(stream)
            streams.append(stream)
        self.streams = tuple(streams)
        sys.stdin, sys.stdout, sys.stderr = self.streams
        sys.__stdin__, sys.__stdout__, sys.__stderr__ = self.streams

    @staticmethod
    def print_exception(info):
        etype, value, tb = info
        try:
            # Hide the worker's own frames (exec, the SIGINT handler): the traceback is the cell's.
            te = traceback.TracebackException(etype, value, tb)
            te.stack = traceback.StackSummary.from_list([f for f in te.stack if f.filename != __file__])
            sys.stderr.write("".join(te.format()))
        except Exception as failure:
            # Out of memory, or an earlier cell replaced what the formatting uses (the traceback
            # module: that ended the interpreter when the next cell raised): the error is named.
            try:
                sys.stderr.write("%s: %s\n[sandbox: no traceback: formatting it failed (%s)]\n" % (etype.__name__, value, type(failure).__name__))
            except Exception:
                sys.stderr.write("%s\n" % etype.__name__)


def has_children():
    """True when this process has a child, running or ended but not waited for (one waitid, which
    neither waits nor reaps)."""
    try:
        os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return False
    return True


def exit_status(code):
    """The exit status (an int the host's protocol takes) of a script whose SystemExit code is the int
    `code` (an int subclass's own methods are not called): as CPython's exit, a C long cast to int,
    -1 beyond a C long (sys.exit(10**100) had made the "done" line a protocol violation)."""
    value = int.__index__(code)
    if -(1 << 63) <= value < 1 << 63:
        # The C int cast in plain arithmetic (ctypes is a module a cell can change).
        value &= 0xFFFFFFFF
        return value - (1 << 32) if value >= 1 << 31 else value
    return -1


def instance_attributes(stream):
    """The attribute dicts of a standard text stream, of its buffer and of the buffer's raw file (a
    cell can set a method there, such as `write`, that the C code then calls), each with a copy of
    what it holds now: a tuple of (dict, dict)."""
    found = []
    layer = stream
    for name in ("buffer", "raw", None):
        attributes = vars(layer)
        found.append((attributes, dict(attributes)))
        layer = getattr(layer, name, None) if name is not None else None
        if layer is None:
            break
    return tuple(found)


def text_settings(stream):
    """The settings of a standard text stream that TextIOWrapper.reconfigure can change (a dict)."""
    return {
        "encoding": stream.encoding,
        "errors": stream.errors,
        "line_buffering": stream.line_buffering,
        "write_through": getattr(stream, "write_through", False),
    }


def drop_pending_signals(pending, seq):
    """Drops the signals in `pending` (pending for the interpreter's main thread, all blocked
    between cells) that were meant for a cell that has ended: SIGINT, and every signal whose
    default action would end or stop the interpreter and that it neither handles nor ignores.
    True when the SIGINT was the supervisor's interrupt of cell `seq` (send_interrupt): a cancel
    that came before that cell began, which must not be lost."""
    cancelled = False
    if signal.SIGINT in pending:
        info = signal.sigtimedwait((signal.SIGINT,), 0)
        cancelled = info is not None and info.si_code == interrupt_code(seq)
    others = [int(signo) for signo in pending if signo != signal.SIGINT and int(signo) not in HARMLESS_SIGNALS]
    if others:
        try:
            with open("/proc/self/status", "rb") as f:
                status = f.read()
        except OSError:
            status = b""
        handled = signal_mask_field(status, b"SigCgt") | signal_mask_field(status, b"SigIgn")
        for signo in others:
            if not handled >> (signo - 1) & 1:
                # A real-time signal may be queued more than once.
                while signal.sigtimedwait((signo,), 0) is not None:
                    pass
    return cancelled


def unset_start_method():
    """Forgets the multiprocessing start method an earlier cell chose, when multiprocessing is
    loaded (its default context's chosen context; a pool or process made before keeps its own)."""
    context = sys.modules.get("multiprocessing.context")
    default = getattr(context, "_default_context", None)
    if default is not None and hasattr(default, "_actual_context"):
        default._actual_context = None


def forget_ended_helpers():
    """Lets multiprocessing start its helper processes again when they were ended after an
    earlier cell (nothing of a cell runs after it, so the spawn and forkserver methods' resource
    tracker and fork server are killed with the rest). Without this, a second cell that uses them
    gets a "resource_tracker: process died unexpectedly" warning, or a ChildProcessError from the
    fork server's check, where a script run again gets fresh ones. Each helper is forgotten as it
    would forget a dead one itself. Semaphores and shared memory an earlier cell registered with
    a tracker that is gone are not unregistered with its successor (which never knew them and
    would print a KeyError traceback for each, when a later cell frees the objects)."""
    module = sys.modules.get("multiprocessing.resource_tracker")
    tracker = getattr(module, "_resource_tracker", None)
    if tracker is not None:
        names = track_registered_names(module, tracker)
        if not child_alive(getattr(tracker, "_pid", None)):
            if getattr(tracker, "_fd", None) is not None:
                close_quietly(tracker._fd)
            tracker._fd = None
            tracker._pid = None
            names.clear()
    server = getattr(sys.modules.get("multiprocessing.forkserver"), "_forkserver", None)
    if server is not None and not child_alive(getattr(server, "_forkserver_pid", None)):
        if getattr(server, "_forkserver_alive_fd", None) is not None:
            close_quietly(server._forkserver_alive_fd)
        server._forkserver_alive_fd = None
        server._forkserver_address = None
        server._forkserver_pid = None


def track_registered_names(module, tracker):
    """The (name, type) pairs registered with the tracker running now; the module's register and
    unregister are wrapped once so that only those are unregistered with it."""
    names = getattr(module, "_sandbox_registered", None)
    if names is not None:
        return names
    names = set()
    register, unregister = tracker.register, tracker.unregister

    def register_name(name, rtype):
        register(name, rtype)
        names.add((name, rtype))

    def unregister_name(name, rtype):
        if (name, rtype) in names:
            names.discard((name, rtype))
            unregister(name, rtype)

    module.register, module.unregister = register_name, unregister_name
    module._sandbox_registered = names
    return names


def child_alive(pid):
    """True when `pid` (a child of this process) still runs; None counts as alive (nothing to forget)."""
    if pid is None:
        return True
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return False
    return done == 0


def close_quietly(fd):
    try:
        os.close(fd)
    except OSError:
        pass


def install_input_notice():
    """input() at the end of the (empty) stdin says why: the cell runs with no input, as
    `python3 script.py < /dev/null` would, but a bare EOFError does not tell the model to put the
    data in the code instead."""
    import builtins

    read_line = builtins.input

    def sandbox_input(prompt=""):
        try:
            return read_line(prompt)
        except EOFError:
            raise EOFError("EOF when reading a line: the code runs with no input (stdin is empty), so input() cannot be answered; put the data in the code itself") from None

    builtins.input = sandbox_input


def close_in_forked_child(fd):
    def close():
        try:
            os.close(fd)
        except OSError:
            pass

    return close


def close_all_but(keep):
    try:
        fds = [int(fd) for fd in os.listdir("/proc/self/fd")]
    except OSError:
        fds = range(3, 1024)
    for fd in fds:
        if fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass


def start_interpreter(supervisor_end, interpreter_end):
    """Forks the interpreter; returns its pid (in the supervisor)."""
    pid = os.fork()
    if pid != 0:
        return pid
    # The interpreter: no host protocol pipes, no supervisor socket end, dies with the supervisor.
    # Only fds 0-2, the code channel and its own control end stay open (an interpreter forked by
    # a reset would otherwise inherit the supervisor's wake-up pipe and /proc descriptors).
    try:
        close_all_but((0, 1, 2, CODE_FD, interpreter_end.fileno()))
        signal.set_wakeup_fd(-1)
        signal.pthread_sigmask(signal.SIG_SETMASK, set())
        os.register_at_fork(after_in_child=close_in_forked_child(CODE_FD))
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        # Its own files under /proc stay readable to itself and its tools.
        prctl(PR_SET_DUMPABLE, 1)
        # Processes the cell forks never inherit the control socket.
        os.register_at_fork(after_in_child=close_in_forked_child(interpreter_end.fileno()))
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        sys.argv = [""]
        Interpreter(interpreter_end).loop()
    except MemoryError:
        EXIT(LOOP_OUT_OF_MEMORY)
    except BaseException:
        # The loop runs in the cells' process: a cell that replaced what it uses (json.loads,
        # signal.sigtimedwait, linecache.cache, a builtin) made it fail when the NEXT cell came,
        # which then "exited 0" with no output and no word. Said so instead (on_child_gone).
        EXIT(LOOP_FAILED)
    finally:
        EXIT(0)


# ---------------------------------------------------------------- supervisor


class Supervisor:
    def __init__(self):
        self.current = None  # (nonce, seq) of the cell running now
        self.pending = None  # its "done", until the interpreter is seen idle
        self.pending_threads = 0  # Python threads its "done" reported (for the notice only)
        self.pending_itimers = ()  # signals of the interval timers its "done" reported armed
        self.pending_wait = 0
        self.ended = False
        self.snapshot = scan_scratch()
        self.skeleton = skeleton()
        # Compared by a reset: the next interpreter must not inherit what the last question set.
        self.attributes = process_attributes()
        # Compared after every cell (see `sabotage`): the part a cell could use to kill or starve us.
        self.guarded = process_attributes(quick=True)
        # The interpreter inherits these; what a cell sets on it is put back after the cell (see `sabotage`).
        self.interpreter_limits = tuple((which, resource.getrlimit(which)) for which in INTERPRETER_LIMITS)
        # Their text in /proc (one read compares them all; a prlimit(2) for each cost 4 times as much).
        self.interpreter_limits_text = proc_limits_text("/proc/self/limits")
        # Its nice value and scheduling policy, which it inherits too (see `sabotage`).
        self.interpreter_scheduling = (os.getpriority(os.PRIO_PROCESS, 0), os.sched_getscheduler(0))
        # And its CPUs, which a cell can narrow (os.sched_setaffinity) and we can widen again.
        self.interpreter_cpus = os.sched_getaffinity(0)
        # The cell's stdin, stdout, stderr and code channel are open files it shares with this
        # process: a reset puts back their status flags and owner, and the sockets' send settings.
        self.streams = stream_state()
        # The part of them a cell could leave to strike the next cell, put back after every cell.
        self.shared_streams = SharedStreams()
        # The interpreter's stdin, stdout, stderr and code channel must stay these files (see `sabotage`).
        self.shared_ids = tuple((fd, (st.st_dev, st.st_ino)) for fd, st in ((fd, os.fstat(fd)) for fd in SHARED_FDS))
        # What a reset must leave in the writable folders (see `reset`).
        self.kept = {root: folders_below(root) for root in writable_roots()}
        self.root_ids = {root: (os.stat(root).st_dev, os.stat(root).st_ino) for root in self.kept}
        # Their attributes and those of the folders kept inside them ("" is the root itself), put
        # back by a reset (see clear_folder_attributes).
        self.kept_attributes = {root: {rel: folder_attributes(os.path.join(root, rel) if rel else root) for rel in ("", *kept)} for root, kept in self.kept.items()}
        self.child = None
        self.child_syscall_fd = None
        self.control = None
        self.control_reader = None
        self.child_stat_fd = None
        self.child_timers_fd = None
        self.child_limits_fd = None
        # True while the interpreter is stopped between cells (see freeze_child).
        self.frozen = False
        self.last_pid_at_run = None
        self.start_child()
        # SIGCHLD wakes select(): a frozen interpreter that is continued by anyone but us
        # (a POSIX timer or a child's exit signal set to SIGCONT) is ended at once. Made after
        # the interpreter is forked, so it never holds either end.
        self.wake_read, wake_write = os.pipe()
        os.set_blocking(self.wake_read, False)
        os.set_blocking(wake_write, False)
        signal.set_wakeup_fd(wake_write, warn_on_full_buffer=False)
        signal.signal(signal.SIGCHLD, lambda signum, frame: None)
        # Delivered only while frozen: during a cell (children ending, our own stop and
        # continue) it would only cost wake-ups.
        sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})

    def start_child(self):
        if self.control is not None:
            self.control.close()
        if self.child_stat_fd is not None:
            os.close(self.child_stat_fd)
        if self.child_timers_fd is not None:
            os.close(self.child_timers_fd)
        if self.child_limits_fd is not None:
            os.close(self.child_limits_fd)
        supervisor_end, interpreter_end = socket.socketpair()
        self.child = start_interpreter(supervisor_end, interpreter_end)
        self.child_runs = 0
        if self.child_syscall_fd is not None:
            os.close(self.child_syscall_fd)
        self.child_syscall_fd = None  # /proc/CHILD/syscall, opened on first use and re-read with pread
        self.child_stat_fd = None  # /proc/CHILD/stat, likewise
        self.child_scheduling = None  # (nice, policy) from its last read
        self.child_timers_fd = None  # /proc/CHILD/timers, likewise
        self.child_limits_fd = None  # /proc/CHILD/limits, likewise
        # The interpreter's control socket, as the host is told it (its number in the interpreter,
        # where the fork kept it, and its inode): the host's in-flight look trusts the
        # interpreter's descriptor count only while that number names this socket.
        self.child_control = [interpreter_end.fileno(), os.fstat(interpreter_end.fileno()).st_ino]
        interpreter_end.close()
        self.control = supervisor_end
        self.control_reader = LineReader(supervisor_end.fileno(), MAX_CONTROL_LINE)

    def end_child(self):
        """Kills the interpreter and everything it started; returns its wait status.

        The supervisor then reports and exits instead of forking a new interpreter: the host
        starts a fresh worker, whose processes its memory budget then knows from the start.
        """
        try:
            os.kill(self.child, signal.SIGKILL)
        except OSError:
            pass
        status = self.wait_child()
        kill_descendants()
        return status

    def wait_child(self):
        try:
            _, status = os.waitpid(self.child, 0)
            return status
        except ChildProcessError:
            return 0

    def child_idle(self):
        """True when the interpreter's main thread waits in read() for the next cell's code.

        A "done" is believed only then: a cell that sends one itself and keeps running is
        still running, so its own time limit ends it. Without /proc/PID/syscall (not Linux,
        a kernel without it) the "done" is taken as it is.
        """
        if IDLE_SYSCALL is None:
            return True
        try:
            if self.child_syscall_fd is None:
                self.child_syscall_fd = os.open("/proc/%d/syscall" % self.child, os.O_RDONLY | os.O_CLOEXEC)
            # "NR ARG0 ...": read(2) on the code channel.
            return os.pread(self.child_syscall_fd, 64, 0).startswith(IDLE_SYSCALL)
        except OSError as exc:
            # A cell can make its interpreter non-dumpable (PR_SET_DUMPABLE 0), which closes this
            # file to us: then nothing says it is idle, and a "done" it sent itself while running on
            # must not be believed (the next cell would take its time limit). Only a kernel without
            # the file (or an interpreter gone) takes the "done" as it is.
            return exc.errno not in (errno.EACCES, errno.EPERM)

    def child_stop_state(self):
        """(threads, all stopped) of the interpreter from /proc; (0, True) without /proc.

        /proc/PID/stat gives the thread count and the main thread's state; with more threads,
        each one's state is read under /proc/PID/task (threads started by `_thread` or a C
        extension are there too).
        """
        try:
            if self.child_stat_fd is None:
                self.child_stat_fd = os.open("/proc/%d/stat" % self.child, os.O_RDONLY | os.O_CLOEXEC)
            stat = os.pread(self.child_stat_fd, 1024, 0)
            fields = stat[stat.rindex(b")") + 2 :].split()
            state, threads = fields[0], int(fields[17])
            # Its main thread's nice value and policy, for `sabotage` (the last read is made stopped).
            self.child_scheduling = (int(fields[16]), int(fields[38]))
        except (OSError, ValueError, IndexError):
            return 0, True
        # Z/X: exited (the process, or only its main thread: then the others are read below).
        if state not in (b"T", b"Z", b"X"):
            return threads, False
        if threads == 1:
            return 1, True
        try:
            tasks = os.listdir("/proc/%d/task" % self.child)
        except OSError:
            return threads, False
        for task in tasks:
            try:
                with open("/proc/%d/task/%s/stat" % (self.child, task), "rb") as f:
                    stat = f.read()
                if stat[stat.rindex(b")") + 2 : stat.rindex(b")") + 3] not in (b"T", b"Z", b"X"):
                    return len(tasks), False
            except (OSError, ValueError):
                continue  # the thread is gone
        return len(tasks), True

    def freeze_child(self):
        """Stops the interpreter, every thread of it, until the next cell; its thread count.

        Python cannot kill a thread, and a daemon thread (or a signal handler, a timer) would
        otherwise run on after its cell, unwatched, while the host is idle. SIGSTOP cannot be
        caught or ignored. None when a thread did not stop in time, or the interpreter was
        continued meanwhile: the caller then ends the interpreter.
        """
        try:
            os.kill(self.child, signal.SIGSTOP)
        except OSError:
            return None
        deadline = time.monotonic() + FREEZE_WAIT
        spins = 0
        while True:
            threads, stopped = self.child_stop_state()
            if stopped:
                break
            if time.monotonic() > deadline:
                return None
            spins += 1
            if spins < 50:
                os.sched_yield()
            else:
                time.sleep(0.001)
        # Forget the notices of the cell's time (our own stop among them), then let SIGCHLD in
        # and look again: a continue after this is reported by SIGCHLD (see on_wake).
        self.child_continued()
        signal.sigtimedwait({signal.SIGCHLD}, 0)
        self.frozen = True
        sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
        if self.child_continued() or not self.child_stop_state()[1]:
            return None
        return threads

    def child_continued(self):
        """True when the interpreter was continued since this was last asked (consumes it)."""
        try:
            info = os.waitid(os.P_PID, self.child, os.WCONTINUED | os.WNOHANG)
        except (ChildProcessError, OSError, AttributeError):
            return False
        return info is not None and info.si_code == os.CLD_CONTINUED

    def thaw_child(self):
        """Continues the interpreter for the next cell."""
        if not self.frozen:
            return
        self.frozen = False
        sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
        try:
            os.kill(self.child, signal.SIGCONT)
        except OSError:
            pass

    def on_wake(self):
        """SIGCHLD: a frozen interpreter that runs again did not wait for its next cell."""
        try:
            while os.read(self.wake_read, 256):
                pass
        except OSError:
            pass
        if self.frozen and self.child_continued():
            self.end_child()
            self.gone_between_cells()

    def finish_pending(self, spin=False):
        if self.pending is None:
            return
        after = None
        if spin:
            # Scanning first gives the interpreter the moment it needs to reach read(); then
            # yield the CPU a little instead of a timed wait, which would cost ~0.2 ms a cell.
            # (Each look is a read of /proc/CHILD/syscall: the last one's answer is kept.)
            after = scan_scratch()
            end = time.monotonic() + 0.0003
            idle = self.child_idle()
            while not idle and time.monotonic() < end:
                os.sched_yield()
                idle = self.child_idle()
        else:
            idle = self.child_idle()
        if idle:
            exit_code, error = self.pending
            self.pending = None
            threads = self.freeze_child()
            detail = "a thread the cell left running did not stop after the cell" if threads is None else self.shared_streams.put_back() or self.sabotage()
            if detail is not None:
                self.end_child()
                self.finish(exit_code, "protocol", after=None, detail=detail, final=True)
                self.ended = True
                return
            if threads > 1:
                # Scanned again: the threads may have written since the scan above. The model is
                # told about the threads that run Python code, not about idle native pools.
                python_threads = self.pending_threads
                if python_threads > 0:
                    self.finish(exit_code, error, after=None, threads=python_threads)
                else:
                    self.finish(exit_code, error, after=None)
            else:
                self.finish(exit_code, error, after=after)

    def sabotage(self):
        """What the cell that just ended (its interpreter frozen) left to strike during a later
        cell, or None: lowered limits or scheduling of this supervisor (it would die or starve at
        the next request), or a timer whose signal would end or stop the interpreter. The cell
        that did it is told so, never the innocent next one; ~4 µs a cell."""
        if process_attributes(quick=True) != self.guarded:
            return "the cell changed the sandbox supervisor's limits or scheduling (prlimit, nice, CPU affinity or policy), which could kill or starve it during a later cell"
        # The interpreter's own limits (INTERPRETER_LIMITS), as a script's end with its run: put
        # back when its /proc text differs from the start's. A lowered hard limit cannot be raised
        # again (EPERM, without CAP_SYS_RESOURCE): every later cell would be held to it, so the
        # cell that lowered it is told.
        child = self.child
        limits = self.child_limits_text()
        if limits is None or limits != self.interpreter_limits_text:
            for which, start in self.interpreter_limits:
                try:
                    if resource.prlimit(child, which) != start:
                        resource.prlimit(child, which, start)
                except (OSError, ValueError):
                    if which == getattr(resource, "RLIMIT_CPU", None):
                        return "the cell lowered the interpreter's own limits (a hard CPU-time limit RLIMIT_CPU with resource.setrlimit), which would kill it during a later cell"
                    return "the cell lowered the interpreter's own limits (a hard %s limit with resource.setrlimit), which cannot be raised again and would hold every later cell to it" % INTERPRETER_LIMITS[which]
        # The interpreter's scheduling: a nice value raised or SCHED_IDLE (both allowed to the
        # process itself, neither undone without CAP_SYS_NICE) would starve every later cell into
        # its time limit whenever anything else runs. Read from the /proc/PID/stat the freeze
        # read last (no syscall of its own).
        try:
            scheduling = self.child_scheduling or (os.getpriority(os.PRIO_PROCESS, child), os.sched_getscheduler(child))
            if scheduling != self.interpreter_scheduling:
                return "the cell lowered the interpreter's own scheduling (os.nice, os.setpriority or os.sched_setscheduler), which cannot be undone and would starve every later cell"
            # Its CPUs, which a script's end takes with it: narrowed to one (os.sched_setaffinity),
            # they held every later cell's processes and threads to that CPU. Put back (~1 µs a cell).
            if os.sched_getaffinity(child) != self.interpreter_cpus:
                os.sched_setaffinity(child, self.interpreter_cpus)
        except OSError:
            pass
        # A descriptor table cannot be mended from outside: stdout or stderr the cell closed or
        # pointed elsewhere (dup2 of /dev/null, of a file) would silence every later cell; a pipe of
        # its own put at the code channel (fd 5) made the interpreter wait there for the next cell's
        # code, which never came (the innocent next cell "timed out"), and one put at stdin made a
        # later cell that reads its input wait until its time limit.
        for fd, ident in self.shared_ids:
            if not same_open_file(self.child, fd, ident):
                name, harm = SHARED_FDS[fd]
                return "the cell closed or replaced the interpreter's %s (file descriptor %d), which %s (restore it with os.dup2 from a copy made with os.dup before the cell ends)" % (name, fd, harm)
        try:
            if self.child_timers_fd is None:
                self.child_timers_fd = os.open("/proc/%d/timers" % self.child, os.O_RDONLY | os.O_CLOEXEC)
            timers = os.pread(self.child_timers_fd, 1 << 16, 0)
        except OSError:
            timers = b""  # no /proc/PID/timers (kernel without CONFIG_CHECKPOINT_RESTORE): interval timers only
        if not timers and not self.pending_itimers:
            return None
        signals = list(self.pending_itimers) + timer_signals(timers)
        try:
            with open("/proc/%d/status" % self.child, "rb") as f:
                status = f.read()
        except OSError:
            status = b""
        handled = signal_mask_field(status, b"SigCgt") | signal_mask_field(status, b"SigIgn")
        for signo in signals:
            if signo in UNCATCHABLE_SIGNALS or (signo not in HARMLESS_SIGNALS and 0 < signo <= 64 and not handled >> (signo - 1) & 1):
                try:
                    name = signal.Signals(signo).name
                except ValueError:
                    name = "signal %d" % signo
                return "the cell left a timer that would send %s to the interpreter after the cell ended (cancel it with signal.setitimer(..., 0) or timer_delete before the cell ends)" % name
        return None

    def child_limits_text(self):
        """The interpreter's /proc/PID/limits text, or None when it cannot be read."""
        try:
            if self.child_limits_fd is None:
                self.child_limits_fd = os.open("/proc/%d/limits" % self.child, os.O_RDONLY | os.O_CLOEXEC)
            return os.pread(self.child_limits_fd, 1 << 14, 0)
        except OSError:
            return None

    def finish(self, exit_code, error, after=None, **extra):
        nonce, _ = self.current
        self.current = None
        self.pending = None
        # The supervisor lists what changed (it sees scratch as the cell does, and never
        # follows a link); the host re-checks every file before it copies one out.
        if after is None:
            after = scan_scratch()
        artifacts = changed_files(self.snapshot, after)
        self.snapshot = after
        marker = ("\0" + nonce + "\0").encode("ascii")
        # A stream the host has already read to its end needs no marker: it is told so (one
        # write and one wake-up fewer, for most cells' stderr).
        drained = []
        for fd, name in ((1, "stdout"), (2, "stderr")):
            if unread_bytes(fd) == 0:
                drained.append(name)
                continue
            write_all(fd, marker)
        # Whether any process (or thread) was made during the cell: only then can something
        # of it have written after its end (the host then reads the streams dry first).
        spawned = self.last_pid_at_run is None or last_pid() != self.last_pid_at_run
        message = {"type": "done", "id": nonce, "exitCode": exit_code, "error": error, "artifacts": artifacts, "drained": drained, "spawned": spawned}
        message.update(extra)
        send_line(REP_FD, message)

    def on_request(self, line):
        try:
            message = json.loads(line)
        except ValueError:
            return
        kind = message.get("type")
        if kind == "run" and self.current is None:
            self.last_pid_at_run = last_pid()
            self.thaw_child()
            # The interpreter reads the code itself (fd 5); it counts its cells as we do.
            self.child_runs += 1
            self.current = (str(message.get("id")), self.child_runs)
        elif kind == "interrupt":
            if self.current is not None and self.current[0] == message.get("id"):
                send_interrupt(self.child, self.current[1])
        elif kind == "reap":
            # The interpreter waits for its own children when the host then sends it "reap".
            kill_descendants(spare=(self.child,))
            send_line(REP_FD, {"type": "reaped"})
        elif kind == "reset" and self.current is None:
            detail = self.reset()
            reply = {"type": "reset", "ok": detail is None, "pid": self.child, "control": self.child_control}
            if detail is not None:
                reply["detail"] = detail[:500]
            send_line(REP_FD, reply)
            if detail is not None:
                self.ended = True

    def reset(self):
        """Makes this sandbox as a fresh one would be for the next question of an evaluation:
        every process but this supervisor (and bubblewrap's init) killed, every writable folder
        emptied, and a new interpreter forked from this process, which never ran user code (so
        no module, variable, environment change or signal handler of the last question is
        there). None when done, else why not: the worker then ends and the host starts a fresh
        sandbox."""
        self.frozen = False
        sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
        self.end_child()
        kill_everything_else()
        try:
            # Nothing but the host writes the code channel; a cell that never read its code
            # must not hand it to the next interpreter.
            os.set_blocking(CODE_FD, False)
            while os.read(CODE_FD, 1 << 16):
                pass
        except (BlockingIOError, InterruptedError):
            pass
        except OSError as exc:
            return "the code channel failed (%s)" % exc
        finally:
            os.set_blocking(CODE_FD, True)
        if others_alive():
            return "a process of the last question could not be killed"
        if process_attributes() != self.attributes:
            return "the last question changed the supervisor's limits or scheduling"
        detail = restore_streams(self.streams)
        if detail is not None:
            return detail
        for root, kept in self.kept.items():
            try:
                # The folder itself, never a link or another folder put at its name (on the basic
                # tier $HOME and $TMPDIR are a host folder the code could rename and replace).
                fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
                try:
                    st = os.fstat(fd)
                    if (st.st_dev, st.st_ino) != self.root_ids[root]:
                        return "%s was replaced" % root
                    attributes = self.kept_attributes[root]
                    empty_folder(fd, st.st_dev, attributes)
                    clear_folder_attributes(fd, attributes[""])
                finally:
                    os.close(fd)
            except (OSError, RecursionError) as exc:
                return "%s could not be emptied (%s)" % (root, exc)
            if folders_below(root) != kept:
                return "%s could not be emptied" % root
        if skeleton() != self.skeleton:
            return "the last question changed a folder outside scratch, /tmp and home"
        if left_connections():
            return "the last question left TCP connections in the sandbox's network namespace"
        try:
            while os.read(self.wake_read, 256):
                pass
        except OSError:
            pass
        EMPTY_SCAN["mtime"] = None
        self.snapshot = scan_scratch()
        self.start_child()
        return None

    def on_control(self):
        lines = self.control_reader.read()
        if lines is None:
            self.on_child_gone()
            return
        if self.control_reader.overflow:
            self.on_violation("the cell wrote to the interpreter's control channel")
            return
        for line in lines:
            try:
                message = json.loads(line)
                seq = int(message["seq"])
            except (ValueError, KeyError, TypeError):
                self.on_violation("the cell wrote to the interpreter's control channel")
                return
            if self.current is not None and message.get("type") == "done" and seq == self.current[1]:
                error = message.get("error")
                self.pending = (int(message.get("exitCode", 1)), error if error in ("interrupted", "memory", "file-size") else None)
                # Only the notice depends on this count (the freeze covers every thread), so a
                # cell that lies about it misleads only itself.
                reported = message.get("threads", 0)
                self.pending_threads = min(max(reported, 0), 10000) if isinstance(reported, int) else 0
                itimers = message.get("itimers", ())
                self.pending_itimers = [signo for signo in itimers[:3] if isinstance(signo, int)] if isinstance(itimers, list) else ()
                self.finish_pending(spin=True)
            else:
                # A "done" for a cell that already ended: that cell forged its end and kept running.
                self.on_violation("an earlier cell reported its end and kept running")
                return

    def on_violation(self, reason):
        self.end_child()
        if self.current is not None:
            self.finish(1, "protocol", detail=reason, final=True)
        self.ended = True

    def on_child_gone(self):
        """The interpreter exited (os._exit, a crash, a signal): report it; the worker ends."""
        status = self.end_child()
        if self.current is not None:
            if os.WIFEXITED(status) and os.WEXITSTATUS(status) == LOOP_FAILED:
                self.finish(1, "protocol", detail=LOOP_FAILED_DETAIL, final=True)
            elif os.WIFEXITED(status) and os.WEXITSTATUS(status) == LOOP_OUT_OF_MEMORY:
                self.finish(1, "memory", final=True)
            elif os.WIFEXITED(status):
                self.finish(os.WEXITSTATUS(status), None, exited=True, final=True)
            else:
                self.finish(1, "crashed", signal=os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0, final=True)
            self.ended = True
        else:
            self.gone_between_cells()

    def gone_between_cells(self):
        """The interpreter ended between cells: the worker ends. Said on the reply channel first
        (host protocol "gone"): a "run" the host sent meanwhile was not read, so its cell never
        ran and the host may give it to a fresh worker instead of reporting it lost."""
        try:
            send_line(REP_FD, {"type": "gone"})
        except OSError:
            pass
        self.ended = True

    def loop(self):
        requests = LineReader(REQ_FD, MAX_REQUEST_LINE)
        send_line(REP_FD, {"type": "ready", "pid": os.getpid(), "uid": os.getuid(), "python": sys.version.split()[0], "control": self.child_control})
        while True:
            # While a "done" waits for the interpreter to be idle, look again soon (0.2 ms,
            # backing off to 20 ms: a cell that forged it may run on for long).
            wait = None
            if self.pending is not None:
                self.pending_wait = min(0.02, self.pending_wait * 2) if self.pending_wait else 0.0002
                wait = self.pending_wait
            else:
                self.pending_wait = 0
            readable, _, _ = select.select([REQ_FD, self.control, self.wake_read], [], [], wait)
            if self.wake_read in readable:
                self.on_wake()
                if self.ended:
                    return
            # Requests first: the host sends a cell's "run" here before its code to the
            # interpreter, so its "done" never arrives before the cell is known.
            if REQ_FD in readable:
                lines = requests.read()
                if lines is None:
                    break
                for line in lines:
                    self.on_request(line)
            if self.control in readable:
                self.on_control()
            if self.ended:
                return
            self.finish_pending()
        try:
            os.kill(self.child, signal.SIGKILL)
        except OSError:
            pass
        kill_descendants()


def main():
    drop_privileges()
    set_limits()
    become_subreaper()
    # Nothing of the host's protocol must be reachable through /proc/<this pid>. (Before the
    # filter, which refuses dumpable 0 to the sandbox's code.)
    prctl(PR_SET_DUMPABLE, 0)
    install_seccomp()
    for fd in (REQ_FD, REP_FD, CODE_FD):
        os.set_inheritable(fd, False)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    Supervisor().loop()


if __name__ == "__main__":
    main()
