#!/usr/bin/env bash
# Recipe: a job that must not stall behind a hung lock holder, but whose unlocked runs must be
# counted. After waiting 0.5 s it runs anyway (DD_LOCK_HELD=0 tells it so), with a warning and
# a lock_fail_open event in the journal, never silently:
#
#   dd-lock -w 0.5 --on-timeout fail-open state.lock -- sync-state
#   dd-journal stats --event lock_fail_open --by path      # how often, and where
#
# Run it in an empty directory: `bash fail-open-with-audit.sh` prints what happened.
set -euo pipefail
export DD_JOURNAL=$PWD/journal.jsonl    # this demo's own journal, not the user's
lock=state.lock

sync_state() {
  dd-lock -q -w 0.5 --on-timeout fail-open "$lock" -- \
    sh -c 'echo "sync (lock held: $DD_LOCK_HELD)" >> sync.log'
}

sync_state                                       # nobody holds the lock: runs locked

# A holder that hangs: it keeps the lock until "release" appears.
dd-lock "$lock" -- sh -c 'touch held; while [ ! -e release ]; do sleep 0.01; done' &
holder=$!
while [ ! -e held ]; do sleep 0.01; done
sync_state                                       # runs unlocked after 0.5 s, journaled
sync_state
touch release
wait "$holder"

cat sync.log
echo "fail-open events: $(dd-journal query --event lock_fail_open --count)"
dd-journal stats --event lock_fail_open --by path -o json |
  jq -r '"by path: \(.path | split("/") | last) \(.count)"'
