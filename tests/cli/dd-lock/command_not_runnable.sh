# Proves: a command that is not found exits 127 and one that is not executable exits 126, as a
# shell would, with a message naming the command; the lock is released afterwards.
source "$CLI_LIB"
rc dd-lock f no-such-command-xyz 2>err
echo "names the command: $(yesno has err "no-such-command-xyz")"
printf '#!/bin/sh\necho hi\n' > script; chmod 644 script
rc dd-lock f ./script 2>err
echo "names the command: $(yesno has err "./script")"
mkdir dir
rc dd-lock f ./dir 2>/dev/null
rc dd-lock -n f true
