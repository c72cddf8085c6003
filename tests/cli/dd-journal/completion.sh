# Proves: the bash completion offers the subcommands, the query flags and the -o/--by values.
source "$CLI_LIB"
source "$CLI_SRC_ROOT/tools/dd-journal/dd-journal.bash"
comp() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _dd_journal; echo "${COMPREPLY[*]}"; }
comp dd-journal ''
comp dd-journal query --path-p
comp dd-journal query -o ''
comp dd-journal stats --by h
comp dd-journal verify -o ''
