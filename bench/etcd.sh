#!/usr/bin/env bash
# bench/etcd.sh: dd-lock on etcd against `etcdctl lock` (docs/benchmarks.md); `bash bench/run.sh
# etcd` runs it.
#
# Starts throwaway etcd clusters on 127.0.0.1 (1 member, then 3; free ports, data in a temp dir,
# SIGKILLed at the end; heartbeat 50 ms / election 500 ms) and measures, in one run:
#   1. lock+unlock round trip of one CLI call that runs `true` under the lock (median ms over
#      BENCH_ETCD_RUNS calls, process start included): `dd-lock --backend etcd://... NAME true`
#      against `etcdctl lock NAME true`;
#   2. takeover after holder death: the holder (TTL 2 s) is SIGKILLed; time until a waiting
#      locker's command starts (median of BENCH_REPS). etcdctl's dead holder leaves its command
#      running (it is not stopped); dd-lock's command dies with it.
# Prints one markdown table: workload, ddsafe, peer, ratio, target, result.
set -euo pipefail
# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
# shellcheck source=tests/support/etcd.sh
source "$repo/tests/support/etcd.sh"

reps=${BENCH_REPS:-5}
runs=${BENCH_ETCD_RUNS:-100}
command -v etcd >/dev/null && command -v etcdctl >/dev/null ||
  install_packages etcd-server etcd-client
command -v etcd >/dev/null || { say "bench: etcd-server is required"; exit 1; }
# BENCH_DD_LOCK=PATH measures an already built dd-lock instead of building build-bench.
if [[ -n ${BENCH_DD_LOCK:-} ]]; then
  ddlock=$BENCH_DD_LOCK
else
  build_bench dd-lock
  ddlock=$build/tools/dd-lock
fi
# Member data on tmpfs when there is one: the figures are then the lock protocol and not the
# disk's fsync latency (each write is fsynced to the WAL; ~125 MB of WAL per member).
data_root=/tmp; [[ -d /dev/shm && -w /dev/shm ]] && data_root=/dev/shm
work=$(mktemp -d "${BENCH_ETCD_DATA:-$data_root}/ddsafe-bench-etcd-XXXXXX")
trap 'etcd_stop_all; rm -rf "$work"' EXIT
export ETCDCTL_API=3

# round_trip CMD...: median ns of one call of CMD over $runs calls.
round_trip() {
  local i t0
  for ((i = 0; i < runs; i++)); do
    t0=$(now_ns)
    "$@" >/dev/null
    echo $(($(now_ns) - t0))
  done | median
}

# takeover KIND: ns from SIGKILL of the holder to the waiter's command start (one trial).
takeover() {
  local kind=$1 holder waiter name=t$RANDOM hold="echo \$\$ > $work/hpid; exec sleep 60"
  rm -f "$work/at" "$work/hpid"
  if [[ $kind == dd-lock ]]; then
    "$ddlock" -q --backend "etcd://$ETCD_ENDPOINTS/bench" --ttl 2 "$name" -- sh -c "$hold" &
    holder=$!
    until "$ddlock" --backend "etcd://$ETCD_ENDPOINTS/bench" --status "$name" >/dev/null 2>&1; do sleep 0.01; done
    "$ddlock" -q --backend "etcd://$ETCD_ENDPOINTS/bench" -w 30 "$name" -- sh -c "date +%s%N > $work/at" &
    waiter=$!
  else
    etcdctl --endpoints="$ETCD_ENDPOINTS" lock --ttl 2 "$name" -- sh -c "$hold" >/dev/null 2>&1 &
    holder=$!
    until [[ -n $(etcdctl --endpoints="$ETCD_ENDPOINTS" get --prefix "$name/" --keys-only 2>/dev/null) ]]; do sleep 0.01; done
    etcdctl --endpoints="$ETCD_ENDPOINTS" lock --ttl 2 "$name" -- sh -c "date +%s%N > $work/at" >/dev/null 2>&1 &
    waiter=$!
  fi
  sleep 0.3
  local t0
  t0=$(date +%s%N)
  kill -KILL "$holder"
  wait "$holder" 2>/dev/null || true
  wait "$waiter" 2>/dev/null || true
  # Does the dead holder's command live on (unlocked)? Noted, then ended by its pid.
  local cmd_pid
  cmd_pid=$(cat "$work/hpid")
  # (A zombie waiting for its new parent to reap it is dead: only a running process counts.)
  sleep 0.1
  if kill -0 "$cmd_pid" 2>/dev/null && [[ $(awk '{print $3}' "/proc/$cmd_pid/stat" 2>/dev/null) != Z ]]; then
    echo "$kind" >> "$work/survivors"
    kill -KILL "$cmd_pid"
  fi
  echo $(($(cat "$work/at") - t0))
}

for members in 1 3; do
  say "bench: etcd with $members member(s)"
  etcd_cluster "$members" "$work/c$members"
  dd=$(round_trip "$ddlock" -q --backend "etcd://$ETCD_ENDPOINTS/bench" rt true)
  peer=$(round_trip etcdctl --endpoints="$ETCD_ENDPOINTS" lock rt true)
  row "lock+unlock round trip, one CLI call, $members member(s) (median ms, n=$runs)" "$(ms2 "$dd")" \
    "\`etcdctl lock NAME true\`" "$(ms2 "$peer")" "$(ratio "$dd" "$peer")×" "≤ 1×" "$(verdict "$dd" "$peer")"
  dds=() peers=()
  for ((r = 0; r < reps; r++)); do dds+=("$(takeover dd-lock)"); peers+=("$(takeover etcdctl)"); done
  dd=$(printf '%s\n' "${dds[@]}" | median)
  peer=$(printf '%s\n' "${peers[@]}" | median)
  row "takeover after holder SIGKILL, TTL 2 s, $members member(s) (median ms, n=$reps)" "$(ms "$dd")" \
    "\`etcdctl lock --ttl 2\`" "$(ms "$peer")" "$(ratio "$dd" "$peer")×" "≤ TTL + 1 s" "$(verdict "$dd" 3000000000)"
  etcd_stop_all
done

printf '| workload | ddsafe | peer | peer value | ratio | target | result |\n'
printf '|---|---:|---|---:|---:|---|---|\n'
printf '%s\n' "${rows[@]}"
touch "$work/survivors"
printf '\nCommands still running after their holder was SIGKILLed: dd-lock %s of %s, etcdctl lock %s of %s.\n' \
  "$(grep -c dd-lock "$work/survivors")" $((2 * reps)) "$(grep -c etcdctl "$work/survivors")" $((2 * reps))
