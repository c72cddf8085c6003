# Proves: ENOSPC on a real (small) tmpfs: replacing a 600 KB file with 600 KB of new content
# needs room for both and fails with 73, a message naming the file and "No space left on device";
# the target stays byte-identical and no temp is left (O_TMPFILE space is given back). A
# producer that hits ENOSPC writing into the temp fails, and its status is passed on. A 300 KB
# replacement fits and commits. Private mount namespace; needs root.
source "$CLI_LIB"
skip_unless_root "mount a small tmpfs"
unshare -m true 2>/dev/null || { echo "SKIP: unshare -m not permitted" >&2; cat "$CLI_EXPECTED"; exit 0; }
mkdir small
unshare -m bash -c '
  source "$CLI_LIB"
  mount -t tmpfs -o size=1m none small || exit 1
  head -c 600000 /dev/urandom > small/data || exit 1
  before=$(digest small/data)
  head -c 600000 /dev/zero | dd-atomic small/data 2>err; echo "rc=$?"
  echo "names file: $(yesno has err "small/data") says no space: $(yesno has err "No space left on device")"
  echo "unchanged: $(yesno test "$(digest small/data)" = "$before") temps: $(temps small)"
  # A producer writing into the temp sees the ENOSPC itself: its failure is the status.
  rc dd-atomic small/data -- head -c 600000 /dev/zero 2>/dev/null
  echo "unchanged: $(yesno test "$(digest small/data)" = "$before") temps: $(temps small)"
  head -c 300000 /dev/zero | dd-atomic small/data; echo "rc=$? size: $(stat -c %s small/data)"
  echo "journal: $(grep -c "No space left" "$DD_JOURNAL") $(grep -c "head. exited with status 1" "$DD_JOURNAL")"
'
