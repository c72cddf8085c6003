#!/usr/bin/env bash
# bench/journal.sh: journal query benchmarks (docs/benchmarks.md); `bash bench/run.sh journal`.
#
# Installs what is missing (jq, hyperfine, GNU time; Debian packages, as root), builds a Release
# tree in build-bench (override with DDSAFE_BENCH_BUILD), generates a deterministic 1M-event
# journal (~220 MB, bench/journal_gen.cpp, fixed seed) in a temp dir removed at exit, warms the
# page cache, and runs side by side:
#   Q1 count of one event type,
#   Q2 the same in a 6-hour window, grouped by path (top 10),
#   Q3 all events of one path,
# with dd-journal, jq, and a grep/awk lower bound (grep -F prefilter + mawk). It checks that the
# three give the same answer and prints one markdown table: median wall time (hyperfine), peak
# memory (GNU time), ratios, targets (>= 30x jq, <= 2x grep/awk).
# Environment: BENCH_EVENTS (default 1000000), BENCH_RUNS (default 10), BENCH_JQ_RUNS (default 3).
set -euo pipefail
export LC_ALL=C

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${DDSAFE_BENCH_BUILD:-$repo/build-bench}
events=${BENCH_EVENTS:-1000000}
runs=${BENCH_RUNS:-10}
jq_runs=${BENCH_JQ_RUNS:-3}
say() { printf '%s\n' "$*" >&2; }

install_missing() {
  local pkgs=()
  command -v jq >/dev/null || pkgs+=(jq)
  command -v hyperfine >/dev/null || pkgs+=(hyperfine)
  command -v mawk >/dev/null || pkgs+=(mawk)
  [[ -x /usr/bin/time ]] || pkgs+=(time)
  ((${#pkgs[@]})) || return 0
  if [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null; then
    say "bench: missing ${pkgs[*]}; install them (as root)"; exit 1
  fi
  say "bench: installing ${pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "${pkgs[@]}" >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null && apt-get install -y -q "${pkgs[@]}" >/dev/null; }
}
install_missing

say "bench: building (Release) in $build"
cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release -DDDSAFE_BUILD_TESTS=OFF \
  -DDDSAFE_BUILD_BENCH=ON -DDDSAFE_WERROR=ON >/dev/null
cmake --build "$build" -j "$(nproc)" --target dd-journal dd-bench-journal-gen >/dev/null
ddj=$build/tools/dd-journal

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ddsafe-bench-journal.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
j=$tmp/journal.jsonl
export DD_JOURNAL=$j DD_JOURNAL_MAX_BYTES=0
say "bench: generating $events events"
"$build/bench/dd-bench-journal-gen" "$j" "$events"
size_mb=$(( $(stat -c %s "$j") / 1000000 ))
cat "$j" > /dev/null  # warm the page cache: every tool reads from memory
load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)

ev=lock_fail_open
since=2026-01-10T00:00:00Z
until=2026-01-10T06:00:00Z
path=/srv/state/sess-0042.lock
declare -A cmd
cmd[Q1.dd]="$ddj query --event $ev --count"
cmd[Q1.jq]="jq -n 'reduce (inputs|select(.event==\"$ev\")) as \$x (0; .+1)' $j"
cmd[Q1.awk]="grep -cF '\"event\":\"$ev\"' $j"
cmd[Q2.dd]="$ddj stats --event $ev --since $since --until $until --by path --limit 10 -o tsv | tail -n +2 | cut -f1,4"
cmd[Q2.jq]="jq -rn '[inputs|select(.event==\"$ev\" and .ts>=\"$since\" and .ts<\"$until\")|.path]|group_by(.)|map([length,.[0]])|sort_by([-.[0],.[1]])|.[:10][]|@tsv' $j"
cmd[Q2.awk]="grep -F '\"event\":\"$ev\"' $j | mawk -F'\"' '\$6>=\"$since\" && \$6<\"$until\" {c[\$24]++} END {for (p in c) print c[p] \"\\t\" p}' | sort -t'	' -k1,1nr -k2,2 | head -n 10"
cmd[Q3.dd]="$ddj query --path $path -o json"
cmd[Q3.jq]="jq -c 'select(.path==\"$path\")' $j"
cmd[Q3.awk]="grep -F '\"path\":\"$path\"' $j"

# Every command writes to a file (never /dev/null, where GNU grep stops at the first match).
for q in Q1 Q2 Q3; do
  for t in dd jq awk; do bash -c "${cmd[$q.$t]}" > "$tmp/$q.$t.out"; done
  same=yes
  cmp -s "$tmp/$q.dd.out" "$tmp/$q.awk.out" || same=no
  cmp -s "$tmp/$q.dd.out" "$tmp/$q.jq.out" || same=no
  declare "same_$q=$same"
done

median_ms() {  # hyperfine JSON -> median milliseconds
  jq -r '.results[0].median * 1000 | . * 10 | round / 10' "$1"
}
cpu_ms() {  # hyperfine JSON -> mean user+system CPU milliseconds (less sensitive to other load)
  jq -r '(.results[0].user + .results[0].system) * 1000 | round' "$1"
}
peak_mb() {  # peak RSS of one run, MB
  /usr/bin/time -f %M bash -c "$1" 2>&1 >/dev/null | tail -n 1 | awk '{printf "%.1f", $1 / 1024}'
}
rows=()
for q in Q1 Q2 Q3; do
  declare -A ms=() cpu=()
  for t in dd jq awk; do
    n=$runs; [[ $t == jq ]] && n=$jq_runs
    say "bench: $q $t ($n runs)"
    hyperfine --style none --warmup 1 --runs "$n" --export-json "$tmp/$q.$t.json" \
      "bash -c '${cmd[$q.$t]//\'/\'\\\'\'} > $tmp/out'" >/dev/null
    ms[$t]=$(median_ms "$tmp/$q.$t.json")
    cpu[$t]=$(cpu_ms "$tmp/$q.$t.json")
  done
  vs_jq=$(awk -v a="${ms[jq]}" -v b="${ms[dd]}" 'BEGIN {printf "%.1f", a / b}')
  vs_awk=$(awk -v a="${ms[dd]}" -v b="${ms[awk]}" 'BEGIN {printf "%.2f", a / b}')
  ok=$(awk -v j="$vs_jq" -v w="$vs_awk" 'BEGIN {print (j >= 30 && w <= 2) ? "met" : "not met"}')
  same_var=same_$q
  cpu_vs_jq=$(awk -v a="${cpu[jq]}" -v b="${cpu[dd]}" 'BEGIN {printf "%.0f", a / (b > 0 ? b : 1)}')
  rows+=("| $q | ${ms[dd]} ms | ${ms[jq]} ms | ${ms[awk]} ms | ${vs_jq}x | ${vs_awk}x | ${cpu[dd]} / ${cpu[jq]} / ${cpu[awk]} ms (${cpu_vs_jq}x) | $(peak_mb "${cmd[$q.dd]}") MB / $(peak_mb "${cmd[$q.jq]}") MB | ${!same_var} | $ok |")
done

echo "Journal: $events events, $size_mb MB, page cache warm; median of $runs runs ($jq_runs for jq), hyperfine; load at start $load_at_start."
echo "Q1: count of \`$ev\`. Q2: Q1 in [$since, $until) grouped by path, top 10. Q3: all events of path \`$path\`."
echo
echo "| query | dd-journal | jq | grep/awk | jq / dd-journal (target >= 30x) | dd-journal / grep-awk (target <= 2x) | CPU dd-journal / jq / grep-awk (jq / dd-journal) | peak RSS dd-journal / jq | same answer | targets (wall) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---|---|"
printf '%s\n' "${rows[@]}"
