# Proves: the bash completion offers dd-lock's options (the etcd ones too), the --on-timeout
# policies and --backend kinds, and a command name (not an option) after the lock file, also
# after `--backend URL NAME` (the URL is the option's value, not the lock file).
source "$CLI_LIB"
source "$CLI_SRC_ROOT/tools/dd-lock/dd-lock.bash"
# Command names are completed from the built tools alone: an installed copy elsewhere on PATH
# (package.deb may be running) would list them twice.
tools=$(dirname "$(command -v dd-lock)")
comp() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _dd_lock; echo "${COMPREPLY[*]}"; }
comp dd-lock --on-
comp dd-lock --on-timeout ''
comp dd-lock -w 5 --st
PATH=$tools comp dd-lock -w 5 jobs.lock dd-ato
PATH=$tools comp dd-lock -c dd-g
comp dd-lock --backend ''
comp dd-lock --bre
PATH=$tools comp dd-lock --backend etcd://h:2379/p jobs dd-ato
