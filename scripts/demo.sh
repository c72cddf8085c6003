#!/usr/bin/env bash
# Installs what is missing, builds, and shows dd-lock doing its job: a lock contended by
# several processes, a fail-open that gets journaled, a stale lock recovered; dd-atomic refusing
# to clobber a file; the journal.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/deps.sh
bash scripts/build.sh build-demo -DDDSAFE_BUILD_TESTS=OFF -DDDSAFE_BUILD_BENCH=OFF >/dev/null
PATH="$root/build-demo/tools:$PATH"
work=$(mktemp -d "${TMPDIR:-/tmp}/ddsafe-demo-XXXXXX")
trap 'rm -rf "$work"' EXIT
export DD_JOURNAL="$work/journal.jsonl"
cd "$work"
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "1. Four processes append 200 lines each to one file under dd-lock"
echo 0 > counter
for w in 1 2 3 4; do
  ( for i in $(seq 1 50); do
      dd-lock .counter.lock -c 'n=$(cat counter); echo $((n + 1)) > counter'
    done ) &
done
wait
echo "counter after 4 x 50 locked read-modify-write increments: $(cat counter) (expected 200)"

say "2. A waiter gives up after 0.3 s and runs anyway (fail-open): never silent"
dd-lock .job.lock sleep 2 &
holder=$!
sleep 0.2
dd-lock -w 0.3 --on-timeout fail-open .job.lock -c 'echo "  running with DD_LOCK_HELD=$DD_LOCK_HELD"'
wait $holder

say "3. A holder dies but its lock fd lives on in an orphan (the flock(1) stale-lock trap)"
# flock(1)'s fd form: the shell opens the lock file, dd-lock locks it, then a background child
# inherits the descriptor and the shell exits. Only the orphan keeps the lock held.
bash -c 'exec 9>>.daemon.lock; dd-lock 9; sleep 30 & exit 0'
echo "  flock(1) would now wait until the orphan exits:"
if flock -w 0.5 .daemon.lock true; then echo "  flock: got it"; else echo "  flock -w 0.5: still held (exit $?)"; fi
echo "  dd-lock proves the owner dead (pid gone) and breaks the stale lock:"
dd-lock -v -w 5 .daemon.lock -c 'echo "  acquired, token $DD_LOCK_TOKEN"'
pkill -f 'sleep 30' || true

say "4. A hung holder (stopped) with a 1 s lease; --break-expired takes over after the lease"
dd-lock --ttl 1 .hung.lock sleep 30 &
hung=$!
sleep 0.2
kill -STOP $hung
start=$(date +%s%N)
dd-lock --break-expired -w 5 .hung.lock -c 'echo "  acquired, token $DD_LOCK_TOKEN"'
echo "  recovered $(( ($(date +%s%N) - start) / 1000000 )) ms after the holder hung (its 1000 ms lease was last renewed just before)"
kill -CONT $hung; wait $hung || echo "  the hung holder woke up, found its lock lost and exited $?"

say "5. dd-lock --status shows the holder"
dd-lock .status.lock sleep 1 &
sleep 0.2
dd-lock --status .status.lock || true
wait

say "6. dd-atomic: a failing producer or empty output never clobbers a file (unlike > and sponge)"
echo '{"name":"web","port":8080}' > cfg.json
echo "  cfg.json: $(cat cfg.json)"
dd-atomic cfg.json -- jq '.port =' cfg.json 2>&1 | sed 's/^/  /' || true
jq '.port =' cfg.json 2>/dev/null | dd-atomic cfg.json 2>&1 | sed 's/^/  /' || true
echo '{"name":' | dd-atomic --validate json cfg.json 2>&1 | sed 's/^/  /' || true
echo "  cfg.json is still: $(cat cfg.json)"
dd-atomic --backup cfg.json -- jq -c '.port = 8443' cfg.json
echo "  committed: $(cat cfg.json) (previous kept as cfg.json~: $(cat cfg.json~))"

say "7. dd-atomic --lock: 4 processes x 25 read-modify-write increments through jq, none lost"
echo '{"n":0}' > counter.json
for w in 1 2 3 4; do
  ( for i in $(seq 1 25); do dd-atomic --lock counter.json -- jq -c '.n += 1' counter.json; done ) &
done
wait
echo "  n = $(jq .n counter.json) (expected 100); with 'jq ... > tmp && mv tmp f' and no lock, updates get lost"

say "8. dd-gc: a failing liveness source never reaps live sessions; dead ones go"
mkdir -p sessions/{alive,dead1,dead2}
touch -d '2 hours ago' sessions/*
dd-lock sessions/alive/.session.lock sleep 30 &
alive_holder=$!
sleep 0.2
dd-gc --live-cmd 'false' sessions || true
echo "  after a pass whose live command failed: $(ls sessions | tr '\n' ' ')"
dd-gc --live-cmd 'echo alive' sessions
echo "  after a pass with a working live command: $(ls sessions | tr '\n' ' ')"
kill "$alive_holder" 2>/dev/null || true; wait "$alive_holder" 2>/dev/null || true

say "9. dd-launch: a fork bomb, a network probe and a chown inside a contained session"
if [ "$(id -u)" -eq 0 ]; then
  dd-launch run --state-dir "$PWD/launch" --pids-max 32 --timeout 2 -- \
    bash -c 'id -un; b(){ b|b& }; b; sleep 30' 2>&1 | grep -v 'fork: retry' | sed 's/^/  /' || true
  dd-launch run --state-dir "$PWD/launch" -- bash -c \
    'exec 3<>/dev/tcp/127.0.0.1/22 2>/dev/null && echo "network: reached" || echo "network: none";
     touch f; chown 0 f 2>/dev/null && echo "chown: allowed" || echo "chown: refused (no capabilities)"' 2>/dev/null |
    sed 's/^/  /'
  echo '{"name":"web","token":"secret"}' > launch-src.json
  dd-launch run --state-dir "$PWD/launch" --name web --config-src "$PWD/launch-src.json" \
    --config-drop /token -- sh -c 'echo "  session config: $(tr -d " \n" < "$DD_SESSION_CONFIG")"'
  echo '{"name":' > launch-src.json
  dd-launch run --state-dir "$PWD/launch" --name web --config-src "$PWD/launch-src.json" \
    -- sh -c 'echo "  after the source broke: $(tr -d " \n" < "$DD_SESSION_CONFIG")"' 2>&1 | sed 's/^dd-launch/  dd-launch/'
  dd-launch ls --state-dir "$PWD/launch" | sed 's/^/  /'
else
  echo "  (needs root: pids cgroups and bubblewrap; skipped)"
fi

say "10. The journal: every fail-open, stale break, aborted write and GC decision is on record"
dd-journal stats --by event
dd-journal query --event atomic_abort --event gc_skipped --event config_refresh_failed -o tsv | cut -f1-6
