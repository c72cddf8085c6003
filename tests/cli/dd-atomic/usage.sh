# Proves: usage errors are 64 with a message naming the flag or the problem, and nothing is
# created or run: bad --mode, unknown --symlink/--hardlink/--validate values, -w without --lock,
# bad -w values, a bad --fence-token, no FILE, two FILEs, '--' without a command, an unknown
# option. --help and --version exit 0 on stdout.
source "$CLI_LIB"
mkdir w && cd w
try() { "$@" 2>err </dev/null; echo "$* -> rc=$? says: $(head -c 60 err | tr '\n' ' ')"; }
try dd-atomic --mode 999 f
try dd-atomic --mode rw f
try dd-atomic --symlink maybe f
try dd-atomic --hardlink keep f
try dd-atomic --validate yaml f
try dd-atomic -w 1 f
try dd-atomic --lock -w -1 f
try dd-atomic --fence-token -3 f
try dd-atomic
try dd-atomic f g
try dd-atomic f --
try dd-atomic --frobnicate f
rm -f err
echo "created: $(files .)"
dd-atomic --help >out; echo "help rc=$? mentions producer mode: $(yesno grep -q -- '-- CMD' out)"
dd-atomic --version >out; echo "version rc=$? $(yesno grep -q '^dd-atomic [0-9]' out)"
