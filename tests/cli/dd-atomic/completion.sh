# Proves: the bash completion offers dd-atomic's options and the values of --symlink,
# --hardlink and --validate, and a command name right after `--`.
source "$CLI_LIB"
source "$CLI_SRC_ROOT/tools/dd-atomic/dd-atomic.bash"
# Command names are completed from the built tools alone: an installed copy elsewhere on PATH
# (package.deb may be running) would list them twice.
tools=$(dirname "$(command -v dd-atomic)")
comp() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _dd_atomic; echo "${COMPREPLY[*]}"; }
comp dd-atomic --if
comp dd-atomic --symlink ''
comp dd-atomic --hardlink b
comp dd-atomic --validate ''
PATH=$tools comp dd-atomic --lock cfg.json -- dd-jou
touch cfg.json
comp dd-atomic --lock cf
