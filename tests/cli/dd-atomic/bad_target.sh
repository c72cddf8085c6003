# Proves: targets that cannot be replaced fail before anything runs, each with its documented
# code and a message naming the path: a missing directory (66, nothing created), a directory
# (65), a FIFO (65: never replaced by a regular file), a path ending in '/' (65).
source "$CLI_LIB"
mkdir w && cd w
echo x | dd-atomic nodir/f 2>err; echo "missing dir: rc=$? names: $(yesno has err "nodir")"
mkdir adir
echo x | dd-atomic adir 2>err; echo "directory: rc=$? names: $(yesno has err "adir")"
mkfifo p
echo x | dd-atomic p 2>err; echo "fifo: rc=$? names: $(yesno has err "'p'")"
rc dd-atomic adir/ </dev/null 2>/dev/null
dd-atomic nodir/f -- touch ran 2>/dev/null; echo "producer ran: $(yesno test -e ran)"
rm -f err; echo "created: $(files .)"
