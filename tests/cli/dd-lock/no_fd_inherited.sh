# Proves: the command does not inherit the lock's descriptor (unlike flock(1), whose command and
# its background children keep the lock held): no descriptor of the command refers to the lock
# file, in path form and in -c form, exclusive and shared. flock(1) is run the same way as a
# control, to show the check does see an inherited lock fd.
source "$CLI_LIB"
count='n=0; for l in /proc/$$/fd/*; do [ "$(readlink "$l")" = "$DD_LOCK_FILE" ] && n=$((n+1)); done; echo "lock fds in command: $n"'
dd-lock f sh -c "$count"
dd-lock -s f -c "$count"
dd-lock -o f sh -c "$count"
DD_LOCK_FILE=$PWD/f flock f sh -c "$count" | sed 's/^/flock(1): /'
