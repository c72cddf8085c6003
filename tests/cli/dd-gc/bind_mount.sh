# Proves: a read-only bind mount inside a session dir (made here with mount --bind and
# mount -o remount,ro,bind, removed at the end) is neither entered nor removed: a warning and a
# gc_error, the other dead sessions swept, exit 0. The mounted data outside ROOT is intact.
source "$CLI_LIB"
skip_unless_root "mount --bind"
mkdir -p outside root/a root/mounted/data; echo creds > outside/creds
mount --bind outside root/mounted/data || { echo "mount --bind failed" >&2; exit 1; }
trap 'umount -l "$CLI_WORK"/root/.trash/*/data "$CLI_WORK"/root/mounted/data 2>/dev/null; touch release' EXIT
mount -o remount,ro,bind root/mounted/data
touch -d '2 hours ago' root/a root/mounted
rc dd-gc root 2>err
echo "warned: $(yesno has err 'mount point')"
echo "gc_error: $(jcount "$DD_JOURNAL" gc_error) id=$(jfield "$DD_JOURNAL" gc_error id)"
echo "a swept: $(yesno test ! -e root/a)"
echo "outside: $(cat outside/creds)"
