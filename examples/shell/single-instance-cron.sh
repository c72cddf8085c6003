#!/usr/bin/env bash
# Recipe: a cron job that must never run twice at once, and that skips a run (successfully)
# while the previous one is still going:
#
#   */5 * * * *  dd-lock -n -E 0 /run/lock/backup.lock -- /usr/local/bin/backup
#
# -n: do not wait; -E 0: a busy lock is not an error for cron (use -E 75 to see it in mail).
# If the job dies, the kernel drops its flock: no stale pid file blocks the next run.
#
# Run it in an empty directory: `bash single-instance-cron.sh` prints what happened.
set -euo pipefail
lock=backup.lock

job() {  # the cron line; the job appends to runs.log and waits for a "release" file
  dd-lock -n -E 0 "$lock" -- sh -c 'echo "run $1" >> runs.log; touch running
    while [ ! -e release ]; do sleep 0.01; done; rm -f running' job "$1"
}

job 1 &
first=$!
while [ ! -e running ]; do sleep 0.01; done

# Cron fires again while run 1 is still going: it is skipped, and cron sees success (dd-lock
# still names the holder on stderr, which cron mails; add 2>/dev/null to drop that too).
job 2 2> holder.txt
echo "second start while the first runs: exit $?, runs so far: $(wc -l < runs.log)"
grep -q "held by another process" holder.txt && echo "and it said who holds the lock"

touch release
wait "$first"
rm -f release

# The next firing, after run 1 ended, runs normally.
touch release
job 3
echo "after the first run ended: $(paste -sd ' ' runs.log)"
