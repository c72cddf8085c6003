#!/usr/bin/env bash
# bench/gc.sh: the GC benchmark (docs/benchmarks.md); `bash bench/run.sh gc` runs it.
#
# A root of BENCH_GC_SESSIONS session dirs (default 10 000): BENCH_GC_DEAD of them dead (default
# 1 000; a .session.lock nobody holds, BENCH_GC_FILES files each, default 20, in 4 dirs, mtime
# two hours ago), the others live (their .session.lock flock-held by a helper process, as live
# sessions hold them; fresh). Each repetition recreates the dead dirs and times one sweep:
#   - `dd-gc ROOT` as shipped (journal on disk: one fdatasync'ed gc_reaped per dir);
#   - the same with the journal on tmpfs (/dev/shm): the sweep's own cost;
#   - `dd-gc --min-age 0 ROOT`: every one of the 10 000 session locks is tried;
#   - the baseline: `find ROOT -mindepth 1 -maxdepth 1 -type d -name '[!.]*' -mmin +60
#     -exec rm -rf {} +` (age only: no liveness check at all, follows nothing either).
# After every sweep it checks that exactly the dead dirs went. Prints one markdown table.
# Environment: BENCH_GC_REPS (default 5); BENCH_GC_DIR: where the root lives (default $TMPDIR or
# /tmp; e.g. /dev/shm for tmpfs).
set -euo pipefail
export LC_ALL=C

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${DDSAFE_BENCH_BUILD:-$repo/build-bench}
reps=${BENCH_GC_REPS:-5}
sessions=${BENCH_GC_SESSIONS:-10000}
dead=${BENCH_GC_DEAD:-1000}
files=${BENCH_GC_FILES:-20}
live=$((sessions - dead))
say() { printf '%s\n' "$*" >&2; }

command -v find >/dev/null && command -v python3 >/dev/null ||
  { say "bench: gc needs find (findutils) and python3"; exit 1; }

say "bench: building (Release) in $build"
cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release -DDDSAFE_BUILD_TESTS=OFF \
  -DDDSAFE_BUILD_BENCH=ON -DDDSAFE_WERROR=ON >/dev/null
cmake --build "$build" -j "$(nproc)" --target dd-gc >/dev/null
ddgc=$build/tools/dd-gc

load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
tmp=$(mktemp -d "${BENCH_GC_DIR:-${TMPDIR:-/tmp}}/ddsafe-bench-gc.XXXXXX")
shm=$(mktemp -d /dev/shm/ddsafe-bench-gc.XXXXXX)
holder=""
cleanup() {
  if [[ -n $holder ]]; then
    kill "$holder" 2>/dev/null || true
    wait "$holder" 2>/dev/null || true
  fi
  rm -rf "$tmp" "$shm"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
root=$tmp/root
mkdir "$root"

say "bench: $live live sessions (locks held by a helper), $dead dead with $files files each"
python3 "$repo/bench/gc_tree.py" hold "$root" "$live" "$tmp/ready" &
holder=$!
for _ in $(seq 600); do [[ -e $tmp/ready ]] && break; sleep 0.1; done
[[ -e $tmp/ready ]] || { say "bench: the lock holder never got ready"; exit 1; }

now_ns() { local t=$EPOCHREALTIME; echo "${t/./}000"; }
median() { sort -n | awk '{v[NR]=$1} END {if (NR) print v[int((NR+1)/2)]}'; }
ms() { awk -v ns="$1" 'BEGIN {printf "%.0f", ns / 1e6}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

# sweep NAME CMD...: recreates the dead dirs, times CMD, checks exactly the dead ones went.
declare -A times=()
bad=0
sweep() {
  local name=$1 t0 t1 left_dead left_live
  shift
  python3 "$repo/bench/gc_tree.py" dead "$root" "$dead" "$files"
  sync
  t0=$(now_ns)
  "$@" >/dev/null
  t1=$(now_ns)
  times[$name]+="$((t1 - t0)) "
  left_dead=$(find "$root" -mindepth 1 -maxdepth 1 -name 'dead-*' | wc -l)
  left_live=$(find "$root" -mindepth 1 -maxdepth 1 -name 'live-*' | wc -l)
  if ((left_dead != 0 || left_live != live)); then
    say "bench: $name left $left_dead dead and $left_live live dirs (want 0 and $live)"
    bad=1
  fi
  rm -rf "$root/.trash"/* 2>/dev/null || true
}

for ((r = 1; r <= reps; r++)); do
  say "bench: gc repetition $r/$reps"
  DD_JOURNAL=$tmp/journal.jsonl sweep ddgc "$ddgc" "$root"
  DD_JOURNAL=$shm/journal.jsonl sweep ddgc_shm "$ddgc" "$root"
  DD_JOURNAL=$shm/journal.jsonl sweep ddgc_all_locks "$ddgc" --min-age 0 "$root"
  sweep find find "$root" -mindepth 1 -maxdepth 1 -type d -name '[!.]*' -mmin +60 \
    -exec rm -rf {} +
done
reaped=$(grep -c '"event":"gc_reaped"' "$tmp/journal.jsonl" || true)
((reaped == reps * dead)) || { say "bench: journal has $reaped gc_reaped, want $((reps * dead))"; bad=1; }

med() { printf '%s\n' ${times[$1]} | median; }
base=$(med find)
fs=$(df -T "$tmp" | awk 'NR == 2 {print $2}')
echo
echo "ddsafe gc benchmark — $(uname -srm), $(nproc) CPU, $fs $(dirname "$tmp"), $sessions" \
  "session dirs ($dead dead × $files files), median of $reps, load average at start" \
  "$load_at_start, at end $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| workload | ddsafe (ms) | baseline | baseline (ms) | ddsafe ÷ baseline | all runs, ms |"
echo "|---|---|---|---|---|---|"
row() {
  local label=$1 key=$2 m
  m=$(med "$key")
  echo "| $label | $(ms "$m") | \`find … -mmin +60 -exec rm -rf {} +\` | $(ms "$base") |" \
    "$(ratio "$m" "$base")× | $(for t in ${times[$key]}; do printf '%s ' "$(ms "$t")"; done)|"
}
row "\`dd-gc ROOT\` (journal on $fs, fdatasync per event)" ddgc
row "\`dd-gc ROOT\` (journal on tmpfs)" ddgc_shm
row "\`dd-gc --min-age 0 ROOT\` (all $sessions locks tried; journal on tmpfs)" ddgc_all_locks
echo "| baseline alone | | | $(ms "$base") | 1.00× | $(for t in ${times[find]}; do printf '%s ' "$(ms "$t")"; done)|"
echo
((bad == 0)) && echo "Every sweep removed exactly the $dead dead dirs and kept the $live live ones." ||
  { echo "CHECK FAILED: see stderr"; exit 1; }
