# Proves: a lock path that is a directory fails with 65 (not 0, not flock(1)'s fallback of
# locking the directory), as does a FIFO (not a regular file, and it must not hang opening it);
# the message names the path and the cause; the command is not run; --status refuses both (65).
source "$CLI_LIB"
mkdir d
rc dd-lock d touch ran 2>err
echo "names the path and cause: $(yesno grep -q "'d'.*directory" err)"
rc dd-lock --status d 2>/dev/null
mkfifo p
rc timeout 5 dd-lock -w 1 p touch ran 2>err
echo "names the path: $(yesno has err "'p'")"
rc timeout 5 dd-lock --status p 2>/dev/null
echo "command ran: $(yesno test -e ran)"
echo "directory untouched: $(files d)"
