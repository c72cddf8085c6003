# Proves: a blocking waiter (no -n/-w) waits while the lock is held, and runs its command as soon
# as the holder exits — after the holder's command finished, never before (checked by the order
# of lines both append to one log), exiting with its command's status.
source "$CLI_LIB"
dd-lock f sh -c "$HOLD; echo holder-done >> log" & h=$!
wait_for test -e held
dd-lock f sh -c 'echo waiter-ran >> log; exit 6' & w=$!
dd-lock -w 5 -s f sh -c 'echo shared-waiter-ran >> log' & s=$!
sleep 0.3
echo "waiter still waiting after 0.3s: $(yesno alive $w)"
echo "log before release: $(cat log 2>/dev/null)"
touch release
wait $h; echo "holder rc=$?"
wait $w; echo "waiter rc=$?"
wait $s; echo "shared waiter rc=$?"
head -n 1 log
sort log | tr '\n' ' '; echo
