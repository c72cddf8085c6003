#!/usr/bin/env bash
# Recipe: garbage-collect session directories when the daemon that knows which sessions are
# alive may be down. The classic bug is
#
#   live=$(docker ps -q || true); for d in sessions/*; do ... rm -rf "$d"; done
#
# where a failing `docker ps` reads as "nothing is alive". dd-gc skips the whole pass when the
# live command fails (journaled as gc_skipped), never removes a session that holds its lock,
# and exits 0 either way, so a launcher under `set -e` survives its GC:
#
#   dd-gc --live-cmd 'docker ps --format "{{.Names}}"' --live-regex '^app-(.+)$|^' sessions
#
# Here a file stands for the daemon: ids in daemon/live, daemon/ missing while it is down.
# Run it in an empty directory: `bash session-gc-after-outage.sh` prints what happened.
set -euo pipefail
export DD_JOURNAL=$PWD/journal.jsonl
root=sessions
gc() { dd-gc -q --min-age 0 --live-cmd 'cat daemon/live' "$root"; }

mkdir -p "$root"/{locked,listed,dead}
# "locked" is a live session holding its session lock (as ddsafe::Session does).
dd-lock "$root/locked/.session.lock" -- sh -c 'touch held; while [ ! -e release ]; do sleep 0.01; done' &
holder=$!
while [ ! -e held ]; do sleep 0.01; done

# The daemon is down: the live command fails, the pass is skipped, nothing is removed.
gc
echo "daemon down: exit $?, sessions: $(ls "$root" | paste -sd ' ')"
echo "journaled: $(dd-journal query --event gc_skipped -o json | jq -r .reason)"

# The daemon is back and lists "listed": only "dead" (unlisted, unlocked) goes.
mkdir daemon
echo listed > daemon/live
gc
echo "daemon up: exit $?, sessions: $(ls "$root" | paste -sd ' ')"
echo "reaped: $(dd-journal query --event gc_reaped -o json | jq -r .id)"
touch release
wait "$holder"
