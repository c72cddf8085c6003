# Proves: a lock file the caller may not create (directory 0700 owned by root, caller nobody) fails
# with 77 and a message naming the path and "Permission denied"; the command is not run. A control
# in a world-writable directory shows the same unprivileged call works, so the 77 comes from the
# permission check. Needs root (to switch to nobody).
source "$CLI_LIB"
skip_unless_root "setpriv to an unprivileged user"
chmod 755 .
mkdir -m 700 priv; mkdir -m 1777 pub
as_nobody() { DD_JOURNAL=$PWD/pub/journal.jsonl setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
rc as_nobody dd-lock pub/f true
rc as_nobody dd-lock priv/f touch pub/ran 2>err
echo "names the path: $(yesno has err "priv/f")"
echo "says permission denied: $(yesno has err "Permission denied")"
echo "command ran: $(yesno test -e pub/ran)"
touch priv/g; chmod 600 priv/g; chmod 711 priv
rc as_nobody dd-lock priv/g true 2>/dev/null
echo "priv: $(files priv)"
