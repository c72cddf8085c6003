# Proves: the bash completion offers the subcommands, each subcommand's flags, the --engine and
# -o values, and commands after `run --`.
source "$CLI_LIB"
source "$CLI_SRC_ROOT/tools/dd-launch/dd-launch.bash"
comp() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _dd_launch; echo "${COMPREPLY[*]}"; }
comp dd-launch ''
comp dd-launch run --config-
comp dd-launch run --engine ''
comp dd-launch ls -o ''
comp dd-launch gc --mi
comp dd-launch stop --t
comp dd-launch run --rm -- bwra
