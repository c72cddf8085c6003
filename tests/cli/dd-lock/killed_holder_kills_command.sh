# Proves: if dd-lock is SIGKILLed (no chance to forward anything), its command is killed too
# (parent-death signal) instead of going on writing without the lock, and the lock is free.
source "$CLI_LIB"
dd-lock f sh -c 'echo $$ > child.pid; i=0; while [ -e child.pid ] && [ $i -lt 1500 ]; do sleep 0.01; i=$((i+1)); done' & p=$!
wait_for test -s child.pid
child=$(cat child.pid)
echo "command running: $(yesno alive "$child")"
kill -KILL $p; wait $p 2>/dev/null; echo "dd-lock rc=$?"
wait_for dead "$child"; echo "command died with dd-lock"
rc dd-lock -n f true
