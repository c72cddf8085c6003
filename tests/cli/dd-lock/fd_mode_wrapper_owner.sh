# Proves: in the fd form the owner recorded is the shell that holds the descriptor, even when a
# wrapper (timeout) runs dd-lock and exits: a waiter must not break the lock as owner-dead while
# the shell still holds it (it did when the wrapper was recorded as the owner).
source "$CLI_LIB"
bash -c 'exec 9>>g; timeout 10 dd-lock 9; touch locked; sleep 2; true' &
shell=$!
wait_for test -e locked
rc dd-lock -w 0.5 g true
echo "breaks: $(cat journal.jsonl 2>/dev/null | grep -c lock_stale_break)"
wait $shell
echo "shell rc=$?"
