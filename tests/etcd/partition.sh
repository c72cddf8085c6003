#!/usr/bin/env bash
# Partition: a dd-lock holder cut off from the etcd quorum stops its command before any other
# holder acquires. Usage: partition.sh TOOLS_DIR   (exit 0 pass, 1 fail, 77 skipped)
#
# Two network namespaces made here, joined by one veth pair and nothing else (no default route,
# no link to the machine's network): A holds members m0, m1 and the waiter; B holds member m2
# and the holder, which talks to m2 only. m2 is made the leader first (the harder case: an
# isolated old leader goes on answering keepalives until it steps down). The cut is an nft drop
# of everything on B's veth, inside B; links are never brought down. Both sides stamp wall-clock
# nanoseconds (one kernel, one clock): the holder's command when it is told to stop, the waiter's
# command when it starts. Order required: stopped < acquired.
set -u
tools=$(cd "$1" && pwd)
[ "$(id -u)" -eq 0 ] || { echo "SKIP: network namespaces need root here"; exit 77; }
command -v etcd >/dev/null || { echo "FAIL: etcd not installed (scripts/deps.sh)"; exit 1; }
command -v nft >/dev/null || { echo "FAIL: nft not installed (scripts/deps.sh)"; exit 1; }
ns=ddl$$
A=${ns}a B=${ns}b
work=$(mktemp -d "${TMPDIR:-/tmp}/ddsafe-partition-XXXXXX")
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  ip netns del "$A" 2>/dev/null; ip netns del "$B" 2>/dev/null
  [ -n "${KEEP:-}" ] && { cat "$work"/m*/log | grep -iE "error|warn" | head -20; }; rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' TERM INT HUP  # so that cleanup runs
if ! ip netns add "$A" 2>"$work/err" || ! ip netns add "$B" 2>>"$work/err"; then
  echo "SKIP: cannot create network namespaces: $(cat "$work/err")"; exit 77
fi
inA() { ip netns exec "$A" "$@"; }
inB() { ip netns exec "$B" "$@"; }
# A 10.N.0.0/30 subnet per run; it exists only between the two namespaces.
net=10.$((200 + $$ % 50)).$(($$ % 250))
ip link add "${ns}x" netns "$A" type veth peer name "${ns}y" netns "$B" || exit 1
inA ip link set lo up; inB ip link set lo up
inA ip addr add "$net.1/30" dev "${ns}x"; inB ip addr add "$net.2/30" dev "${ns}y"
inA ip link set "${ns}x" up; inB ip link set "${ns}y" up
ip_of=("$net.1" "$net.1" "$net.2")
ns_of=("$A" "$A" "$B")
cluster="m0=http://$net.1:22380,m1=http://$net.1:23380,m2=http://$net.2:24380"
for i in 0 1 2; do
  mkdir -p "$work/m$i"
  c="http://${ip_of[i]}:2$((2 + i))379" p="http://${ip_of[i]}:2$((2 + i))380"
  ip netns exec "${ns_of[i]}" etcd --name "m$i" --data-dir "$work/m$i/data" --logger=zap \
    --log-outputs="$work/m$i/log" --listen-client-urls "$c" --advertise-client-urls "$c" \
    --listen-peer-urls "$p" --initial-advertise-peer-urls "$p" --initial-cluster "$cluster" \
    --initial-cluster-state new --initial-cluster-token "$ns" --heartbeat-interval 50 \
    --election-timeout 500 --listen-metrics-urls "http://127.0.0.1:2$((2 + i))381" \
    >/dev/null 2>&1 &
  pids+=($!)
done
ep=("$net.1:22379" "$net.1:23379" "$net.2:24379")
ready() { ip netns exec "$1" env ETCDCTL_API=3 etcdctl --endpoints="$2" --command-timeout=1s get x >/dev/null 2>&1; }
for i in 0 1 2; do
  for t in $(seq 300); do ready "${ns_of[i]}" "${ep[i]}" && break; sleep 0.05; done
  ready "${ns_of[i]}" "${ep[i]}" || { echo "FAIL: member m$i not ready"; tail -n 5 "$work/m$i/log"; exit 1; }
done
# Make m2 the leader.
m2id=$(inB env ETCDCTL_API=3 etcdctl --endpoints="${ep[2]}" endpoint status -w json |
  python3 -c 'import json,sys; print("%x" % json.load(sys.stdin)[0]["Status"]["header"]["member_id"])')
inA env ETCDCTL_API=3 etcdctl --endpoints="${ep[0]},${ep[1]},${ep[2]}" move-leader "$m2id" >/dev/null 2>&1
role=$(inB env ETCDCTL_API=3 etcdctl --endpoints="${ep[2]}" endpoint status -w json |
  python3 -c 'import json,sys; s=json.load(sys.stdin)[0]["Status"]; print("leader" if s["leader"]==s["header"]["member_id"] else "follower")')

# Holder in B, on m2 only; its command stamps the moment it is told to stop.
# `ip netns exec` execs the command in place, so $! is dd-lock's own pid.
ip netns exec "$B" "$tools/dd-lock" -q --journal "$work/journal" --backend "etcd://${ep[2]}/part" --ttl 2 job -- \
  sh -c "trap 'date +%s%N > $work/stopped; exit 0' TERM; touch $work/started; while :; do sleep 0.01; done" &
holder=$!; pids+=($holder)
for t in $(seq 500); do [ -e "$work/started" ] && break; sleep 0.02; done
[ -e "$work/started" ] || { echo "FAIL: holder never started its command"; exit 1; }
ip netns exec "$A" "$tools/dd-lock" -q --backend "etcd://${ep[0]},${ep[1]}/part" -w 30 job -- \
  sh -c "date +%s%N > $work/acquired" &
waiter=$!; pids+=($waiter)
sleep 0.5
[ -e "$work/acquired" ] && { echo "FAIL: the waiter acquired while the holder was connected"; exit 1; }
cut_at=$(date +%s%N)
inB nft -f - <<EOF || exit 1
table inet ddsafe_cut {
  chain in { type filter hook input priority 0; iifname "${ns}y" drop; }
  chain out { type filter hook output priority 0; oifname "${ns}y" drop; }
}
EOF
# Bounded waits: a holder that never stops must fail this test, not hang it.
finish() {  # finish PID SECONDS: its exit status, or 124 (killed) if it runs longer
  local t
  for ((t = 0; t < $2 * 20; t++)); do kill -0 "$1" 2>/dev/null || break; sleep 0.05; done
  kill -KILL "$1" 2>/dev/null && { wait "$1" 2>/dev/null; return 124; }
  wait "$1"
}
finish $holder 20; hrc=$?
finish $waiter 40; wrc=$?
stopped=$(cat "$work/stopped" 2>/dev/null || echo 0)
acquired=$(cat "$work/acquired" 2>/dev/null || echo 0)
echo "m2 was the $role; cut at 0; holder's command stopped +$(( (stopped - cut_at) / 1000000 )) ms" \
  "(dd-lock exit $hrc); waiter acquired +$(( (acquired - cut_at) / 1000000 )) ms (exit $wrc)"
fail=0
[ "$hrc" -eq 75 ] || { echo "FAIL: holder exit $hrc, expected 75 (lock lost)"; fail=1; }
[ "$wrc" -eq 0 ] || { echo "FAIL: waiter exit $wrc"; fail=1; }
[ "$stopped" -gt 0 ] || { echo "FAIL: the holder's command was never told to stop"; fail=1; }
[ "$acquired" -gt 0 ] || { echo "FAIL: the waiter never ran"; fail=1; }
[ "$stopped" -lt "$acquired" ] || { echo "FAIL: the waiter acquired before the holder's command stopped"; fail=1; }
grep -q '"event":"lock_lost"' "$work/journal" || { echo "FAIL: lock_lost not journaled"; fail=1; }
[ $fail -eq 0 ] && echo PASS
exit $fail
