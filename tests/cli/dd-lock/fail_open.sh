# Proves: --on-timeout fail-open runs the command without the lock after the wait, with
# DD_LOCK_HELD=0, passes its status through, warns on stderr, and journals lock_fail_open with the
# lock path, the wait (>= 200 ms), the holder's pid and the tool. Without contention it takes the
# lock normally (DD_LOCK_HELD=1) and journals nothing.
source "$CLI_LIB"
rc dd-lock --on-timeout fail-open f sh -c 'echo uncontended held=$DD_LOCK_HELD'
echo "events so far: $(jcount "$DD_JOURNAL" lock_fail_open)"
dd-lock f sh -c "$HOLD" & holder=$!
wait_for test -e held
rc dd-lock -w 0.2 --on-timeout fail-open f sh -c 'echo ran held=$DD_LOCK_HELD; exit 4' 2>err
echo "warning says fail-open: $(yesno has err fail-open)"
echo "events: $(jcount "$DD_JOURNAL" lock_fail_open)"
p=$(jfield "$DD_JOURNAL" lock_fail_open path); echo "path names the lock file: $(yesno test "$p" = f -o "$p" = "$PWD/f")"
echo "tool=$(jfield "$DD_JOURNAL" lock_fail_open tool)"
echo "holder_pid is the holder: $(yesno test "$(jfield "$DD_JOURNAL" lock_fail_open holder_pid)" = "$holder")"
echo "waited_ms >= 200: $(yesno test "$(jfield "$DD_JOURNAL" lock_fail_open waited_ms)" -ge 200)"
echo "no lock_timeout: $(jcount "$DD_JOURNAL" lock_timeout)"
touch release; wait $holder
