# Proves: LOCKFILE without a command (and not a descriptor number) is a usage error (64) naming
# the lock file, and does not create it; no LOCKFILE at all, or -c without its argument, is 64 too.
source "$CLI_LIB"
mkdir w && cd w
rc dd-lock f 2>err
echo "names the lock file: $(yesno has err "'f'")"
rc dd-lock -w 1 f -- 2>/dev/null
rc dd-lock 2>/dev/null
rc dd-lock -n 2>/dev/null
rc dd-lock f -c 2>/dev/null
rm -f err
echo "created: $(files .)"
