# Proves: a fork bomb in a session is held at --pids-max (forks refused, and never more marked
# processes than the limit), killed at --timeout (124), and leaves nothing behind: no process of
# the bomb, no session cgroup.
source "$CLI_LIB"
skip_unless_contained "pids cgroups"
mark="bomb-$$-$RANDOM"
( launch --name "b$$" --pids-max 24 --timeout 3 -- bash -c ": $mark; b(){ b|b& }; b; sleep 60" \
    2>err.txt; echo "rc=$?" > rc.txt ) &
peak=0
while [ ! -s rc.txt ]; do
  n=$(marked "$mark"); [ "$n" -gt "$peak" ] && peak=$n
  sleep 0.05
done
cat rc.txt
# Everything from bwrap on is in the session's cgroup; only dd-launch itself is outside it.
echo "peak within limit: $(yesno test "$peak" -le 25)"
echo "bomb reached the limit: $(yesno grep -q 'fork(s) refused at --pids-max 24' err.txt)"
echo "left running: $(marked "$mark")"
ls /sys/fs/cgroup/pids/ddsafe 2>/dev/null | grep -c "^b$$-" || true
