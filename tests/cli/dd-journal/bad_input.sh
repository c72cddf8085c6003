# Proves: an invalid event name (empty, spaces, '/', quotes, newline, over 64 chars), a field
# without '=', a field with an invalid key, a missing EVENT, a missing or unknown subcommand and
# an unknown flag are usage errors (64) that write nothing.
source "$CLI_LIB"
long=$(printf 'e%.0s' $(seq 1 65))
check() { dd-journal emit "$2" a=1 2>/dev/null; echo "event $1: rc=$?"; }
check empty ''
check space 'two words'
check slash 'a/b'
check quote 'q"uote'
check newline "$(printf 'new\nline')"
check 65-chars "$long"
rc dd-journal emit ok noequals 2>/dev/null
rc dd-journal emit ok '=1' 2>/dev/null
rc dd-journal emit ok 'bad key=1' 2>/dev/null
rc dd-journal emit 2>/dev/null
rc dd-journal 2>/dev/null
rc dd-journal nosuchcmd 2>/dev/null
rc dd-journal emit ok --bogus 2>/dev/null
echo "journal written: $(yesno test -s "$DD_JOURNAL")"
