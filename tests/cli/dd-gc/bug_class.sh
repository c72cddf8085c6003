# Proves the bug class is fixed: a live command that exits 1 with empty output (the daemon is
# down) removes nothing, exits 0 and journals gc_skipped with the reason; one that succeeds with
# empty output removes the dead sessions and keeps the session-locked one.
source "$CLI_LIB"
mkdir -p root/dead1/data root/dead2 root/live/data
touch root/dead1/.session.lock root/dead2/.session.lock root/dead1/data/f root/live/data/creds
dd-lock root/live/.session.lock sh -c "$HOLD" & holder=$!
wait_for test -e held
rc dd-gc --min-age 0 --live-cmd 'exit 1' root 2>err
echo "warned: $(yesno has err 'pass skipped, nothing removed')"
echo "left: $(files root)"
echo "gc_skipped: $(jcount "$DD_JOURNAL" gc_skipped) reason=$(jfield "$DD_JOURNAL" gc_skipped reason)"
echo "detail names the status: $(yesno test -n "$(jfield "$DD_JOURNAL" gc_skipped detail | grep 'status 1')")"
rc dd-gc --min-age 0 --live-cmd 'true' root
echo "left: $(files root)"
echo "live data intact: $(yesno test -f root/live/data/creds)"
echo "gc_reaped: $(jcount "$DD_JOURNAL" gc_reaped)"
touch release; wait $holder
