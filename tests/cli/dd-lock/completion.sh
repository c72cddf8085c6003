# Proves: the bash completion offers dd-lock's options, the --on-timeout policies, and a command
# name (not an option) after the lock file.
source "$CLI_LIB"
source "$CLI_SRC_ROOT/tools/dd-lock/dd-lock.bash"
comp() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _dd_lock; echo "${COMPREPLY[*]}"; }
comp dd-lock --on-
comp dd-lock --on-timeout ''
comp dd-lock -w 5 --st
comp dd-lock -w 5 jobs.lock dd-ato
comp dd-lock -c dd-g
