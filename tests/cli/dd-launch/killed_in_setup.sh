# Proves: a launcher killed while it makes the session's cgroups (SIGKILL injected by strace at
# the moment the pids cgroup exists and the kill-switch one is next) leaves nothing that
# `dd-launch gc` cannot find: afterwards no cgroup of the session is left in any hierarchy.
source "$CLI_LIB"
skip_unless_root "pids cgroups"
command -v strace > /dev/null || { cat "$CLI_EXPECTED"; exit 0; }
[ -d /sys/fs/cgroup/unified ] || { cat "$CLI_EXPECTED"; exit 0; }
name="k$$x$RANDOM"
ours() { ls /sys/fs/cgroup/pids/ddsafe /sys/fs/cgroup/unified/ddsafe 2>/dev/null | grep -c "^$name-1-" || true; }
mkdir -p /sys/fs/cgroup/unified/ddsafe
ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o /dev/null -P /sys/fs/cgroup/unified/ddsafe \
  -e trace=mkdir -e inject=mkdir:signal=SIGKILL \
  dd-launch run --state-dir "$PWD/state" --name "$name" -- true 2>/dev/null
echo "launcher rc=$?"
echo "left by the launcher: $(yesno test "$(ours)" -gt 0)"
rc dd-launch gc --state-dir "$PWD/state" --min-age 0 -q
echo "left after gc: $(ours)"
