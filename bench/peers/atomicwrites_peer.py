#!/usr/bin/python3
"""Python atomicwrites (+ filelock for the counter) side of bench/atomic.sh.

  loop DIR ITERS REPS SIZE  median per-op ns of atomic_write(F, overwrite=True) of SIZE bytes
                            (mkstemp in F's dir, write, fsync, rename, fsync dir)
  write FILE                replace FILE atomically with standard input (one whole command)
  counter FILE N            N increments of {"n": K} in FILE: FileLock(FILE.lock), read,
                            atomic_write
"""
import json
import os
import sys

import atomicwrites
import filelock

import timing


def replace(path, data):
    with atomicwrites.atomic_write(path, mode="wb", overwrite=True) as out:
        out.write(data)


def loop(directory, iters, reps, size):
    path = os.path.join(directory, "atomicwrites.dat")
    data = b"x" * size
    timing.report("atomicwrites.atomic_write", lambda: replace(path, data), iters, reps,
                  atomicwrites.__version__)


def counter(path, n):
    lock = filelock.FileLock(path + ".lock")
    for _ in range(n):
        with lock:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
            doc["n"] += 1
            with atomicwrites.atomic_write(path, overwrite=True) as out:
                json.dump(doc, out)
                out.write("\n")


def main(argv):
    if len(argv) == 6 and argv[1] == "loop":
        return loop(argv[2], int(argv[3]), int(argv[4]), int(argv[5]))
    if len(argv) == 3 and argv[1] == "write":
        return replace(argv[2], sys.stdin.buffer.read())
    if len(argv) == 4 and argv[1] == "counter":
        return counter(argv[2], int(argv[3]))
    sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
