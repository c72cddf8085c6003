#!/usr/bin/env bash
# bench/atomic.sh: the atomic-file benchmarks (docs/benchmarks.md); `bash bench/run.sh atomic`
# runs it.
#
# Installs what is missing (Debian packages as root; write-file-atomic and proper-lockfile into
# bench/.npm), builds a Release tree in build-bench (override with DDSAFE_BENCH_BUILD), then
# measures in one run, side by side with the peers, in a temp dir on the disk ($TMPDIR or /tmp;
# the filesystem is named in the output):
#   1. replacing a 4 KiB file in-process: ddsafe::AtomicFile (durable, and Durability::atomic)
#      against the raw floor (temp + write + fsync + rename + fsync dir, and the same without
#      the fsyncs) in one program, repetitions interleaved, also in a directory crowded with
#      other files; Python atomicwrites and write-file-atomic loops next to them;
#   2. the same as whole commands (process start included; dd-bench-spawn, runs interleaved, and
#      hyperfine as a cross-check): `dd-atomic F < 4KiB` and `dd-atomic --no-sync` against
#      sponge, Python atomicwrites and write-file-atomic;
#   3. a JSON counter {"n": 0} incremented by 4 processes at once: dd-atomic --lock + jq against
#      flock(1) + jq + mv (one process per increment), ddsafe::update_file against Python
#      filelock + atomicwrites and proper-lockfile + write-file-atomic (in-process loops);
#      time per increment and lost updates (expected - final n).
# and prints one markdown table: workload, ddsafe, peer, ratio, target, result.
# Environment: BENCH_ITERS (operations per repetition in 1., default 200), BENCH_REPS
# (repetitions, default 9), BENCH_CLI_RUNS (runs of each command in 2., default 200),
# BENCH_CLI_INCREMENTS (per process, CLI counters, default 100), BENCH_INCREMENTS (per process,
# in-process counters, default 500), BENCH_WORKERS (default 4), BENCH_CROWD (other files in the
# directory for the crowded-directory rows, default 10000).
set -euo pipefail
# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

iters=${BENCH_ITERS:-200}
reps=${BENCH_REPS:-9}
cli_runs=${BENCH_CLI_RUNS:-200}
cli_incr=${BENCH_CLI_INCREMENTS:-100}
incr=${BENCH_INCREMENTS:-500}
workers=${BENCH_WORKERS:-4}
crowd=${BENCH_CROWD:-10000}
size=4096

# --- dependencies ------------------------------------------------------------------------------

install_missing() {
  local pkgs=()
  "$py" -c 'import atomicwrites' 2>/dev/null || pkgs+=(python3-atomicwrites)
  "$py" -c 'import filelock' 2>/dev/null || pkgs+=(python3-filelock)
  command -v sponge >/dev/null || pkgs+=(moreutils)
  command -v jq >/dev/null || pkgs+=(jq)
  command -v flock >/dev/null || pkgs+=(util-linux)
  command -v node >/dev/null || pkgs+=(nodejs)
  command -v npm >/dev/null || pkgs+=(npm)  # nodesource's nodejs bundles npm: no Debian npm then
  command -v hyperfine >/dev/null || pkgs+=(hyperfine)
  command -v strace >/dev/null || pkgs+=(strace)
  install_packages "${pkgs[@]}"
}

install_missing
command -v jq >/dev/null || { say "bench: jq is required (the counters are JSON)"; exit 1; }
have() { command -v "$1" >/dev/null; }
have_py=0; "$py" -c 'import atomicwrites, filelock' 2>/dev/null && have_py=1
have_node=0; npm_modules write-file-atomic proper-lockfile && have_node=1
have_sponge=0; have sponge && have_sponge=1
have_flock=0; have flock && have_flock=1

# --- build -------------------------------------------------------------------------------------

build_bench dd-atomic dd-bench-atomic dd-bench-spawn
ddatomic=$build/tools/dd-atomic
bench=$build/bench/dd-bench-atomic
spawn=$build/bench/dd-bench-spawn

# --- scratch space -----------------------------------------------------------------------------

load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)  # other work on the machine shows in the figures
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ddsafe-bench.XXXXXX")
export DD_JOURNAL=$tmp/journal.jsonl  # never the user's journal
cleanup() {
  local p
  for p in $(jobs -p); do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp" ${shm:+"$shm"}
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fs=$(df -T "$tmp" | awk 'NR == 2 {print $2}')
shm_fs=$(df -T /dev/shm 2>/dev/null | awk 'NR == 2 {print $2}')
shm=""  # a dir on tmpfs, when /dev/shm is one and $tmp is not
[[ $shm_fs == tmpfs && $fs != tmpfs ]] && shm=$(mktemp -d /dev/shm/ddsafe-bench.XXXXXX)
[[ $fs == tmpfs ]] && say "bench: $tmp is on tmpfs, where fsync costs nothing;" \
  "set TMPDIR to a directory on a disk to measure durability"
printf '%0*d\n' $((size - 1)) 0 >"$tmp/data"  # 4 KiB of text

figures=$tmp/figures.txt  # bench=NAME ns_per_op=... lines from every program
touch "$figures"
fig() { awk -v n="bench=$1" '$1 == n {sub("ns_per_op=", "", $2); print $2}' "$figures"; }
version() {
  awk -v n="bench=$1" '$1 == n {
    for (i = 2; i <= NF; i++) if ($i ~ /^version=/) { sub("version=", "", $i); print $i } }' \
    "$figures"
}

# --- 1. in-process replacement -----------------------------------------------------------------

say "bench: 4 KiB replace in-process (C++: floor and library, interleaved, with the breakdown)"
mkdir "$tmp/replace"
"$bench" replace --dir "$tmp/replace" --iters "$iters" --reps "$reps" --size "$size" --steps \
  >>"$figures"
if ((have_py)); then
  say "bench: 4 KiB replace in-process (Python atomicwrites)"
  "$py" "$peers/atomicwrites_peer.py" loop "$tmp/replace" "$iters" "$reps" "$size" >>"$figures"
fi
if ((have_node)); then
  say "bench: 4 KiB replace in-process (write-file-atomic)"
  node "$peers/write_file_atomic_peer.js" loop "$tmp/replace" "$iters" "$reps" "$size" >>"$figures"
fi

say "bench: 4 KiB replace in-process, in a directory of $crowd other files"
mkdir "$tmp/crowded"
"$bench" replace --dir "$tmp/crowded" --iters "$iters" --reps "$reps" --size "$size" \
  --crowd "$crowd" --only floor,ddsafe | sed 's/^bench=/bench=crowded./' >>"$figures"
if [[ -n $shm ]]; then
  say "bench: 4 KiB replace in-process on tmpfs (no disk: what the library itself costs)"
  "$bench" replace --dir "$shm" --iters $((iters * 5)) --reps "$reps" --size "$size" --steps \
    --only floor.no_sync,ddsafe.atomic,no_sync | sed 's/^bench=/bench=tmpfs./' >>"$figures"
fi

lib=$(fig ddsafe.durable); floor=$(fig floor.durable); r=$(ratio "$floor" "$lib")
row "4 KiB replace, durable, in-process (µs/op)" "$(us "$lib")" \
  "raw floor: O_EXCL temp, write, fsync, rename, fsync dir (kept open)" "$(us "$floor")" "${r}×" \
  "≥ 0.9×" "$(verdict_ge "$r" 0.9)"
lib_ns=$(fig ddsafe.atomic); floor_ns=$(fig floor.no_sync); r=$(ratio "$floor_ns" "$lib_ns")
row "4 KiB replace, no fsync (Durability::atomic), in-process (µs/op)" "$(us "$lib_ns")" \
  "raw floor without the fsyncs" "$(us "$floor_ns")" "${r}×" "≥ 0.9×" "$(verdict_ge "$r" 0.9)"
p=$(fig crowded.ddsafe.durable); q=$(fig crowded.floor.durable)
row "  same, durable, in a directory of $crowd other files (µs/op)" "$(us "$p")" "raw floor, same" \
  "$(us "$q")" "$(ratio "$q" "$p")×" "—" "info"
p=$(fig crowded.ddsafe.atomic); q=$(fig crowded.floor.no_sync)
row "  same, no fsync, in a directory of $crowd other files (µs/op)" "$(us "$p")" \
  "raw floor, same" "$(us "$q")" "$(ratio "$q" "$p")×" "—" "info"
if [[ -n $shm ]]; then
  p=$(fig tmpfs.ddsafe.atomic); q=$(fig tmpfs.floor.no_sync)
  row "  same, on tmpfs: no disk, the library's own cost (µs/op)" "$(us "$p")" "raw floor, same" \
    "$(us "$q")" "$(ratio "$q" "$p")×" "—" "info"
fi
if ((have_py)); then
  p=$(fig atomicwrites.atomic_write)
  row "" "" "Python atomicwrites $(version atomicwrites.atomic_write) atomic_write (fsync file + dir)" \
    "$(us "$p")" "$(ratio "$p" "$lib")×" "—" "info"
fi
if ((have_node)); then
  p=$(fig write-file-atomic.sync)
  row "" "" "write-file-atomic $(version write-file-atomic.sync) sync (fsync file, not dir)" \
    "$(us "$p")" "$(ratio "$p" "$lib")×" "—" "info"
  p=$(fig write-file-atomic.sync_no_fsync)
  row "" "" "write-file-atomic sync {fsync: false}, vs ddsafe no fsync ($(us "$lib_ns") µs)" \
    "$(us "$p")" "$(ratio "$p" "$lib_ns")×" "—" "info"
fi

# --- 2. whole commands -------------------------------------------------------------------------

cli=$tmp/cli
mkdir "$cli"
for f in dd dd-no-sync sponge sponge-shm py node; do cp "$tmp/data" "$cli/$f.dat"; done
# dd-bench-spawn command lines: NAME [VAR=VALUE...] PROGRAM ARGS... [<STDIN], joined by ":::".
cmds=(dd "$ddatomic" "$cli/dd.dat" "<$tmp/data"
  ::: dd_no_sync "$ddatomic" --no-sync "$cli/dd-no-sync.dat" "<$tmp/data"
  ::: dd_version "$ddatomic" --version)
if ((have_sponge)); then
  # sponge's temp goes to $TMPDIR: on the target's filesystem it is renamed over the target;
  # on another (a tmpfs /tmp or /dev/shm) it is copied into the truncated target, not atomic.
  cmds+=(::: sponge "TMPDIR=$cli" sponge "$cli/sponge.dat" "<$tmp/data"
    ::: sponge_start sponge)  # empty stdin copied to stdout: start-up alone
  [[ -n $shm ]] &&
    cmds+=(::: sponge_shm TMPDIR=/dev/shm sponge "$cli/sponge-shm.dat" "<$tmp/data")
fi
((have_py)) && cmds+=(::: py "$py" "$peers/atomicwrites_peer.py" write "$cli/py.dat" "<$tmp/data")
((have_node)) &&
  cmds+=(::: node node "$peers/write_file_atomic_peer.js" write "$cli/node.dat" "<$tmp/data")

how="median of $cli_runs runs, interleaved"
say "bench: whole commands ($how)"
"$spawn" --runs "$cli_runs" --warmup 10 -- "${cmds[@]}" >>"$figures"
cmd_ns() { fig "cli.$1"; }

# A cross-check with hyperfine (mean of sh -c runs, less the shell's start-up as it measures it).
if have hyperfine && ((have_sponge)); then
  say "bench: the same, dd-atomic and sponge under hyperfine"
  hyperfine --style none --warmup 10 --runs "$cli_runs" --export-json "$tmp/hyperfine.json" \
    "$ddatomic $cli/dd.dat < $tmp/data" "TMPDIR=$cli sponge $cli/sponge.dat < $tmp/data" \
    >/dev/null 2>"$tmp/hyperfine.err" ||
    { say "bench: hyperfine failed:"; tail -n 5 "$tmp/hyperfine.err" >&2; }
  [[ -s $tmp/hyperfine.json ]] && "$py" -c '
import json, sys
for name, r in zip(("dd", "sponge"), json.load(open(sys.argv[1]))["results"]):
    print("bench=hyperfine.%s ns_per_op=%.0f median=%.0f runs=%d" % (
        name, r["mean"] * 1e9, r["median"] * 1e9, len(r["times"])))' "$tmp/hyperfine.json" \
    >>"$figures"
fi

dd=$(cmd_ns dd)
if ((have_sponge)); then
  r=$(ratio "$(cmd_ns sponge)" "$dd")
  row "\`dd-atomic F < 4KiB\`, durable (ms; $how)" "$(ms2 "$dd")" \
    "\`sponge F < 4KiB\` (never fsyncs; TMPDIR on F's filesystem)" "$(ms2 "$(cmd_ns sponge)")" \
    "${r}×" "≥ 1.5×" "$(verdict_ge "$r" 1.5)"
  row "  \`dd-atomic --no-sync F\` (ms)" "$(ms2 "$(cmd_ns dd_no_sync)")" \
    "\`sponge F\`, same" "$(ms2 "$(cmd_ns sponge)")" \
    "$(ratio "$(cmd_ns sponge)" "$(cmd_ns dd_no_sync)")×" "—" "info"
  row "  start-up only: \`dd-atomic --version\` (ms)" "$(ms2 "$(cmd_ns dd_version)")" \
    "\`sponge < /dev/null\` (copies nothing to stdout)" "$(ms2 "$(cmd_ns sponge_start)")" \
    "$(ratio "$(cmd_ns sponge_start)" "$(cmd_ns dd_version)")×" "—" "info"
  if [[ -n $(fig hyperfine.dd) ]]; then
    r=$(ratio "$(fig hyperfine.sponge)" "$(fig hyperfine.dd)")
    row "  cross-check: hyperfine, mean of \`sh -c\` less the shell (ms)" \
      "$(ms2 "$(fig hyperfine.dd)")" "\`sponge F < 4KiB\`, same" "$(ms2 "$(fig hyperfine.sponge)")" \
      "${r}×" "—" "info"
  fi
  [[ -n $(cmd_ns sponge_shm) ]] &&
    row "" "" "\`TMPDIR=/dev/shm sponge F\`: cross-FS, truncates F and copies (not atomic)" \
      "$(ms2 "$(cmd_ns sponge_shm)")" "$(ratio "$(cmd_ns sponge_shm)" "$dd")×" "—" "info"
else
  row "\`dd-atomic F < 4KiB\`, durable (ms; $how)" "$(ms2 "$dd")" "sponge missing" "—" "—" \
    "≥ 1.5×" "not run"
fi
((have_py)) && row "" "" "\`python3 atomicwrites F < 4KiB\` (fsync file + dir)" \
  "$(ms2 "$(cmd_ns py)")" "$(ratio "$(cmd_ns py)" "$dd")×" "—" "info"
((have_node)) && row "" "" "\`node write-file-atomic F < 4KiB\` (fsync file)" \
  "$(ms2 "$(cmd_ns node)")" "$(ratio "$(cmd_ns node)" "$dd")×" "—" "info"

# --- 3. contended read-modify-write counter ----------------------------------------------------

# worker KIND FILE N: one of the $workers processes; prints how many increments reported failure.
worker() {
  local kind=$1 f=$2 n=$3 i failed=0
  case $kind in
    dd-atomic)
      for ((i = 0; i < n; i++)); do
        "$ddatomic" --lock "$f" -- jq '.n += 1' "$f" || failed=$((failed + 1))
      done ;;
    flock)
      for ((i = 0; i < n; i++)); do
        # shellcheck disable=SC2016  # expanded by the inner shell
        flock "$f.lock" sh -c 'jq ".n += 1" "$1" >"$1.tmp" && mv "$1.tmp" "$1"' _ "$f" ||
          failed=$((failed + 1))
      done ;;
    update_file) "$bench" counter "$f" "$n" || failed=$n ;;
    python) "$py" "$peers/atomicwrites_peer.py" counter "$f" "$n" || failed=$n ;;
    node) node "$peers/write_file_atomic_peer.js" counter "$f" "$n" || failed=$n ;;
  esac
  echo "$failed"
}

# counter KIND N: $workers workers at once, N increments each; prints
# "NS_PER_INCREMENT LOST FAILED FINAL" (FINAL "corrupt" when cfg.json no longer parses).
counter() {
  local kind=$1 n=$2 dir=$tmp/counter-$1 w t0 t1 final failed=0 pids=()
  mkdir "$dir"
  echo '{"n": 0}' >"$dir/cfg.json"
  t0=$(now_ns)
  for ((w = 0; w < workers; w++)); do
    worker "$kind" "$dir/cfg.json" "$n" >"$dir/failed.$w" 2>>"$tmp/stderr.log" &
    pids+=($!)
  done
  for w in "${pids[@]}"; do wait "$w" || true; done
  t1=$(now_ns)
  for ((w = 0; w < workers; w++)); do failed=$((failed + $(cat "$dir/failed.$w"))); done
  final=$(jq -e '.n' "$dir/cfg.json" 2>/dev/null) || final=corrupt
  local lost=$((workers * n))
  [[ $final == corrupt ]] || lost=$((workers * n - final))
  echo "$(((t1 - t0) / (workers * n))) $lost $failed $final"
}

say "bench: contended counter, $workers processes × $cli_incr increments (CLI)"
read -r dd_t dd_lost dd_failed dd_final < <(counter dd-atomic "$cli_incr")
((have_flock)) && read -r fl_t fl_lost fl_failed fl_final < <(counter flock "$cli_incr")
say "bench: contended counter, $workers processes × $incr increments (in-process)"
read -r uf_t uf_lost uf_failed uf_final < <(counter update_file "$incr")
((have_py)) && read -r py_t py_lost py_failed py_final < <(counter python "$incr")
((have_node)) && read -r nd_t nd_lost nd_failed nd_final < <(counter node "$incr")

lost_of() { echo "$(ms2 "$1") ms, $2 lost, $3 failed"; }
zero() { if [[ $1 == 0 && $2 == 0 ]]; then echo pass; else echo FAIL; fi; }
expected_cli=$((workers * cli_incr)); expected=$((workers * incr))
row "counter, $workers × $cli_incr: \`dd-atomic --lock F -- jq '.n += 1' F\` (ms/increment)" \
  "$(lost_of "$dd_t" "$dd_lost" "$dd_failed")" \
  "\`flock F.lock sh -c 'jq … F > tmp && mv tmp F'\` (no fsync)" \
  "$( ((have_flock)) && lost_of "$fl_t" "$fl_lost" "$fl_failed" || echo "flock missing")" \
  "$( ((have_flock)) && ratio "$fl_t" "$dd_t" || echo —)×" "0 lost" "$(zero "$dd_lost" "$dd_failed")"
row "counter, $workers × $incr: \`ddsafe::update_file\` in-process (ms/increment)" \
  "$(lost_of "$uf_t" "$uf_lost" "$uf_failed")" "" "" "" "0 lost" "$(zero "$uf_lost" "$uf_failed")"
((have_py)) && row "" "" "Python filelock + atomicwrites (fsync file + dir)" \
  "$(lost_of "$py_t" "$py_lost" "$py_failed")" "$(ratio "$py_t" "$uf_t")×" "0 lost" \
  "$(zero "$py_lost" "$py_failed")"
((have_node)) && row "" "" "proper-lockfile + write-file-atomic (fsync file)" \
  "$(lost_of "$nd_t" "$nd_lost" "$nd_failed")" "$(ratio "$nd_t" "$uf_t")×" "0 lost" \
  "$(zero "$nd_lost" "$nd_failed")"

# --- 4. syscalls per operation (strace -c counts; exact, unlike strace's times) -----------------

calls() {  # calls OUT CMD...: total syscalls of CMD and its children
  strace -f -c -w -o "$1" "${@:2}" >/dev/null 2>&1 </dev/null || { echo "?"; return; }
  awk '$NF == "total" {print $4}' "$1"
}
per_op_calls() {  # per_op_calls WORKLOAD: (calls with 121 ops - calls with 11 ops) / 110
  local d=$tmp/strace-$1 a b
  mkdir -p "$d"
  a=$(calls "$d/a" "$bench" replace --dir "$d" --iters 10 --reps 1 --only "$1")
  b=$(calls "$d/b" "$bench" replace --dir "$d" --iters 110 --reps 1 --only "$1")
  [[ $a == "?" || $b == "?" ]] && { echo "?"; return; }
  awk -v a="$a" -v b="$b" 'BEGIN {printf "%.1f", (b - a) / 110}'
}
declare -a syscall_lines=()
if have strace; then
  say "bench: syscall counts (strace -c)"
  for w in floor.durable ddsafe.durable floor.no_sync ddsafe.atomic; do
    syscall_lines+=("$(printf '%-28s %6s per replacement' "$w" "$(per_op_calls "$w")")")
  done
  syscall_lines+=("$(printf '%-28s %6s per command' "dd-atomic F < 4KiB" \
    "$(sh -c "exec strace -f -c -o $tmp/st.dd $ddatomic $cli/dd.dat < $tmp/data" >/dev/null 2>&1 &&
      awk '$NF == "total" {print $4}' "$tmp/st.dd")")")
  ((have_sponge)) && syscall_lines+=("$(printf '%-28s %6s per command' "sponge F < 4KiB" \
    "$(TMPDIR=$cli sh -c "exec strace -f -c -o $tmp/st.sp sponge $cli/sponge.dat < $tmp/data" \
      >/dev/null 2>&1 && awk '$NF == "total" {print $4}' "$tmp/st.sp")")")
fi

# --- report ------------------------------------------------------------------------------------

echo
echo "ddsafe atomic-file benchmarks — $(uname -srm), $(nproc) CPU, $fs $(dirname "$tmp")," \
  "load average at start $load_at_start, at end $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| workload | ddsafe | peer | peer figure | peer ÷ ddsafe (time) | target | result |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "Counters: expected n = $expected_cli (CLI) and $expected (in-process); final n:" \
  "dd-atomic ${dd_final}, flock+jq+mv ${fl_final:-—}, update_file ${uf_final}," \
  "Python ${py_final:-—}, Node ${nd_final:-—}."
echo
echo "Library replacement, its syscalls issued bare and added step by step (µs/op, median):"
printf '  %-36s %14s %14s %14s\n' "" "$fs durable" "$fs no fsync" "${shm:+tmpfs no fsync}"
awk '$1 ~ /^bench=(tmpfs\.)?(durable|no_sync)\.step/ {
       n = $1; sub("bench=", "", n); k = (n ~ /^tmpfs/) ? "t" : (n ~ /^durable/) ? "d" : "n"
       sub("^(tmpfs\\.)?(durable|no_sync)\\.", "", n)
       v = $2; sub("ns_per_op=", "", v); t[n, k] = v / 1000; if (!(n in seen)) { seen[n] = 1; o[++c] = n } }
     $1 ~ /^bench=(tmpfs\.)?ddsafe\.(durable|atomic)$/ {
       n = $1; sub("bench=", "", n); v = $2; sub("ns_per_op=", "", v); lib[n] = v / 1000 }
     function cell(v) { return v == "" ? sprintf("%14s", "") : sprintf("%14.1f", v) }
     END { for (i = 1; i <= c; i++)
             printf "  %-36s %s %s %s\n", o[i], cell(t[o[i], "d"]), cell(t[o[i], "n"]), cell(t[o[i], "t"])
           printf "  %-36s %s %s %s\n", "AtomicFile create+write+commit", cell(lib["ddsafe.durable"]),
             cell(lib["ddsafe.atomic"]), cell(lib["tmpfs.ddsafe.atomic"]) }' "$figures"
if ((have_sponge)); then
  echo
  echo "Whole commands, where the time goes (ms, medians; differences of the rows above):"
  awk -v d="$(cmd_ns dd)" -v n="$(cmd_ns dd_no_sync)" -v v="$(cmd_ns dd_version)" \
    -v s="$(cmd_ns sponge)" -v z="$(cmd_ns sponge_start)" 'BEGIN {
      printf "  dd-atomic F %6.2f = start-up (--version) %.2f + replace, no fsync %.2f + fsync file and dir %.2f\n", d / 1e6, v / 1e6, (n - v) / 1e6, (d - n) / 1e6
      printf "  sponge F    %6.2f = start-up (empty stdin) %.2f + replace, no fsync %.2f\n", s / 1e6, z / 1e6, (s - z) / 1e6 }'
fi
if ((${#syscall_lines[@]})); then
  echo
  echo "Syscalls (strace -f -c; in-process figures are per replacement, start-up excluded):"
  printf '  %s\n' "${syscall_lines[@]}"
  for w in floor.durable ddsafe.durable floor.no_sync ddsafe.atomic; do
    [[ -s $tmp/strace-$w/b ]] || continue
    echo
    echo "  $w, 121 replacements: the costliest syscalls (strace -c -w: wall time, tracing" \
      "included)"
    awk 'NR > 2 && $1 ~ /^[0-9.]+$/ && n++ < 6 {print "    " $0}' "$tmp/strace-$w/b"
  done
fi
echo
echo "Raw figures:"
sed 's/^/  /' "$figures"
if [[ -s $tmp/stderr.log ]]; then
  echo
  echo "stderr of the commands the bench ran (last 10 lines):"
  tail -n 10 "$tmp/stderr.log" | sed 's/^/  /'
fi
