# Proves: a stop (SIGTERM) that reaches the launcher while it sets the session up (injected by
# strace as it makes the session's cgroups) ends the session through its teardown: the command
# never runs, the status is 143, session_end says "stopped", and no cgroup of it is left.
source "$CLI_LIB"
skip_unless_contained "pids cgroups"
name="t$$x$RANDOM"
launch_signalled SIGTERM "$name" -- sh -c 'echo ran' > out.txt 2> err.txt
echo "launcher rc=$?"
echo "ran: $(yesno grep -q ran out.txt)"
echo "session_end: $(grep -c '"event":"session_end"' journal.jsonl) reason $(jfield journal.jsonl session_end reason 2>/dev/null)"
echo "cgroups left: $(cgroups_of "$name")"
dd-launch ls --state-dir "$PWD/state" | awk 'NR>1 {print $2}'
