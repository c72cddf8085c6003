# Proves: a read-only filesystem (EROFS) fails with 73 and a message naming the path and
# "Read-only file system"; the file stays byte-identical; the producer is never run (nothing to
# write into). Private mount namespace; needs root.
source "$CLI_LIB"
skip_unless_root "mount a read-only tmpfs"
unshare -m true 2>/dev/null || { echo "SKIP: unshare -m not permitted" >&2; cat "$CLI_EXPECTED"; exit 0; }
mkdir ro
unshare -m bash -c '
  source "$CLI_LIB"
  mount -t tmpfs none ro && echo old > ro/f && mount -o remount,ro ro || exit 1
  echo new | dd-atomic ro/f 2>err; echo "rc=$?"
  echo "names path: $(yesno has err "ro") says read-only: $(yesno has err "Read-only file system")"
  rc dd-atomic ro/f -- touch ran 2>/dev/null
  echo "content: $(cat ro/f) producer ran: $(yesno test -e ran)"
'
