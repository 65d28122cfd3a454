"""Long-lived Python worker for one conversation (spawned by src/sandbox).

Protocol (never on stdout/stderr, so print() output cannot be mistaken for it):
  fd 3  parent -> worker  JSON lines: {"type":"run","id":NONCE,"code":STR}
                                      {"type":"interrupt","id":NONCE}
                                      {"type":"configure","cwd":STR,"home":STR}
                                      {"type":"reap"}
  fd 4  worker -> parent  JSON lines: {"type":"ready",...} / {"type":"done","id":NONCE,...}
The cell's own output goes to fd 1/2; at the end of each cell the worker writes
"\\0" + NONCE + "\\0" on both streams so the parent knows where the cell's output ends.
The nonce is random per cell; code running in this process could still find it in
memory and forge its *own* result, which gains it nothing: the boundary is the
sandbox around this process, not this protocol.
"""

import ctypes
import json
import linecache
import os
import queue
import resource
import signal
import sys
import threading
import traceback

ARGS = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
REQ_FD = 3
REP_FD = 4
WORKER_PID = os.getpid()
PR_SET_CHILD_SUBREAPER = 36


def set_limits():
    # Set before any user code runs; the parent enforces wall clock and output.
    mem = int(ARGS.get("memoryBytes", 0))
    if mem > 0:
        resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    fsize = int(ARGS.get("fileSizeBytes", 0))
    if fsize > 0:
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
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


def become_subreaper():
    # Orphaned grandchildren (setsid / start_new_session) are re-parented to us,
    # so the parent can still find them by ancestry and kill them. Linux only.
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def descendants():
    """Pids whose ancestry leads to this process (Linux /proc scan)."""
    parents = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry, "rb") as f:
                stat = f.read()
            ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        parents[int(entry)] = ppid
    me = os.getpid()
    found = []
    frontier = [me]
    while frontier:
        current = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == current and pid != me:
                found.append(pid)
                frontier.append(pid)
    return found


def kill_descendants():
    """Kill every process this worker (and its cells) started; reap the zombies."""
    for _ in range(50):
        pids = descendants()
        if ARGS.get("pidNamespace"):
            # Alone in our pid namespace (bwrap's init is pid 1): -1 reaches every
            # other sandbox process and nothing outside it.
            try:
                os.kill(-1, signal.SIGKILL)
            except OSError:
                pass
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        reap_zombies()
        if not pids:
            return


def reap_zombies():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        except OSError:
            return
        if pid == 0:
            return


class Worker:
    def __init__(self):
        self.rep = os.fdopen(REP_FD, "w", encoding="utf-8", closefd=True)
        self.req = os.fdopen(REQ_FD, "r", encoding="utf-8", closefd=True)
        # Subprocesses started by user code must not inherit the protocol pipes.
        os.set_inheritable(REQ_FD, False)
        os.set_inheritable(REP_FD, False)
        self.inbox = queue.Queue()
        self.running_id = None
        self.lock = threading.Lock()
        self.main_thread = threading.main_thread().ident
        self.namespace = self.fresh_namespace()
        self.cell_count = 0
        self.stateless = ARGS.get("mode") == "stateless"

    @staticmethod
    def fresh_namespace():
        return {"__name__": "__main__", "__builtins__": __builtins__}

    def send(self, message):
        with self.lock:
            self.rep.write(json.dumps(message) + "\n")
            self.rep.flush()

    def read_requests(self):
        # A thread, so an interrupt can arrive while a cell runs in the main thread.
        for line in self.req:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if message.get("type") == "interrupt":
                with self.lock:
                    running = self.running_id is not None and self.running_id == message.get("id")
                if running:
                    # A real SIGINT to the main thread also wakes blocking calls (sleep, read).
                    signal.pthread_kill(self.main_thread, signal.SIGINT)
                continue
            self.inbox.put(message)
        self.inbox.put(None)

    def on_sigint(self, signum, frame):
        # Only a running cell is interrupted; between cells SIGINT is ignored so the
        # worker loop itself can never be broken by a late interrupt.
        if self.running_id is not None:
            raise KeyboardInterrupt

    def run_cell(self, nonce, code):
        self.cell_count += 1
        filename = "<cell-%d>" % self.cell_count
        lines = code.splitlines(True)
        linecache.cache[filename] = (len(code), None, lines, filename)
        if self.stateless:
            self.namespace = self.fresh_namespace()
        exit_code = 0
        error = None
        try:
            try:
                with self.lock:
                    self.running_id = nonce
                compiled = compile(code, filename, "exec")
                exec(compiled, self.namespace)
            finally:
                if os.getpid() != WORKER_PID:
                    # A child the cell forked fell out of the cell's code: it must not
                    # continue as a second worker (or answer for this cell).
                    os._exit(0)
                with self.lock:
                    self.running_id = None
        except SystemExit as exc:
            if exc.code is None:
                exit_code = 0
            elif isinstance(exc.code, int):
                exit_code = exc.code
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
        self.finish(nonce, exit_code, error)

    @staticmethod
    def print_exception(info):
        etype, value, tb = info
        try:
            # Hide the worker's own frames (exec, the SIGINT handler): the traceback is the cell's.
            te = traceback.TracebackException(etype, value, tb)
            te.stack = traceback.StackSummary.from_list([f for f in te.stack if f.filename != __file__])
            sys.stderr.write("".join(te.format()))
        except MemoryError:
            sys.stderr.write("%s\n" % etype.__name__)

    def finish(self, nonce, exit_code, error):
        marker = ("\0" + nonce + "\0").encode("ascii")
        for stream, fd in ((sys.stdout, 1), (sys.stderr, 2)):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
            try:
                os.write(fd, marker)
            except OSError:
                pass
        self.send({"type": "done", "id": nonce, "exitCode": exit_code, "error": error})

    def configure(self, message):
        cwd = message.get("cwd")
        if cwd:
            os.chdir(cwd)
        home = message.get("home")
        if home:
            os.environ["HOME"] = home

    def loop(self):
        reader = threading.Thread(target=self.read_requests, daemon=True)
        reader.start()
        self.send({"type": "ready", "pid": os.getpid(), "uid": os.getuid(), "python": sys.version.split()[0]})
        while True:
            message = self.inbox.get()
            if message is None:
                break
            kind = message.get("type")
            if kind == "run":
                self.run_cell(str(message.get("id")), str(message.get("code", "")))
            elif kind == "configure":
                try:
                    self.configure(message)
                    self.send({"type": "configured"})
                except OSError as exc:
                    self.send({"type": "configured", "error": str(exc)})
            elif kind == "reap":
                kill_descendants()
                self.send({"type": "reaped"})
        kill_descendants()


def close_protocol_fds_in_child():
    # Children forked by user code never speak the protocol: without the fds they cannot
    # forge a reply or steal requests.
    for fd in (REQ_FD, REP_FD):
        try:
            os.close(fd)
        except OSError:
            pass


def main():
    drop_privileges()
    set_limits()
    become_subreaper()
    worker = Worker()
    os.register_at_fork(after_in_child=close_protocol_fds_in_child)
    signal.signal(signal.SIGINT, worker.on_sigint)
    # The worker's own module state must not be what user code sees as __main__.
    sys.argv = [""]
    worker.loop()


if __name__ == "__main__":
    main()
