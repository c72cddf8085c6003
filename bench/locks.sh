#!/usr/bin/env bash
# bench/locks.sh: the lock benchmarks (docs/benchmarks.md); `bash bench/run.sh locks` runs it.
#
# Installs what is missing (Debian packages as root, proper-lockfile into bench/.npm), builds a
# Release tree in build-bench (override with DDSAFE_BENCH_BUILD), then measures in one run, side
# by side with the peers:
#   1. the uncontended library acquire+release cycle against a bare open+flock+unlock+close loop,
#      Python filelock and proper-lockfile (in-process cycles);
#   2. `dd-lock F true` against `flock F true` (hyperfine, else a timed loop);
#   3. time from an event to a waiting locker's command starting: (a) holder SIGKILLed,
#      (b) holder hung (SIGSTOP) with --ttl 2 --break-expired, (c) owner dead while an orphan it
#      left behind still holds the inherited descriptor.
# and prints one markdown table: workload, ddsafe, peer, ratio, target, result.
# Environment: BENCH_REPS (recovery repetitions, default 5), BENCH_CLI_RUNS (default 300).
set -euo pipefail
# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

reps=${BENCH_REPS:-5}
cli_runs=${BENCH_CLI_RUNS:-300}

# --- dependencies ------------------------------------------------------------------------------

install_missing() {
  local pkgs=()
  "$py" -c 'import filelock' 2>/dev/null || pkgs+=(python3-filelock)
  command -v flock >/dev/null || pkgs+=(util-linux)
  command -v node >/dev/null || pkgs+=(nodejs)
  command -v npm >/dev/null || pkgs+=(npm)  # nodesource's nodejs bundles npm: no Debian npm then
  command -v hyperfine >/dev/null || pkgs+=(hyperfine)
  install_packages "${pkgs[@]}"
}

install_missing
command -v flock >/dev/null || { say "bench: flock(1) (util-linux) is required"; exit 1; }
have_py=0; "$py" -c 'import filelock' 2>/dev/null && have_py=1
have_hyperfine=0; command -v hyperfine >/dev/null && have_hyperfine=1
have_node=0; npm_modules proper-lockfile && have_node=1

# --- build -------------------------------------------------------------------------------------

build_bench dd-lock dd-bench-lock dd-bench-stamp
ddlock=$build/tools/dd-lock
stamp=$build/bench/dd-bench-stamp

# --- scratch space and process bookkeeping -----------------------------------------------------

load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)  # other work on the machine shows in the figures
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ddsafe-bench.XXXXXX")
export DD_JOURNAL=$tmp/journal.jsonl  # never the user's journal
touch "$tmp/victims"  # pids ("123") and process groups ("-123") to kill at exit
declare -a trial_victims=()

kill_all() {
  local v
  for v in "$@"; do kill -CONT -- "$v" 2>/dev/null || true; done
  for v in "$@"; do kill -KILL -- "$v" 2>/dev/null || true; done
}
cleanup() {
  local v=()
  [[ -f $tmp/victims ]] && mapfile -t v <"$tmp/victims"
  ((${#v[@]} == 0)) || kill_all "${v[@]}"
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
wait_jobs() { local p; for p in $(jobs -p); do wait "$p" 2>/dev/null || true; done; }

# Starts "$@" in the background in its own session (so that its whole group can be killed);
# sets $bg to its pid. In a non-interactive shell the child is not a group leader, so setsid(1)
# does not fork and $! is the command's own pid. stderr goes to $tmp/stderr.log.
spawn() {
  setsid "$@" </dev/null >/dev/null 2>>"$tmp/stderr.log" &
  bg=$!
  trial_victims+=("-$bg")
  echo "-$bg" >>"$tmp/victims"
}

# True once some process holds an flock on $1 (probing with flock(1), which never waits).
flock_held() { local rc=0; flock -n -E 99 "$1" true || rc=$?; ((rc == 99)); }
wait_until() {  # wait_until SECONDS CMD...: polls CMD every 5 ms
  local deadline=$(($(now_ns) + $1 * 1000000000)); shift
  until "$@"; do
    (($(now_ns) < deadline)) || return 1
    sleep 0.005
  done
}


# --- 1. library cycle --------------------------------------------------------------------------

say "bench: lock cycle (C++)"
mkdir "$tmp/cycle"
"$build/bench/dd-bench-lock" --dir "$tmp/cycle" --iters 5000 --reps 11 --steps >"$tmp/cycle.txt"
if ((have_py)); then
  say "bench: lock cycle (Python filelock)"
  "$py" "$peers/filelock_peer.py" cycle "$tmp/cycle" 10000 7 >>"$tmp/cycle.txt"
fi
if ((have_node)); then
  say "bench: lock cycle (proper-lockfile)"
  node "$peers/proper_lockfile_peer.js" cycle "$tmp/cycle" 1000 5 >>"$tmp/cycle.txt"
fi
cycle() { awk -v n="bench=$1" '$1 == n {sub("ns_per_op=", "", $2); print $2}' "$tmp/cycle.txt"; }
version() {
  awk -v n="bench=$1" '$1 == n {
    for (i = 2; i <= NF; i++) if ($i ~ /^version=/) { sub("version=", "", $i); print $i } }' \
    "$tmp/cycle.txt"
}

lib=$(cycle ddsafe.acquire_release)
floor=$(cycle flock.open_lock_unlock_close)
r=$(ratio "$lib" "$floor")
row "lock cycle, uncontended (µs/op)" "$(us "$lib")" "bare open+flock+unlock+close" "$(us "$floor")" \
  "${r}×" "≤ 1.5×" "$(verdict "$r" 1.5)"
# The library keeps a released lock file open for the next acquisition (an idle descriptor), so
# its syscalls are those of the kept.* ladder; open.* is the same sequence with open+close.
steps=$(cycle kept.step3.plus_record_pwrite_x2)
[[ -n $steps ]] && row "" "" "the library's syscalls issued bare (fd kept open, see breakdown)" \
  "$(us "$steps")" "$(ratio "$lib" "$steps")×" "—" "info"
bare=$(cycle flock.lock_unlock_open_fd)
row "" "" "flock EX+UN on an open fd (reference)" "$(us "$bare")" "$(ratio "$lib" "$bare")×" "—" "info"
if ((have_py)); then
  p=$(cycle filelock.acquire_release)
  row "" "" "Python filelock $(version filelock.acquire_release) acquire+release" "$(us "$p")" \
    "$(ratio "$lib" "$p")×" "—" "info"
fi
if ((have_node)); then
  p=$(cycle proper-lockfile.lockSync_release)
  row "" "" "proper-lockfile $(version proper-lockfile.lockSync_release) lockSync+release" \
    "$(us "$p")" "$(ratio "$lib" "$p")×" "—" "info"
  p=$(cycle proper-lockfile.lock_release_async)
  row "" "" "proper-lockfile await lock+release" "$(us "$p")" "$(ratio "$lib" "$p")×" "—" "info"
fi

# --- 2. CLI ------------------------------------------------------------------------------------
# Also times bare process start-up (--version), which is most of the difference.

cli=("$ddlock $tmp/cli-dd.lock true" "flock $tmp/cli-fl.lock true" "$ddlock --version"
  "flock --version")
if ((have_hyperfine)); then
  say "bench: CLI (hyperfine, $cli_runs runs each)"
  hyperfine -N --style none --warmup 30 --runs "$cli_runs" --export-json "$tmp/cli.json" \
    "${cli[@]}" >/dev/null 2>&1
  read -r dd_mean dd_med fl_mean fl_med _ ddv_med _ flv_med < <("$py" -c '
import json, sys
r = json.load(open(sys.argv[1]))["results"]
print(*(f"{x[k] * 1e9:.0f}" for x in r for k in ("mean", "median")))' "$tmp/cli.json")
  cli_how="hyperfine, $cli_runs runs"
else
  say "bench: CLI (timed loop, $cli_runs runs each)"
  loop() {  # mean ns of $cli_runs runs
    local t0 t1 i
    t0=$(now_ns)
    for ((i = 0; i < cli_runs; i++)); do $1 >/dev/null; done
    t1=$(now_ns)
    echo $(((t1 - t0) / cli_runs))
  }
  dd_mean=$(loop "${cli[0]}"); fl_mean=$(loop "${cli[1]}")
  ddv_med=$(loop "${cli[2]}"); flv_med=$(loop "${cli[3]}")
  dd_med=$dd_mean; fl_med=$fl_mean
  cli_how="timed loop, $cli_runs runs"
fi
r=$(ratio "$dd_mean" "$fl_mean")
row "\`dd-lock F true\` (mean ms; $cli_how)" "$(ms "$dd_mean")" "\`flock F true\`" "$(ms "$fl_mean")" \
  "${r}×" "≤ 1.15×" "$(verdict "$r" 1.15)"
row "  same, median ms" "$(ms "$dd_med")" "\`flock F true\`" "$(ms "$fl_med")" \
  "$(ratio "$dd_med" "$fl_med")×" "—" "info"
row "  start-up only: \`dd-lock --version\` (median ms)" "$(ms "$ddv_med")" "\`flock --version\`" \
  "$(ms "$flv_med")" "$(ratio "$ddv_med" "$flv_med")×" "—" "info"

# --- 3. recovery -------------------------------------------------------------------------------
# Every trial runs in a subshell ($(...) or &) and prints the time from the event to the waiting
# locker's command starting, in ns, or "none" when the waiter gave up. It kills what it started.

waiter_result() {  # waiter_result PID T0_NS STAMPFILE; never in $(...): wait needs the parent
  if wait "$1" && [[ -s $3 ]]; then echo $(($(<"$3") - $2)); else echo none; fi
}
end_trial() { kill_all "${trial_victims[@]}"; }
held_by() {  # held_by KIND FILE: waits until a holder of that kind holds FILE
  case $1 in
    proper) wait_until 10 test -d "$2.lock" ;;
    *) wait_until 10 flock_held "$2" ;;
  esac
}
start_holder() {  # start_holder KIND FILE [dd-lock options...]
  local kind=$1 f=$2; shift 2
  case $kind in
    ddsafe) spawn "$ddlock" "$@" "$f" sleep 60 ;;
    flock) spawn flock "$f" sleep 60 ;;
    filelock) spawn "$py" "$peers/filelock_peer.py" hold "$f" ;;
    proper) spawn node "$peers/proper_lockfile_peer.js" hold "$f" ;;
  esac
}
start_waiter() {  # start_waiter KIND FILE WAIT_S STAMPFILE [dd-lock options...]
  local kind=$1 f=$2 w=$3 out=$4; shift 4
  case $kind in
    ddsafe) spawn "$ddlock" "$@" -w "$w" "$f" "$stamp" "$out" ;;
    flock) spawn flock -w "$w" "$f" "$stamp" "$out" ;;
    filelock) spawn "$py" "$peers/filelock_peer.py" wait "$f" "$w" "$out" ;;
    proper) spawn node "$peers/proper_lockfile_peer.js" wait "$f" "$w" "$out" ;;
  esac
}

# (a) the holder is SIGKILLed while a waiter waits.
trial_kill() {  # trial_kill KIND WAIT_S N
  local kind=$1 f=$tmp/a-$1-$3.lock out=$tmp/a-$1-$3.stamp holder waiter t0
  start_holder "$kind" "$f"; holder=$bg
  held_by "$kind" "$f" || { say "bench: (a) $kind holder never held $f"; echo none; end_trial; return; }
  start_waiter "$kind" "$f" "$2" "$out"; waiter=$bg
  sleep 0.3  # the waiter is up and polling (the interpreters need the longest)
  t0=$(now_ns)
  if [[ $kind == flock ]]; then
    kill -KILL -- "-$holder"  # flock(1) and its command: alone, the command keeps the lock
  else
    kill -KILL "$holder"  # dd-lock only: its command dies with it (PDEATHSIG)
  fi
  waiter_result "$waiter" "$t0" "$out"
  end_trial
}

# (b) the holder hangs (SIGSTOP): it no longer renews its lease. The waiter starts right away.
# For ddsafe, also prints the time from lease expiry (the record's renewed_at + ttl) to the command.
trial_hung() {  # trial_hung KIND WAIT_S N
  local kind=$1 f=$tmp/b-$1-$3.lock out=$tmp/b-$1-$3.stamp holder waiter t0 expiry="" res
  start_holder "$kind" "$f" --ttl 2; holder=$bg
  held_by "$kind" "$f" || { say "bench: (b) $kind holder never held $f"; echo none; end_trial; return; }
  t0=$(now_ns)
  kill -STOP "$holder"
  start_waiter "$kind" "$f" "$2" "$out" --break-expired; waiter=$bg
  if [[ $kind == ddsafe ]]; then
    expiry=$("$py" -c '
import json, sys
r = json.loads(open(sys.argv[1]).readline())
print(r["renewed_at"] + r["ttl_ms"])' "$f" 2>/dev/null || true)
  fi
  res=none
  if wait "$waiter" && [[ -s $out ]]; then res=$(($(<"$out") - t0)); fi
  if [[ $res != none && -n $expiry ]]; then
    echo "$res $(($(<"$out") - expiry * 1000000))"
  else
    echo "$res"
  fi
  end_trial
}

# (c) the owner, a shell that locked its own fd 9 (flock(1)'s fd form), exits while a background
# job it left behind still holds the inherited descriptor. The shell stamps t0 just before exit.
trial_orphan() {  # trial_orphan KIND WAIT_S N
  local kind=$1 f=$tmp/c-$1-$3.lock out=$tmp/c-$1-$3.stamp go=$tmp/c-$1-$3.go
  local t0file=$tmp/c-$1-$3.t0 orphan=$tmp/c-$1-$3.orphan owner waiter
  mkfifo "$go"
  case $kind in
    ddsafe | flock)
      local locker=$ddlock
      [[ $kind == flock ]] && locker=flock
      # shellcheck disable=SC2016  # expanded by the inner shell
      spawn bash -c '
        exec 9>>"$1"
        "$2" 9 || exit 1
        sleep 60 >/dev/null 2>&1 &
        echo $! >"$3"
        read -r _ <"$4"
        t=$EPOCHREALTIME; echo "${t/./}000" >"$5"
        exit 0' _ "$f" "$locker" "$orphan" "$go" "$t0file"
      ;;
    filelock)
      # shellcheck disable=SC2016  # expanded by the inner shell
      spawn bash -c '
        "$1" "$2" hold "$3" --orphan "$4" || exit 1
        read -r _ <"$5"
        t=$EPOCHREALTIME; echo "${t/./}000" >"$6"
        exit 0' _ "$py" "$peers/filelock_peer.py" "$f" "$orphan" "$go" "$t0file"
      ;;
  esac
  owner=$bg
  if ! wait_until 10 flock_held "$f" || ! wait_until 10 test -s "$orphan"; then
    say "bench: (c) $kind owner never held $f"; echo none; end_trial; return
  fi
  trial_victims+=("$(<"$orphan")")
  echo "$(<"$orphan")" >>"$tmp/victims"
  start_waiter "$kind" "$f" "$2" "$out"; waiter=$bg
  sleep 0.3
  echo go >"$go"
  wait "$owner" || true
  waiter_result "$waiter" "$(<"$t0file")" "$out"
  end_trial
}

# trials TRIAL KIND WAIT_S: $reps trials; prints the median ns, or none if any gave up, and
# leaves every trial's figure in $tmp/last_all (it runs in $(...), so no variable survives it).
trials() {
  local i res all=()
  for ((i = 1; i <= reps; i++)); do
    res=$("$@" "$i")
    all+=("${res:-none}")
  done
  printf '%s\n' "${all[@]}" | awk '{print $1}' >"$tmp/last_all"
  if grep -qx none "$tmp/last_all"; then echo none; return; fi
  median <"$tmp/last_all"
}
last_all() { tr '\n' ' ' <"$tmp/last_all"; }
shown() { if [[ $1 == none ]]; then echo "no recovery in $2 s"; else ms "$1"; fi; }
ratio_or_dash() { if [[ $1 == none || $2 == none ]]; then echo "—"; else echo "$(ratio "$1" "$2")×"; fi; }
pass_if_ms() { if [[ $1 == none ]]; then echo FAIL; else verdict "$(ms "$1")" "$2"; fi; }
all_ms() {  # all_ms "NS NS ...": the same in ms
  local v o=()
  for v in $1; do if [[ $v == none ]]; then o+=(none); else o+=("$(ms "$v")"); fi; done
  echo "${o[*]}"
}
declare -a details=()
detail() { details+=("$*"); }

say "bench: recovery (a) SIGKILLed holder, $reps trials each"
a_dd=$(trials trial_kill ddsafe 10); detail "(a) ddsafe, ms: $(all_ms "$(last_all)")"
a_fl=$(trials trial_kill flock 10); detail "(a) flock(1), ms: $(all_ms "$(last_all)")"
row "(a) holder SIGKILLed → waiter's command runs (median ms)" "$(shown "$a_dd" 10)" \
  "flock(1), blocked in flock(2)" "$(shown "$a_fl" 10)" "$(ratio_or_dash "$a_dd" "$a_fl")" \
  "≤ 5 ms" "$(pass_if_ms "$a_dd" 5)"
if ((have_py)); then
  v=$(trials trial_kill filelock 10); detail "(a) Python filelock, ms: $(all_ms "$(last_all)")"
  row "" "" "Python filelock (polls every 50 ms)" "$(shown "$v" 10)" "$(ratio_or_dash "$a_dd" "$v")" "—" "info"
fi
if ((have_node)); then
  v=$(trials trial_kill proper 10); detail "(a) proper-lockfile, ms: $(all_ms "$(last_all)")"
  row "" "" "proper-lockfile, stale 2 s (its minimum)" "$(shown "$v" 10)" "$(ratio_or_dash "$a_dd" "$v")" "—" "info"
fi

say "bench: recovery (b) hung holder, --ttl 2 --break-expired, $reps trials"
b_all=()
for ((i = 1; i <= reps; i++)); do r=$(trial_hung ddsafe 10 "$i"); b_all+=("${r:-none}"); done
b_dd=$(printf '%s\n' "${b_all[@]}" | awk '{print $1}' | median)
b_over=$(printf '%s\n' "${b_all[@]}" | awk 'NF == 2 {print $2}' | median)
[[ " ${b_all[*]} " == *" none"* ]] && b_dd=none
detail "(b) ddsafe, STOP → command, ms: $(all_ms "$(printf '%s\n' "${b_all[@]}" | awk '{print $1}' | tr '\n' ' ')")"
detail "(b) ddsafe, lease expiry → command, ms: $(all_ms "$(printf '%s\n' "${b_all[@]}" | awk 'NF == 2 {print $2}' | tr '\n' ' ')")"
# The peers that never recover wait concurrently, to keep the whole bench short.
trial_hung flock 3 1 >"$tmp/b-flock.res" &
((have_py)) && trial_hung filelock 3 1 >"$tmp/b-filelock.res" &
wait_jobs
row "(b) holder hung (SIGSTOP), dd-lock --ttl 2 / --break-expired (median ms)" "$(shown "$b_dd" 10)" \
  "flock(1), waiter -w 3" "$(shown "$(awk '{print $1}' "$tmp/b-flock.res")" 3)" "—" \
  "≤ TTL + 50 = 2050 ms" "$(pass_if_ms "$b_dd" 2050)"
((have_py)) && row "" "" "Python filelock, waiter timeout 3 s" \
  "$(shown "$(awk '{print $1}' "$tmp/b-filelock.res")" 3)" "—" "—" "info"
if ((have_node)); then
  v=$(trials trial_hung proper 10); detail "(b) proper-lockfile, ms: $(all_ms "$(last_all)")"
  row "" "" "proper-lockfile, stale 2 s (mtime refreshed every 1 s)" "$(shown "$v" 10)" \
    "$(ratio_or_dash "$b_dd" "$v")" "—" "info"
fi
[[ -n $b_over ]] && row "  (b) lease expiry (renewed_at + TTL) → waiter's command runs" \
  "$(ms "$b_over")" "" "" "" "—" "info"

say "bench: recovery (c) owner dead, its fd inherited by a live orphan, $reps trials"
c_dd=$(trials trial_orphan ddsafe 10); detail "(c) ddsafe, ms: $(all_ms "$(last_all)")"
trial_orphan flock 3 1 >"$tmp/c-flock.res" &
((have_py)) && trial_orphan filelock 3 1 >"$tmp/c-filelock.res" &
wait_jobs
row "(c) owner exited, an orphan holds its fd (median ms)" "$(shown "$c_dd" 10)" \
  "flock(1) fd form, waiter -w 3" "$(shown "$(<"$tmp/c-flock.res")" 3)" "—" "≤ 50 ms" \
  "$(pass_if_ms "$c_dd" 50)"
((have_py)) && row "" "" "Python filelock (a forked child keeps it), waiter timeout 3 s" \
  "$(shown "$(<"$tmp/c-filelock.res")" 3)" "—" "—" "info"

breaks() { grep -c "\"event\":\"lock_stale_break\".*\"reason\":\"$1\"" "$DD_JOURNAL" 2>/dev/null || true; }
detail "journal: $(breaks lease_expired) lock_stale_break lease_expired (expect $reps, from (b))," \
  "$(breaks owner_dead) owner_dead (expect $reps, from (c))"

# --- report ------------------------------------------------------------------------------------

echo
fs=$(df -T "$tmp" | awk 'NR == 2 {print $2}')
echo "ddsafe lock benchmarks — $(uname -srm), $(nproc) CPU, $fs $(dirname "$tmp")," \
  "load average at start $load_at_start, at end $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| workload | ddsafe | peer | peer figure | ddsafe ÷ peer | target | result |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "Library cycle, its syscalls issued bare and added step by step (µs/op, median):"
printf '  %-42s %12s %14s\n' "" "open+close" "fd kept open"
awk '$1 ~ /^bench=(open|kept)\.step/ {
       n = $1; sub("bench=", "", n); k = substr(n, 1, 4); sub("^(open|kept)\\.", "", n)
       v = $2; sub("ns_per_op=", "", v); t[n, k] = v / 1000; if (!(n in seen)) { seen[n] = 1; o[++c] = n } }
     $1 == "bench=ddsafe.acquire_release" { v = $2; sub("ns_per_op=", "", v); lib = v / 1000 }
     END { for (i = 1; i <= c; i++) printf "  %-42s %12.1f %14.1f\n", o[i], t[o[i], "open"], t[o[i], "kept"]
           printf "  %-42s %27.1f\n", "ddsafe.acquire_release", lib }' "$tmp/cycle.txt"
echo
echo "Raw figures:"
sed 's/^/  /' "$tmp/cycle.txt"
printf '  %s\n' "${details[@]}"
if [[ $a_dd == none || $b_dd == none || $c_dd == none ]]; then
  echo
  echo "A ddsafe waiter gave up; stderr of the processes the bench started (last 20 lines):"
  tail -n 20 "$tmp/stderr.log" 2>/dev/null | sed 's/^/  /'
fi
