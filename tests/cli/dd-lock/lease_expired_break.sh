# Proves lease expiry for a hung holder: a `--ttl 1` holder is SIGSTOPped so it stops renewing.
# Once its lease lapsed, a waiter without --break-expired still times out (1, lock_timeout), but
# `--break-expired -w 5` breaks it at once, runs with a newer token and journals lock_stale_break
# reason lease_expired. After SIGCONT the old holder finds its lock replaced: it stops its
# command (TERM) and exits 75, journaling lock_lost.
source "$CLI_LIB"
dd-lock --ttl 1 f sh -c 'trap "echo stopped-by-TERM > old.log; exit 143" TERM; touch held
                         i=0; while [ -e held ] && [ $i -lt 1000 ]; do sleep 0.02; i=$((i+1)); done' & old=$!
wait_for test -e held
kill -STOP $old
lease_gone() { dd-lock --status f | json 'j.get("lease_left_ms", 1) < 0' | grep -q True; }
wait_for lease_gone
dd-lock --status f | json 'j["owner_alive"], j["stale"]'
oldtok=$(dd-lock --status f | json 'j["token"]')
rc dd-lock -w 0.3 f touch ran-without-break 2>/dev/null
echo "ran without break: $(yesno test -e ran-without-break)"
echo "breaks so far: $(jcount "$DD_JOURNAL" lock_stale_break) timeouts: $(jcount "$DD_JOURNAL" lock_timeout)"
t0=$(now_ms)
rc dd-lock --break-expired -w 5 f sh -c 'echo $DD_LOCK_TOKEN > token'
t1=$(now_ms)
echo "broke within 1s: $(yesno test $((t1 - t0)) -lt 1000)"
echo "new token > old: $(yesno test "$(cat token)" -gt "$oldtok")"
echo "reason=$(jfield "$DD_JOURNAL" lock_stale_break reason)"
echo "old_pid is the hung holder: $(yesno test "$(jfield "$DD_JOURNAL" lock_stale_break old_pid)" = "$old")"
kill -CONT $old
wait $old; echo "old holder rc=$?"
echo "old command: $(cat old.log 2>/dev/null || echo still-running)"
echo "lock_lost events: $(jcount "$DD_JOURNAL" lock_lost)"
echo "lock_lost stopped=$(jfield "$DD_JOURNAL" lock_lost stopped)"
rc dd-lock -n f true
