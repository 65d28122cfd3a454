// Red team on the reset between questions of an evaluation (issue 10 item 6: every question starts
// from an interpreter and folders no other question's code touched). What a reset keeps rather
// than makes anew carried a question's changes to the next one:
// - the writable folders themselves (scratch, home, /tmp, /dev/shm): extended attributes and
//   permission bits a question set on them were still there (user.* values of up to 64 KiB each),
//   a channel from one question's code to a later one;
// - the code channel, a socket every later interpreter reads: a receive low-water mark left on it
//   made every cell of the next question time out, a receive timeout made the next question's
//   interpreter end itself (its first cell said the state was lost), and one shut down for reading
//   ended it at once.
// - the network namespace (isolated tier): a connection the question closed first stayed in
//   TIME_WAIT with no process holding it, so the next question's server on that port failed with
//   "Address already in use" and its /proc/net/tcp listed the last question's ports.
// Both tiers, real Python; on the basic tier only the sandbox's own folders are touched (never the
// host's /dev/shm).
import { afterAll, describe, expect, it } from 'vitest';
import type { PythonCodeRunner } from '../../../src/sandbox/runner';
import { IS_ROOT, REQUIRED_TIERS, removeDir, startRunner, tempDir } from './helpers';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

/** The folders a reset keeps, as the cell sees them (/dev/shm only inside the isolated sandbox). */
const FOLDERS = `
import json, os, tempfile
folders = sorted({os.path.realpath(d) for d in (".", tempfile.gettempdir(), os.path.expanduser("~"))})
if os.environ.get("HOME") == "/home/sandbox":
    folders.append("/dev/shm")
`;

describe.each(REQUIRED_TIERS)('what a question leaves on the folders a reset keeps (%s tier)', (tier) => {
  it('extended attributes and permission bits set on scratch, home, /tmp and /dev/shm are gone for the next question', async () => {
    const root = tempDir('reset-attributes');
    dirs.push(root);
    const runner = (await startRunner(tier, { mode: 'stateless', scratchDir: `${root}/scratch` })) as PythonCodeRunner;
    try {
      const before = await runner.runCell(`${FOLDERS}print(json.dumps({d: oct(os.stat(d).st_mode) for d in folders}))`);
      const left = await runner.runCell(
        `${FOLDERS}set_on = []
for d in folders:
    try:
        os.setxattr(d, "user.r1ci-left", b"left by the last question")
        set_on.append(d)
    except OSError:
        pass
    try:
        os.chmod(d, 0o751)
    except OSError:
        pass
print(json.dumps(set_on))`,
      );
      // The attack really left something: scratch (ext4 here) and the tmpfs mounts take user.* attributes.
      expect((JSON.parse(left.stdout) as string[]).length).toBeGreaterThan(0);
      expect(await runner.reset()).toBe(true);
      const after = await runner.runCell(
        `${FOLDERS}found = {}
for d in folders:
    try:
        found[d] = os.getxattr(d, "user.r1ci-left").decode()
    except OSError:
        pass
print(json.dumps(found))
print(json.dumps({d: oct(os.stat(d).st_mode) for d in folders}))`,
      );
      const [attributes, modes] = after.stdout.trim().split('\n');
      expect(JSON.parse(attributes ?? '')).toEqual({});
      expect(modes).toBe(before.stdout.trim());
    } finally {
      await runner.dispose();
    }
  });

  it('file attribute flags (chattr: synchronous writes, no access times) set on the kept folders are gone for the next question', async () => {
    const root = tempDir('reset-flags');
    dirs.push(root);
    const runner = (await startRunner(tier, { mode: 'stateless', scratchDir: `${root}/scratch` })) as PythonCodeRunner;
    // FS_IOC_GETFLAGS / FS_IOC_SETFLAGS (linux/fs.h; the kernel reads and writes an int).
    const FLAGS = `${FOLDERS}import fcntl, struct
GET, SET = (2 << 30) | (struct.calcsize("l") << 16) | 0x6601, (1 << 30) | (struct.calcsize("l") << 16) | 0x6602
def flags(d):
    fd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
    try:
        return struct.unpack("i", fcntl.ioctl(fd, GET, bytes(4)))[0]
    except OSError:
        return None
    finally:
        os.close(fd)
`;
    try {
      const before = await runner.runCell(`${FLAGS}print(json.dumps({d: flags(d) for d in folders}))`);
      // FS_SYNC_FL | FS_NOATIME_FL | FS_DIRSYNC_FL: ext4 hands them on to every file made in the
      // folder, so each write of the next question would wait for the disk (5x slower here).
      const left = await runner.runCell(
        `${FLAGS}set_on = []
for d in folders:
    fd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.ioctl(fd, SET, struct.pack("i", flags(d) | 0x8 | 0x80 | 0x10000))
        set_on.append(d)
    except (OSError, TypeError):
        pass
    finally:
        os.close(fd)
print(json.dumps(set_on))`,
      );
      expect((JSON.parse(left.stdout) as string[]).length).toBeGreaterThan(0);
      expect(await runner.reset()).toBe(true);
      const after = await runner.runCell(`${FLAGS}print(json.dumps({d: flags(d) for d in folders}))`);
      expect(after.stdout).toBe(before.stdout);
    } finally {
      await runner.dispose();
    }
  });

  it.each([
    ['a receive low-water mark', 'SO_RCVLOWAT, 1 << 20'],
    ['a receive timeout', 'SO_RCVTIMEO, struct.pack("ll", 0, 300000)'],
  ])('%s left on the code channel does not reach the next question', async (_what, option) => {
    const runner = (await startRunner(tier, { mode: 'stateless', limits: { timeoutMs: 5_000 } })) as PythonCodeRunner;
    try {
      const left = await runner.runCell(`import socket, struct\ns = socket.socket(fileno=5)\ns.setsockopt(socket.SOL_SOCKET, socket.${option})\ns.detach()\nprint("set")`);
      expect(left.stdout).toBe('set\n');
      expect(await runner.reset()).toBe(true);
      // Long enough for a receive timeout to end an interpreter waiting for its first cell.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      for (const expected of ['42\n', '43\n']) {
        const next = await runner.runCell(`print(${expected.trim()})`);
        expect(next.stdout).toBe(expected);
        expect(next.killed).toBeUndefined();
        expect(next.notice).toBeUndefined();
      }
    } finally {
      await runner.dispose();
    }
  });

  // flock(2) and open-file-description (F_OFD_SETLK) locks belong to the open file, and stdin,
  // stdout, stderr and the code channel are open files the supervisor shares with every
  // interpreter: those a question took outlived it. Byte ranges of any start and length (listed in
  // /proc/locks) carried any data to the next question, and a flock on stdin (the host's /dev/null)
  // made the next question's own flock of /dev/null fail.
  it('locks taken and the I/O signal set through stdin, stdout, stderr and the code channel are gone for the next question', async () => {
    const runner = (await startRunner(tier, { mode: 'stateless' })) as PythonCodeRunner;
    try {
      const left = await runner.runCell(
        `import fcntl, json, os, struct
taken = []
for fd in (0, 1, 2, 5):
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        taken.append("flock %d" % fd)
    except OSError:
        pass
    # F_OFD_SETLK (37): a write lock on bytes 4242 + fd .. + 7 (needs the file open for writing: not stdin).
    try:
        fcntl.fcntl(fd, 37, struct.pack("hhqqi", fcntl.F_WRLCK, 0, 4242 + fd, 7, 0))
        taken.append("ofd %d" % fd)
    except OSError:
        pass
    # F_SETSIG (10): the signal of the open file's I/O notices, read back with F_GETSIG (11).
    fcntl.fcntl(fd, 10, 40 + fd)
    taken.append("sig %d" % fcntl.fcntl(fd, 11))
print(json.dumps(taken))`,
      );
      expect(JSON.parse(left.stdout) as string[]).toEqual(expect.arrayContaining(['flock 0', 'flock 1', 'ofd 1', 'ofd 5', 'sig 40', 'sig 45']));
      expect(await runner.reset()).toBe(true);
      const after = await runner.runCell(
        `import fcntl, json, os
# /proc/locks names a file "MAJOR:MINOR:INODE", the device numbers in hex.
ids = {"%02x:%02x:%d" % (os.major(st.st_dev), os.minor(st.st_dev), st.st_ino) for st in map(os.fstat, (0, 1, 2, 5))}
listed = [line for line in open("/proc/locks").read().splitlines() if ids & set(line.split())]
fd = os.open("/dev/null", os.O_RDONLY)
try:
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    devnull = "free"
except OSError as error:
    devnull = str(error)
print(json.dumps({"listed": listed, "devnull": devnull, "signals": [fcntl.fcntl(fd, 11) for fd in (0, 1, 2, 5)]}))`,
      );
      expect(JSON.parse(after.stdout), after.stderr).toEqual({ listed: [], devnull: 'free', signals: [0, 0, 0, 0] });
    } finally {
      await runner.dispose();
    }
  });

  // The output sockets and the code channel are sockets the supervisor shares with every
  // interpreter: what a question set on them (beyond the buffers, timeouts and low-water mark put
  // back already) was there for the next question to read. A socket filter (classic BPF, 4,096
  // instructions whose constants are any data; SO_LOCK_FILTER keeps it from being taken off) and
  // the plain options (SO_LINGER's seconds, SO_PEEK_OFF, SO_PRIORITY, flags) carried data to it.
  it.each([
    ['a filter that can be taken off', false],
    ['a locked filter (the reset refuses: a fresh sandbox)', true],
  ])('socket options and %s set on stdout, stderr and the code channel do not reach the next question', async (_what, lock) => {
    const root = tempDir('reset-socket-state');
    dirs.push(root);
    // SOL_SOCKET options by their Linux numbers (Python names only some), with a value a question
    // may set and how many bytes getsockopt gives (4: an int).
    const STATE = `import ctypes, json, socket, struct
libc = ctypes.CDLL(None, use_errno=True)
OPTIONS = {"SO_KEEPALIVE": (9, 1), "SO_OOBINLINE": (10, 1), "SO_PRIORITY": (12, 5), "SO_LINGER": (13, struct.pack("ii", 1, 31337)),
           "SO_PASSCRED": (16, 1), "SO_REUSEADDR": (2, 1), "SO_REUSEPORT": (15, 1), "SO_BROADCAST": (6, 1), "SO_DONTROUTE": (5, 1),
           "SO_PASSSEC": (34, 1), "SO_TIMESTAMP": (29, 1), "SO_TIMESTAMPNS": (35, 1), "SO_PEEK_OFF": (42, 4242)}
def state(fd):
    sock = socket.socket(fileno=fd)
    try:
        found = {name: sock.getsockopt(socket.SOL_SOCKET, number, 16).hex() for name, (number, _) in OPTIONS.items()}
    finally:
        sock.detach()
    # SO_GET_FILTER (26): the number of instructions attached.
    length = ctypes.c_uint(0)
    libc.getsockopt(fd, 1, 26, None, ctypes.byref(length))
    found["filter"] = length.value
    return found
`;
    let runner = (await startRunner(tier, { mode: 'stateless', scratchDir: `${root}/scratch` })) as PythonCodeRunner;
    try {
      const fresh = await runner.runCell(`${STATE}print(json.dumps({fd: state(fd) for fd in (1, 2, 5)}))`);
      const left = await runner.runCell(
        `${STATE}
# 64 instructions "ld #k" carrying data, then "ret #-1" (accept all: stream sockets do not run it anyway).
program = (ctypes.c_uint64 * 65)(*([struct.unpack("Q", struct.pack("HBBI", 0x00, 0, 0, 0x51000000 + i))[0] for i in range(64)] + [struct.unpack("Q", struct.pack("HBBI", 0x06, 0, 0, 0xFFFFFFFF))[0]]))
class Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]
fprog = Program(65, ctypes.addressof(program))
for fd in (1, 2, 5):
    sock = socket.socket(fileno=fd)
    try:
        for name, (number, value) in OPTIONS.items():
            try:
                sock.setsockopt(socket.SOL_SOCKET, number, value)
            except OSError:
                pass
    finally:
        sock.detach()
    libc.setsockopt(fd, 1, 26, ctypes.byref(fprog), ctypes.sizeof(fprog))  # SO_ATTACH_FILTER
    if ${lock ? 'True' : 'False'}:
        libc.setsockopt(fd, 1, 44, ctypes.byref(ctypes.c_int(1)), 4)  # SO_LOCK_FILTER
print(json.dumps({fd: state(fd) for fd in (1, 2, 5)}))`,
      );
      // The question really changed them.
      expect(left.stdout, left.stderr).not.toBe(fresh.stdout);
      expect(left.stdout, JSON.stringify([left.stderr, left.killMessage, left.exitCode])).toContain('"filter": 65');
      // As an evaluation does: the same sandbox when the reset succeeds, a fresh one when it refuses.
      const reset = await runner.reset();
      expect(reset).toBe(!lock);
      if (!reset) {
        await runner.dispose();
        runner = (await startRunner(tier, { mode: 'stateless', scratchDir: `${root}/scratch-fresh` })) as PythonCodeRunner;
      }
      const next = await runner.runCell(`${STATE}print(json.dumps({fd: state(fd) for fd in (1, 2, 5)}))`);
      expect(next.stdout, next.stderr).toBe(fresh.stdout);
    } finally {
      await runner.dispose();
    }
  });

  it('the device stdout, stderr and the code channel were bound to (SO_BINDTODEVICE) does not reach the next question', async () => {
    // As root the cell may bind them (both tiers); the next question read the device's name back.
    // Put back where the supervisor may, else the reset refuses (a fresh sandbox).
    const DEVICES =
      'import json, socket\ndef device(fd):\n    s = socket.socket(fileno=fd)\n    try:\n        return s.getsockopt(socket.SOL_SOCKET, 25, 16).hex()\n    finally:\n        s.detach()\nprint(json.dumps([device(fd) for fd in (1, 2, 5)]))';
    const runner = (await startRunner(tier, { mode: 'stateless' })) as PythonCodeRunner;
    try {
      const fresh = await runner.runCell(DEVICES);
      expect(fresh.stdout, fresh.stderr).toBe('["", "", ""]\n');
      const left = await runner.runCell(
        `import socket\nfor fd in (1, 2, 5):\n    s = socket.socket(fileno=fd)\n    try:\n        s.setsockopt(socket.SOL_SOCKET, 25, b"lo")\n    except OSError as e:\n        print(e)\n    finally:\n        s.detach()\n${DEVICES}`,
      );
      if (IS_ROOT) expect(left.stdout, left.stderr).toBe('["6c6f00", "6c6f00", "6c6f00"]\n');
      if (await runner.reset()) expect((await runner.runCell(DEVICES)).stdout).toBe(fresh.stdout);
    } finally {
      await runner.dispose();
    }
  });

  it('a code channel shut down for reading is not handed on: the reset refuses, and the evaluation starts a fresh sandbox', async () => {
    const runner = (await startRunner(tier, { mode: 'stateless' })) as PythonCodeRunner;
    try {
      const left = await runner.runCell('import socket\ns = socket.socket(fileno=5)\ns.shutdown(socket.SHUT_RD)\ns.detach()\nprint("shut")');
      expect(left.stdout).toBe('shut\n');
      expect(await runner.reset()).toBe(false);
    } finally {
      await runner.dispose();
    }
  });

  it.each([
    ['stdout shut down for reading', 1, 'SHUT_RD'],
    ['stderr shut down for reading', 2, 'SHUT_RD'],
    ['the code channel shut down for writing', 5, 'SHUT_WR'],
  ] as const)('%s is not handed on (a bit the next question could read): the reset refuses', async (_what, fd, how) => {
    const runner = (await startRunner(tier, { mode: 'stateless' })) as PythonCodeRunner;
    try {
      // What the next question would read: EOF for a stream shut for reading, EPIPE for one shut for writing.
      const probe = (label: string): string =>
        `import errno, socket\ns = socket.socket(fileno=${fd})\ntry:\n    ${how === 'SHUT_RD' ? 'r = s.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)' : 'r = s.send(b"", socket.MSG_DONTWAIT | socket.MSG_NOSIGNAL)'}\n    print("${label}", "shut" if r == b"" else "open")\nexcept BlockingIOError:\n    print("${label}", "open")\nexcept BrokenPipeError:\n    print("${label}", "shut")\nfinally:\n    s.detach()`;
      const before = await runner.runCell(probe('before'));
      expect(before.stdout).toBe('before open\n');
      const left = await runner.runCell(`import socket\ns = socket.socket(fileno=${fd})\ns.shutdown(socket.${how})\ns.detach()\nprint("shut")`);
      expect(left.stdout, left.stderr).toBe('shut\n');
      const reset = await runner.reset();
      // Handed on, the next question read the bit back.
      const next = reset ? (await runner.runCell(probe('next'))).stdout : 'refused';
      expect(next).toBe('refused');
    } finally {
      await runner.dispose();
    }
  });
});

/** Tries to leave a file and a folder in every folder of the sandbox's own root and /dev file systems (what no reset empties); prints where it could. */
const LEAVE_IN_SKELETON = `
import json, os, stat
left = []
for top in ("/", "/dev"):
    dev = os.lstat(top).st_dev
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for made in (lambda p: os.close(os.open(p, os.O_CREAT | os.O_WRONLY, 0o600)), os.mkdir):
            path = os.path.join(folder, ".left-by-question-1" + ("" if made is os.mkdir else ".txt"))
            try:
                made(path)
                left.append(path)
            except OSError:
                pass
        for name in names:
            path = os.path.join(folder, name)
            st = os.lstat(path)
            if stat.S_ISDIR(st.st_mode) and st.st_dev == dev:
                stack.append(path)
print(json.dumps(left))
`;

describe('what a question leaves outside the folders a reset empties (isolated tier)', () => {
  // The reset compares the sandbox's own root and /dev folders only where the code could write
  // them (a user namespace, as a normal user); as root the code runs as a uid of its own that
  // bubblewrap's root-owned 0755 folders refuse, and the reset skips that walk (worker.py
  // `skeleton`). Either way the next question must find nothing.
  it('a file or folder left in /, /dev or any folder bubblewrap made never reaches the next question', async () => {
    const root = tempDir('reset-skeleton');
    dirs.push(root);
    const runner = (await startRunner('isolated', { mode: 'stateless', scratchDir: `${root}/scratch` })) as PythonCodeRunner;
    try {
      const tried = await runner.runCell(LEAVE_IN_SKELETON);
      expect(tried.exitCode).toBe(0);
      const reset = await runner.reset();
      if (IS_ROOT) {
        expect(tried.stdout.trim()).toBe('[]');
        expect(reset).toBe(true);
      }
      // Refused (with a user namespace, where the code could write there): the evaluation starts a fresh sandbox.
      if (!reset) return;
      const found = await runner.runCell(`import json, os\nprint(json.dumps([p for p in ${tried.stdout.trim()} if os.path.lexists(p)]))`);
      expect(found.stdout.trim()).toBe('[]');
    } finally {
      await runner.dispose();
    }
  });
});

/**
 * The first question: a TCP server on port 8000 of the loopback address (IPv4 or IPv6) that
 * closes its end of a connection first, which leaves the connection in TIME_WAIT (60 s), held by
 * the kernel once every process is gone.
 */
const leaveTimeWait = (family: 'AF_INET' | 'AF_INET6', host: string): string => `
import socket
server = socket.socket(socket.${family})
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("${host}", 8000))
server.listen()
client = socket.create_connection(("${host}", 8000))
accepted, _ = server.accept()
accepted.close()
client.close()
server.close()
print("left")
`;

/** The next question: a plain socketserver on the same port (no SO_REUSEADDR), and the connections its namespace lists. */
const serveOn8000 = (family: 'AF_INET' | 'AF_INET6', host: string): string => `
import json, socket, socketserver
class Server(socketserver.TCPServer):
    address_family = socket.${family}
try:
    Server(("${host}", 8000), socketserver.BaseRequestHandler).server_close()
    bind = "ok"
except OSError as error:
    bind = str(error)
listed = sum(len(open(name).read().splitlines()) - 1 for name in ("/proc/net/tcp", "/proc/net/tcp6"))
print(json.dumps({"bind": bind, "listed": listed}))
`;

describe("what a question leaves in the sandbox's network namespace (isolated tier)", () => {
  // The basic tier shares the host's network (docs/sandbox-tiers.md): only the isolated tier has
  // a namespace of its own, which a reset keeps.
  it.each([
    ['IPv4', 'AF_INET', '127.0.0.1'],
    ['IPv6', 'AF_INET6', '::1'],
  ] as const)('a connection left in TIME_WAIT (%s) neither blocks the next question’s server on that port nor shows in its /proc/net/tcp', async (_name, family, host) => {
    const root = tempDir('reset-network');
    dirs.push(root);
    let runner = (await startRunner('isolated', { mode: 'stateless', scratchDir: `${root}/scratch` })) as PythonCodeRunner;
    try {
      const left = await runner.runCell(leaveTimeWait(family, host));
      expect(left.stdout.trim(), left.stderr).toBe('left');
      // As an evaluation does: the same sandbox when the reset succeeds, a fresh one when it refuses.
      if (!(await runner.reset())) {
        await runner.dispose();
        runner = (await startRunner('isolated', { mode: 'stateless', scratchDir: `${root}/scratch-fresh` })) as PythonCodeRunner;
      }
      const next = await runner.runCell(serveOn8000(family, host));
      expect(JSON.parse(next.stdout.trim()), next.stderr).toEqual({ bind: 'ok', listed: 0 });
    } finally {
      await runner.dispose();
    }
  });
});
