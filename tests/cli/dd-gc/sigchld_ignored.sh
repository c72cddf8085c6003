# Proves: dd-gc started with SIGCHLD ignored (SIG_IGN survives exec, so the kernel would reap
# the live command itself and its status would be lost) still sees a failing --live-cmd fail:
# the pass is skipped and nothing removed; a working one still reaps.
source "$CLI_LIB"
mkdir -p root/s1 root/s2; touch -d '2 hours ago' root/s1 root/s2
ignoring_sigchld() {
  python3 -c 'import os,signal,shutil,sys; signal.signal(signal.SIGCHLD, signal.SIG_IGN); os.execv(shutil.which(sys.argv[1]), sys.argv[1:])' "$@"
}
rc ignoring_sigchld dd-gc --strict --live-cmd 'exit 1' root 2>err
echo "warned: $(yesno has err 'status 1')"
echo "left: $(files root)"
rc ignoring_sigchld dd-gc --live-cmd 'echo s2' root
echo "left: $(files root)"
