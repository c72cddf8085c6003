# Proves: TERM, HUP, INT and QUIT sent to dd-lock reach the command (its trap runs, and dd-lock
# returns the command's status); a command that does not trap TERM dies of it and dd-lock exits
# 143, leaving no process behind. (`set -m` so background jobs do not start with INT ignored.)
source "$CLI_LIB"
set -m
for sig in TERM HUP INT QUIT; do
  rm -f child.pid got
  dd-lock f sh -c "trap 'echo $sig > got; exit 99' $sig; echo \$\$ > child.pid; i=0; while [ -e child.pid ] && [ \$i -lt 500 ]; do sleep 0.01; i=\$((i+1)); done" &
  p=$!
  wait_for test -s child.pid
  kill -$sig $p; wait $p; r=$?
  echo "$sig: rc=$r command got $(cat got 2>/dev/null || echo nothing)"
done
rm -f child.pid
dd-lock f sh -c 'echo $$ > child.pid; exec sleep 10' & p=$!
wait_for test -s child.pid
kill -TERM $p; wait $p; echo "untrapped TERM: rc=$?"
wait_for dead "$(cat child.pid)"; echo "command gone"
rc dd-lock -n f true
