# Proves: a lock path whose directory does not exist fails with 66, a message naming the path and
# saying the directory must exist, without running the command and without creating anything
# (no directory, no lock file). A path through a regular file (ENOTDIR) is also 66. --status on
# such a path is 66 as well.
source "$CLI_LIB"
mkdir w && cd w
rc dd-lock nodir/f touch ran 2>err
echo "names the path: $(yesno has err "nodir/f")"
echo "says directory must exist: $(yesno grep -q 'must exist' err)"
rc dd-lock -w 1 a/b/c/f true 2>/dev/null
touch plain
rc dd-lock plain/f true 2>/dev/null
rc dd-lock --status nodir/f 2>/dev/null
rm err
echo "created: $(files .)"
