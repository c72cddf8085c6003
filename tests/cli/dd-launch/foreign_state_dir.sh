# Proves: a --state-dir that holds other things than sessions (a mistyped one: /home, /var/lib)
# loses none of them, neither to the opportunistic GC of `run` nor to `dd-launch gc`: only a dir
# with a free session lock is a dead session. A dead session of dd-launch's own is still
# collected (the control).
source "$CLI_LIB"
skip_unless_root "privileged bwrap"
mkdir -p state/photos/2019 state/project
echo precious > state/photos/2019/a.jpg
touch -d '2 hours ago' state/photos/2019 state/photos state/project
launch --name old -- true
touch -d '2 hours ago' state/old-1
launch -- true
echo "after run: $(ls state | xargs)"
touch -d '2 hours ago' state/session-1
rc dd-launch gc --state-dir "$PWD/state" -q
echo "after gc: $(ls state | xargs)"
cat state/photos/2019/a.jpg
