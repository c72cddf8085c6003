# Proves: file names are data, never shell code: a name with spaces, quotes, '$(...)' and a
# newline reaches the --check command as one quoted argument (nothing injected runs), and the
# commit works; an empty name is a usage error (64).
source "$CLI_LIB"
mkdir w && cd w
name="it's a \$(touch PWNED) \"name\"
with a newline"
echo '{"ok":1}' | dd-atomic --check 'test -s {} && cp {} seen' "$name"; echo "rc=$? content: $(cat "$name") seen: $(cat seen)"
echo "injected command ran: $(yesno test -e PWNED)"
echo '{"ok":2}' | dd-atomic --check 'test -s' "$name"; echo "appended path: rc=$?"
rc dd-atomic '' </dev/null 2>/dev/null
echo "temps: $(temps .)"
