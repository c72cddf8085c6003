# Proves: a successful run prints nothing on stderr by default; -v reports the acquisition with its
# token; -q keeps the busy error (errors are never hidden) but drops the fail-open warning, which
# is still journaled.
source "$CLI_LIB"
dd-lock f true 2>err; echo "default stderr empty: $(yesno test ! -s err)"
dd-lock -v f true 2>err; echo "-v says acquired with token: $(yesno grep -q "acquired 'f' (token [0-9]*)" err)"
dd-lock f sh -c "$HOLD" & h=$!
wait_for test -e held
rc dd-lock -q -n f true 2>err; echo "-q still prints the error: $(yesno has err "'f'")"
rc dd-lock -q -w 0.05 --on-timeout fail-open f true 2>err; echo "-q fail-open stderr empty: $(yesno test ! -s err)"
echo "fail-open journaled: $(jcount "$DD_JOURNAL" lock_fail_open)"
touch release; wait $h
