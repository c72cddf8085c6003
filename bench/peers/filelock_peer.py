#!/usr/bin/python3
"""Python filelock (tox-dev) side of bench/run.sh.

  cycle DIR ITERS REPS         median per-op ns of FileLock.acquire() + release(), uncontended
  hold FILE [--orphan PIDFILE] acquire FILE, sleep; with --orphan fork a child that keeps the
                               descriptor, write its pid to PIDFILE and exit (the owner dies, its
                               child holds on)
  wait FILE TIMEOUT STAMPFILE  acquire within TIMEOUT s, then write time.time_ns() to STAMPFILE;
                               exit 3 on filelock.Timeout
"""
import os
import sys
import time

import filelock

import timing


def cycle(directory, iters, reps):
    lock = filelock.FileLock(os.path.join(directory, "filelock.lock"))

    def op():
        lock.acquire()
        lock.release()

    timing.report("filelock.acquire_release", op, iters, reps, filelock.__version__)


def hold(path, orphan_pidfile):
    lock = filelock.FileLock(path)
    lock.acquire()
    if orphan_pidfile:
        # A forked child shares the open file description, hence the flock (PEP 446 only makes
        # descriptors non-inheritable across exec).
        child = os.fork()
        if child == 0:
            time.sleep(60)
            os._exit(0)
        with open(orphan_pidfile, "w") as out:
            out.write(f"{child}\n")
        os._exit(0)
    time.sleep(60)


def wait(path, timeout, stamp):
    lock = filelock.FileLock(path, timeout=float(timeout))
    try:
        lock.acquire()
    except filelock.Timeout:
        sys.exit(3)
    with open(stamp, "w") as out:
        out.write(f"{time.time_ns()}\n")
    lock.release()


def main(argv):
    if len(argv) == 5 and argv[1] == "cycle":
        return cycle(argv[2], int(argv[3]), int(argv[4]))
    if len(argv) == 3 and argv[1] == "hold":
        return hold(argv[2], None)
    if len(argv) == 5 and argv[1] == "hold" and argv[3] == "--orphan":
        return hold(argv[2], argv[4])
    if len(argv) == 5 and argv[1] == "wait":
        return wait(argv[2], argv[3], argv[4])
    sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
