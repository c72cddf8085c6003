# Proves: permission problems fail before anything changes, with 77 and a message naming the path
# and "Permission denied": a directory the caller cannot write (a read-only directory, 0555),
# even when the file itself is writable (`>` would work, a rename cannot); the target stays
# byte-identical and nothing is left behind. A control in a writable directory commits.
# Needs root (to switch to nobody).
source "$CLI_LIB"
skip_unless_root "setpriv to an unprivileged user"
chmod 755 .
mkdir -m 555 ro; echo old > ro/f; chmod 666 ro/f
mkdir -m 1777 pub; echo old > pub/f; chmod 666 pub/f
as_nobody() { DD_JOURNAL=$PWD/pub/journal.jsonl setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
echo new | as_nobody dd-atomic ro/f 2>err; echo "rc=$?"
echo "names path: $(yesno has err "ro") says denied: $(yesno has err "Permission denied")"
echo "content: $(cat ro/f) ro: $(files ro)"
rc as_nobody dd-atomic ro/f -- echo new 2>/dev/null
echo new | as_nobody dd-atomic pub/g; echo "rc=$? $(cat pub/g) $(stat -c %U pub/g)"
