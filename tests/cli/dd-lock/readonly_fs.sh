# Proves: a lock file that cannot be created because the filesystem is read-only fails with 73
# and a message naming the path and "Read-only file system"; the command is not run. Also when
# the lock file already exists there (it cannot take the owner record). Uses a private mount
# namespace (unshare -m) with a read-only tmpfs; needs root.
source "$CLI_LIB"
skip_unless_root "mount a read-only tmpfs"
unshare -m true 2>/dev/null || { echo "SKIP: unshare -m not permitted" >&2; cat "$CLI_EXPECTED"; exit 0; }
mkdir ro
unshare -m bash -c '
  source "$CLI_LIB"
  mount -t tmpfs -o ro none ro || exit 1
  rc dd-lock ro/f touch ran 2>err
  echo "names the path: $(yesno has err "ro/f")"
  echo "says read-only: $(yesno has err "Read-only file system")"
  echo "ro: $(files ro)"
  mount -o remount,rw ro && touch ro/f && mount -o remount,ro ro || exit 1
  rc dd-lock ro/f touch ran 2>/dev/null
  rc dd-lock --status ro/f
'
echo "command ran: $(yesno test -e ran)"
