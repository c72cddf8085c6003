# Proves: background processes the command leaves behind do not keep running without the lock:
# dd-lock terminates them when the command exits (and says so on stderr), returns promptly, and
# the lock is free at once afterwards (with flock(1) it would stay held by `sleep 30 &`).
source "$CLI_LIB"
t0=$(now_ms)
rc dd-lock f sh -c 'sleep 30 > /dev/null 2>&1 & echo $! > bg.pid; exit 0' 2>err
t1=$(now_ms)
echo "returned within 5s: $(yesno test $((t1 - t0)) -lt 5000)"
echo "background process terminated: $(yesno dead "$(cat bg.pid)")"
echo "warned about it: $(yesno grep -q 'background process' err)"
rc dd-lock -n f true
