# Proves: `--` ends dd-lock's options, both before LOCKFILE and before the command; everything
# after the command's name reaches it verbatim (its own -n is not taken by dd-lock); and a command
# whose name starts with "-" after `--` is run, not parsed (127: no such command).
source "$CLI_LIB"
rc dd-lock f -- echo -- x
rc dd-lock f echo -n no-newline; echo
rc dd-lock -- f echo after-leading-dashdash
rc dd-lock -w 1 f -- sh -c 'echo "$# args: $*"' sh -w -n -E 3
rc dd-lock f -- -n 2>err; echo "names the command: $(yesno has err "'-n'")"
