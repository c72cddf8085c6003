# Proves stale-lock recovery when the owner is dead but a child inherited its descriptor: a shell
# locks f in fd form, starts `sleep 30 &` (which inherits fd 9) and exits. flock(1) stays blocked
# behind the orphan; `dd-lock -w 5` sees the owner record's process is gone, breaks the lock at
# once, runs its command with a newer token, and journals lock_stale_break (reason owner_dead,
# old pid, new token). --status reports the owner dead / stale before the break.
source "$CLI_LIB"
bash -c 'exec 9>>f; dd-lock 9 || exit 1; sleep 30 >/dev/null 2>&1 & echo $! > orphan.pid; echo $$ > owner.pid; exit 0'
echo "owner exited; orphan holds fd: $(yesno alive "$(cat orphan.pid)")"
rc flock -w 0.3 f true
dd-lock --status f > st.json; echo "status rc=$?"
json 'j["owner_alive"], j["stale"]' < st.json
old=$(json 'j["token"]' < st.json)
t0=$(now_ms)
rc dd-lock -w 5 f sh -c 'echo "$DD_LOCK_TOKEN" > token; echo held=$DD_LOCK_HELD'
t1=$(now_ms)
echo "recovered within 1s: $(yesno test $((t1 - t0)) -lt 1000)"
echo "new token > old token: $(yesno test "$(cat token)" -gt "$old")"
echo "breaks: $(jcount "$DD_JOURNAL" lock_stale_break)"
echo "reason=$(jfield "$DD_JOURNAL" lock_stale_break reason)"
echo "old_pid is the dead owner: $(yesno test "$(jfield "$DD_JOURNAL" lock_stale_break old_pid)" = "$(cat owner.pid)")"
echo "old_token matches: $(yesno test "$(jfield "$DD_JOURNAL" lock_stale_break old_token)" = "$old")"
echo "new_token > old: $(yesno test "$(jfield "$DD_JOURNAL" lock_stale_break new_token)" -gt "$old")"
rc dd-lock -n f true
kill "$(cat orphan.pid)"
