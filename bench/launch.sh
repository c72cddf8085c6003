#!/usr/bin/env bash
# bench/launch.sh: dd-launch start-to-exit overhead (docs/benchmarks.md); `bash bench/run.sh
# launch` runs it. Needs root (pids cgroups, privileged bwrap).
#
# Whole commands, spawned directly and interleaved (dd-bench-spawn), median of BENCH_LAUNCH_RUNS
# (default 200):
#   - bwrap: a bare `bwrap` with the namespaces, read-only root, /dev, /proc and /tmp that
#     dd-launch asks for, running `true` (no cgroup, no uid change, no session);
#   - launch_rm: `dd-launch run --rm -- true`: GC pass, session dir and lock, plan, pids cgroup,
#     setpriv to nobody, bwrap, teardown, the dir removed; three journal events, fsync'ed;
#   - launch: the same without --rm (each run leaves a dead session dir; GC keeps them, younger
#     than an hour), so the root grows as it would between collections;
#   - launch_nojournal: `--rm` with the journal on tmpfs (/dev/shm): the launcher's own cost.
# Goal from the issue: dd-launch ÷ bare bwrap ≤ 1.5.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

[[ $(id -u) == 0 ]] || { say "bench: launch needs root"; exit 1; }
command -v bwrap >/dev/null || install_packages bubblewrap
runs=${BENCH_LAUNCH_RUNS:-200}
build_bench dd-launch dd-bench-spawn
launch=$build/tools/dd-launch
spawn=$build/bench/dd-bench-spawn

load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ddsafe-bench-launch.XXXXXX")
shm=$(mktemp -d /dev/shm/ddsafe-bench-launch.XXXXXX)
trap 'rm -rf "$tmp" "$shm"' EXIT
trap 'exit 130' INT TERM
mkdir "$tmp/state" "$tmp/state-rm" "$tmp/state-shm"

bare=(bwrap --unshare-ipc --unshare-pid --unshare-uts --unshare-cgroup --unshare-net
  --die-with-parent --new-session --cap-drop ALL --ro-bind / / --dev /dev --proc /proc
  --perms 1777 --tmpfs /tmp true)
cmds=(bwrap "${bare[@]}"
  ::: launch_rm "DD_JOURNAL=$tmp/journal.jsonl" "$launch" run --state-dir "$tmp/state-rm" --rm -- true
  ::: launch "DD_JOURNAL=$tmp/journal.jsonl" "$launch" run --state-dir "$tmp/state" -- true
  ::: launch_nojournal "DD_JOURNAL=$shm/journal.jsonl" "$launch" run --state-dir "$tmp/state-shm" --rm -- true)
say "bench: launch (median of $runs runs, interleaved)"
"$spawn" --runs "$runs" --warmup 5 -- "${cmds[@]}" >"$tmp/figures"
fig() { sed -n "s/^bench=cli\.$1 ns_per_op=\([0-9]*\).*/\1/p" "$tmp/figures"; }

b=$(fig bwrap)
echo "| workload | dd-launch | bare bwrap | dd-launch ÷ bwrap | goal |"
echo "|---|---:|---:|---:|---|"
for n in launch_rm launch launch_nojournal; do
  t=$(fig "$n")
  r=$(ratio "$t" "$b")
  echo "| \`$n\` run -- true | $(ms2 "$t") ms | $(ms2 "$b") ms | $r | ≤ 1.5: $(verdict "$r" 1.5) |"
done
echo
echo "Load average at start: $load_at_start; $runs runs each, interleaved; $(nproc) cores."
echo "Sessions left by the \`launch\` rows: $(ls "$tmp/state" | wc -l) (dead, kept by the GC: younger than an hour)."
