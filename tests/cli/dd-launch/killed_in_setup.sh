# Proves: a launcher killed while it makes the session's cgroups (SIGKILL injected by strace at
# the moment the pids cgroup exists and the kill-switch one is next) leaves nothing that
# `dd-launch gc` cannot find: afterwards no cgroup of the session is left in any hierarchy.
source "$CLI_LIB"
skip_unless_contained "pids cgroups"
name="k$$x$RANDOM"
launch_signalled SIGKILL "$name" -- true 2>/dev/null
echo "launcher rc=$?"
echo "left by the launcher: $(yesno test "$(cgroups_of "$name")" -gt 0)"
rc dd-launch gc --state-dir "$PWD/state" --min-age 0 -q
echo "left after gc: $(cgroups_of "$name")"
