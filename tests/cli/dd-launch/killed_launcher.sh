# Proves: when the launcher itself is SIGKILLed, its session dies with it (bwrap gets
# PDEATHSIG, the sandbox --die-with-parent), the session shows as dead, and the next
# `dd-launch gc` removes the cgroups it left behind (listed in the session's .cgroups).
source "$CLI_LIB"
skip_unless_contained "pids cgroups"
mark="killed-$$-$RANDOM"
dd-launch run --state-dir "$PWD/state" --name k -- sh -c "touch \"\$DD_SESSION_DIR/up\"; setsid sleep 3019 & sleep 3019; : $mark" 2>/dev/null &
launcher=$!
wait_for test -e state/k-1/work/up
cg=$(head -n 1 state/k-1/.cgroups)
echo "cgroup made: $(yesno test -d "$cg")"
kill -KILL $launcher; wait $launcher 2>/dev/null || true
gone() { [ "$(marked "$1")" = 0 ]; }
wait_for gone "$mark"
echo "left running: $(marked "$mark")"
dd-launch ls --state-dir "$PWD/state" | awk 'NR>1 {print $1, $2}'
echo "cgroup left: $(yesno test -d "$cg")"
rc dd-launch gc --state-dir "$PWD/state" -q
echo "cgroup after gc: $(yesno test -d "$cg") list kept: $(yesno test -e state/k-1/.cgroups)"
