# Proves: shared locks are never broken by lease. A long-lived shared holder without a lease
# must not become breakable because a short-lived shared peer left its (expired) lease in the
# record they share; --break-expired waits like everyone else.
source "$CLI_LIB"
dd-lock -s f sh -c 'touch in; sleep 2' &
s1=$!
wait_for test -e in
dd-lock -s --ttl 0.2 f true
sleep 0.5  # set-up: the peer's 0.2 s lease is long over
rc dd-lock --break-expired -w 0.5 f true
echo "breaks: $(cat journal.jsonl 2>/dev/null | grep -c lock_stale_break)"
wait $s1
echo "s1 rc=$?"
