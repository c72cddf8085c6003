# Proves: an entry that cannot be removed (chattr +i, on the real disk) is a warning on stderr and
# a gc_error record naming the session and the cause; every other dead session is still swept and
# dd-gc exits 0. --strict turns it into the error's code (77, permission). Once the entry can go,
# the next pass empties the trash.
source "$CLI_LIB"
skip_unless_root "chattr +i"
mkdir -p root/a root/stuck/sub root/z
touch root/stuck/sub/pinned
chattr +i root/stuck/sub/pinned || { echo "chattr unsupported here (tmpfs?)" >&2; exit 1; }
trap 'chattr -i root/.trash/*/sub/pinned root/stuck/sub/pinned 2>/dev/null; touch release' EXIT
touch -d '2 hours ago' root/a root/stuck root/z
rc dd-gc root 2>err
echo "warned: $(yesno has err "cannot remove 'stuck'") $(yesno has err 'Operation not permitted')"
echo "left: $(files root)"
echo "gc_error: $(jcount "$DD_JOURNAL" gc_error) id=$(jfield "$DD_JOURNAL" gc_error id)"
echo "gc_reaped: $(jcount "$DD_JOURNAL" gc_reaped)"
rc dd-gc --strict -q root
chattr -i root/.trash/*/sub/pinned
dd-gc root | sed 's|\.trash/[^ ]*|.trash/X|'; echo "rc=${PIPESTATUS[0]}"
echo "trash: $(files root/.trash)"
