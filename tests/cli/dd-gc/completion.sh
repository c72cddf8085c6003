# Proves: the bash completion offers dd-gc's options, the -o formats, and directories (not
# files) for the root.
source "$CLI_LIB"
source "$CLI_SRC_ROOT/tools/dd-gc/dd-gc.bash"
comp() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _dd_gc; echo "${COMPREPLY[*]}"; }
comp dd-gc --live-
comp dd-gc -o ''
comp dd-gc --dry
mkdir sessions; touch sessions.txt
comp dd-gc -n sess
comp dd-gc --root sess
