# Proves: -u only works in the descriptor form: `dd-lock -u` (nothing to unlock), `dd-lock -u f`
# and `dd-lock -u f CMD` are usage errors (64) that neither create, lock nor run anything.
source "$CLI_LIB"
mkdir w && cd w
rc dd-lock -u 2>/dev/null
rc dd-lock -u f 2>err
echo "says it needs a descriptor: $(yesno grep -q 'descriptor' err)"
rc dd-lock -u f touch ran 2>/dev/null
rm -f err
echo "created: $(files .)"
