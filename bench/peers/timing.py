"""The timing loop shared by the Python peers: the same report line as bench/harness.hpp."""
import time


def report(name, op, iters, reps, version):
    """Runs op() iters // 10 times to warm up, then reps rounds of iters; prints
    bench=NAME ns_per_op=MEDIAN min=MIN max=MAX iters=N reps=R version=V"""
    for _ in range(max(1, iters // 10)):
        op()
    per_op = []
    for _ in range(reps):
        t0 = time.perf_counter_ns()
        for _ in range(iters):
            op()
        per_op.append((time.perf_counter_ns() - t0) / iters)
    per_op.sort()
    print(f"bench={name} ns_per_op={per_op[len(per_op) // 2]:.0f} min={per_op[0]:.0f} "
          f"max={per_op[-1]:.0f} iters={iters} reps={reps} version={version}", flush=True)
