# Proves flock(1)'s descriptor form: `exec 9>>f; dd-lock -n 9` locks the shell's open file so a
# second process (dd-lock or flock(1)) is refused while the shell keeps going; `dd-lock -u 9`
# unlocks it; a busy fd form honours -E; a descriptor that is not open is an error (65, as flock(1)), not a
# success.
source "$CLI_LIB"
exec 9>>f
rc dd-lock -n 9
rc dd-lock -n f true 2>/dev/null
rc flock -n f true
rc dd-lock -u 9
rc dd-lock -n f true
rc flock -n f true
dd-lock f sh -c "$HOLD" & holder=$!
wait_for test -e held
rc dd-lock -n -E 9 9 2>err; echo "message names holder: $(yesno has err "pid $holder")"
touch release; wait $holder
exec 9>&-
rc dd-lock -n 9 2>err; echo "message names fd 9: $(yesno has err 'fd 9')"
rc dd-lock -u 9 2>/dev/null
