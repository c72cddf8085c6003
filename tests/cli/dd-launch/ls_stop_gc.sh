# Proves: `ls` shows live and dead sessions (text and -o json), `stop ID` ends a live session
# (its command and every process in it die, the launcher exits 143, session_end says "stopped")
# and is idempotent; `gc` removes dead sessions, never a live one; --rm removes the dir itself.
source "$CLI_LIB"
skip_unless_contained "privileged bwrap"
launch --name done -- true
mark="stop-$$-$RANDOM"
( launch --name long -- sh -c "touch \"\$DD_SESSION_DIR/up\"; setsid sleep 300 & sleep 300; : $mark" 2>/dev/null
  echo "launcher rc=$?" > long.rc ) &
wait_for test -e state/long-1/work/up
dd-launch ls --state-dir "$PWD/state" | awk 'NR==1 {print $1, $2} NR>1 {print $1, $2}'
dd-launch ls --state-dir "$PWD/state" -o json | json '[(s["id"], s["state"], s["pid"] > 0) for s in j]'
dd-launch gc --state-dir "$PWD/state" --min-age 0 -o json > gc.json; echo "rc=$?"
json '(j["removed"], sorted((e["id"], e["action"]) for e in j["entries"]))' < gc.json
rc dd-launch stop --state-dir "$PWD/state" long-1
wait_for test -s long.rc
cat long.rc
echo "left running: $(marked "$mark")"
echo "journal: $(jfield journal.jsonl session_end reason)"
rc dd-launch stop --state-dir "$PWD/state" long-1
rc dd-launch stop --state-dir "$PWD/state" nope-1 2>err.txt
grep -o "no session 'nope-1'" err.txt
dd-launch ls --state-dir "$PWD/state"  | awk 'NR>1 {print $1, $2}'
rc dd-launch gc --state-dir "$PWD/state" --min-age 0 -q
echo "after gc: $(files state | tr ' ' '\n' | grep -v '^\.' | tr '\n' ' ')"
rc launch --rm --name gone -- sh -c 'echo x > "$DD_SESSION_DIR/f"; ln -s /etc/passwd "$DD_SESSION_DIR/link"'
echo "removed: $(yesno test ! -e state/gone-1) passwd intact: $(yesno test -s /etc/passwd)"
echo "removed in journal: $(jfield journal.jsonl session_end removed)"
