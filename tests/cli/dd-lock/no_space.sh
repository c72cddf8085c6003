# Proves: ENOSPC maps to 73 with a message naming the path: on a tmpfs with no free inode the
# lock file cannot be created; on a tmpfs with no free block an existing lock file cannot take
# its owner record, and dd-lock fails closed (73, command not run) rather than running unlocked
# or with a missing record. Private mount namespace; needs root.
source "$CLI_LIB"
skip_unless_root "mount a small tmpfs"
unshare -m true 2>/dev/null || { echo "SKIP: unshare -m not permitted" >&2; cat "$CLI_EXPECTED"; exit 0; }
mkdir full
unshare -m bash -c '
  source "$CLI_LIB"
  mount -t tmpfs -o nr_inodes=2,size=64k none full && touch full/pad || exit 1
  rc dd-lock full/f touch ran 2>err
  echo "names the path: $(yesno has err "full/f")"
  echo "says no space: $(yesno has err "No space left on device")"
  umount full
  mount -t tmpfs -o size=8k none full && touch full/f || exit 1
  head -c 8192 /dev/zero > full/pad 2>/dev/null
  rc dd-lock full/f touch ran 2>err
  echo "names the path: $(yesno has err "full/f")"
'
echo "command ran: $(yesno test -e ran)"
