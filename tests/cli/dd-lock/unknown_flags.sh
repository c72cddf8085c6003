# Proves: an unknown option before LOCKFILE is a usage error (64) with a message naming it, and
# nothing happens — the lock file is not created and no command is run (flock(1) does the same;
# treating the flag as the command, or as part of it, would lock and run something the user did
# not ask for). Options after the command's name belong to the command.
source "$CLI_LIB"
mkdir w && cd w
rc dd-lock --bogus f touch ran 2>err
echo "names the flag: $(yesno has err "bogus")"
rc dd-lock -Z f touch ran 2>/dev/null
rc dd-lock -n --no-such-flag=1 f touch ran 2>/dev/null
rc dd-lock --on-timeout maybe f touch ran 2>err
echo "names the value: $(yesno has err "maybe")"
rc dd-lock --status --bogus f 2>/dev/null
rm -f err
echo "created: $(files .)"
rc dd-lock f echo --bogus
