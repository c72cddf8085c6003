# Proves: the default timeout policy fails closed: after -w the command is not run, the exit
# status is the conflict code (1, or -E), the message names the holder, and a lock_timeout
# event is journaled with path, wait and holder pid (and no lock_fail_open). --on-timeout fail
# is the same as the default.
source "$CLI_LIB"
dd-lock f sh -c "$HOLD" & holder=$!
wait_for test -e held
rc dd-lock -w 0.2 f touch ran 2>err
echo "command ran: $(yesno test -e ran)"
echo "message names holder: $(yesno has err "pid $holder")"
echo "message says timed out: $(yesno grep -q 'timed out' err)"
echo "lock_timeout events: $(jcount "$DD_JOURNAL" lock_timeout)"
p=$(jfield "$DD_JOURNAL" lock_timeout path); echo "path names the lock file: $(yesno test "$p" = f -o "$p" = "$PWD/f")"
echo "holder_pid is the holder: $(yesno test "$(jfield "$DD_JOURNAL" lock_timeout holder_pid)" = "$holder")"
echo "waited_ms >= 200: $(yesno test "$(jfield "$DD_JOURNAL" lock_timeout waited_ms)" -ge 200)"
rc dd-lock -w 0.1 -E 42 --on-timeout fail f touch ran 2>/dev/null
echo "lock_timeout events: $(jcount "$DD_JOURNAL" lock_timeout)"
echo "lock_fail_open events: $(jcount "$DD_JOURNAL" lock_fail_open)"
touch release; wait $holder
