# Helpers for CLI cases (source "$CLI_LIB").
# rc CMD...: runs CMD, prints "rc=N".
rc() { "$@"; echo "rc=$?"; }
# wait_for CMD...: retries CMD until it succeeds (10 s at most); fails the case otherwise.
wait_for() {
  local i
  for i in $(seq 1 1000); do "$@" && return 0; sleep 0.01; done
  echo "wait_for timed out: $*" >&2; exit 3
}
# jfield FILE EVENT KEY: value of KEY in the last EVENT record of journal FILE.
jfield() { grep "\"event\":\"$2\"" "$1" | tail -n 1 | python3 -c "import json,sys; print(json.loads(sys.stdin.read())['$3'])"; }

# HOLD: a script for `sh -c` that creates "held" and then waits until "release" exists. It gives
# up after 20 s, or as soon as "held" is gone (the case's directory was removed), so a failing
# case never leaves a holder behind.
HOLD='touch held; i=0; while [ ! -e release ] && [ -e held ] && [ $i -lt 2000 ]; do sleep 0.01; i=$((i+1)); done'
# On exit (also when a helper gives up), release holders and end the case's own background jobs.
CLI_WORK=$PWD
trap 'touch "$CLI_WORK/release" 2>/dev/null; kill $(jobs -p) 2>/dev/null' EXIT

# The source tree (tests/cli/lib.sh -> repository root).
CLI_SRC_ROOT=$(cd "$(dirname "$CLI_LIB")/../.." && pwd)
# The running case's golden file (cases are run as `bash /abs/path/case.sh`).
CLI_EXPECTED=${0%.sh}.expected

# now_ms: wall-clock milliseconds.
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# alive PID: the process exists and is not a zombie (nothing reaps orphans in some containers,
# so a dead orphan can linger as a zombie).
alive() {
  local st
  st=$(sed -n 's/^[0-9]* (.*) \([A-Za-z]\) .*/\1/p' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}
dead() { ! alive "$1"; }
# yesno CMD...: prints "yes" if CMD succeeds, else "no".
yesno() { if "$@"; then echo yes; else echo no; fi; }
# has FILE TEXT: FILE contains TEXT (fixed string).
has() { grep -qF -- "$2" "$1"; }
# json EXPR < JSON: evaluates the python expression EXPR with the parsed document bound to j.
json() { python3 -c "import json,sys; j=json.loads(sys.stdin.read()); print($1)"; }
# jcount FILE EVENT: number of EVENT records in journal FILE.
jcount() { if [ -f "$1" ]; then grep -c "\"event\":\"$2\"" "$1"; else echo 0; fi; }
# skip_unless_root WHY: cases that need root (setpriv, mount) pass by printing their golden output
# when not run as root; they say so on stderr.
skip_unless_root() {
  [ "$(id -u)" -eq 0 ] && return 0
  echo "SKIP (needs root): $1" >&2; cat "$CLI_EXPECTED"; exit 0
}
# files DIR: the names in DIR on one line, sorted, hidden ones included ("-" when empty).
files() { local l; l=$(ls -A "$1" | sort | tr '\n' ' '); echo "${l:--}"; }
# temps DIR: dd-atomic temp files left in DIR ("none" when there are none).
temps() { local l; l=$(ls -A "$1" | grep -F '~dd' | tr '\n' ' '); echo "${l:-none}"; }
# digest FILE: a short content hash, to show a file is byte-identical before and after.
digest() { sha256sum "$1" | cut -c1-16; }
# launch ARGS...: dd-launch run with the case's own state dir.
launch() { dd-launch run --state-dir "$CLI_WORK/state" "$@"; }
# marked MARK: how many processes have MARK in their command line (the case's own pgrep aside).
marked() { pgrep -c -f -- "$1" || true; }
# skip_unless_contained WHY: dd-launch cases need root and a pids cgroup controller (v1, or v2
# listing it); where the kernel has none they pass by printing their golden output and say so.
skip_unless_contained() {
  skip_unless_root "$1"
  if [ -f /sys/fs/cgroup/pids/cgroup.procs ] || grep -qw pids /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
    return 0
  fi
  echo "SKIP (no pids cgroup controller on this kernel): $1" >&2; cat "$CLI_EXPECTED"; exit 0
}
# cgroups_of NAME: how many cgroups of session NAME-1 are left in the pids and kill hierarchies.
cgroups_of() { ls /sys/fs/cgroup/pids/ddsafe /sys/fs/cgroup/unified/ddsafe 2>/dev/null | grep -c "^$1-1-" || true; }
# launch_signalled SIGNAL NAME ARGS...: `dd-launch run --name NAME ARGS...` with SIGNAL sent by
# strace at the mkdir of the session's kill-switch cgroup (its pids cgroup exists by then). Needs
# the hybrid layout's /sys/fs/cgroup/unified: elsewhere the case passes, saying why.
launch_signalled() {
  local sig=$1 name=$2; shift 2
  if [ ! -d /sys/fs/cgroup/unified ]; then
    echo "SKIP (no hybrid cgroup v2 hierarchy to inject at): $name" >&2; cat "$CLI_EXPECTED"; exit 0
  fi
  mkdir -p /sys/fs/cgroup/unified/ddsafe
  ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o /dev/null -P /sys/fs/cgroup/unified/ddsafe \
    -e trace=mkdir -e inject=mkdir:signal="$sig" \
    dd-launch run --state-dir "$CLI_WORK/state" --name "$name" "$@"
}
