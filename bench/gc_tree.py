#!/usr/bin/env python3
"""Session trees for bench/gc.sh.

  gc_tree.py dead ROOT N FILES   create dead-0..N-1: a .session.lock nobody holds and FILES
                                 files in a few subdirs, all backdated two hours
  gc_tree.py hold ROOT N READY   create live-0..N-1 with a .session.lock and hold an flock on
                                 each (as live sessions do); touch READY, then sleep until killed
"""
import fcntl
import os
import resource
import sys
import time


def dead(root, n, files):
    old = time.time() - 7200
    for i in range(n):
        d = os.path.join(root, f"dead-{i}")
        subs = [d, os.path.join(d, "a"), os.path.join(d, "a", "b"), os.path.join(d, "c")]
        for s in subs:
            os.makedirs(s, exist_ok=True)
        open(os.path.join(d, ".session.lock"), "w").close()
        for k in range(files - 1):
            with open(os.path.join(subs[k % len(subs)], f"f{k}"), "w") as f:
                f.write("x" * 64)
        for s in reversed(subs):
            os.utime(s, (old, old))


def hold(root, n, ready):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, n + 64), hard))
    fds = []
    for i in range(n):
        d = os.path.join(root, f"live-{i}")
        os.makedirs(d, exist_ok=True)
        open(os.path.join(d, "state"), "w").close()
        fd = os.open(os.path.join(d, ".session.lock"), os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(fd, fcntl.LOCK_EX)
        fds.append(fd)
    open(ready, "w").close()
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    if sys.argv[1] == "dead":
        dead(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        hold(sys.argv[2], int(sys.argv[3]), sys.argv[4])
