# Proves: the sponge failure class is closed. `jq '.b=' f | dd-atomic f` (jq fails, empty output)
# is refused with 67 and the file stays byte-identical; --allow-empty lets empty output through;
# empty output may create a new file or replace an empty one (nothing is lost then).
source "$CLI_LIB"
echo '{"a":1}' > cfg.json
before=$(digest cfg.json)
jq '.b=' cfg.json 2>/dev/null | dd-atomic cfg.json 2>err; echo "rc=$?"
echo "says why: $(yesno has err "refusing to replace a non-empty file with empty content")"
echo "unchanged: $(yesno test "$(digest cfg.json)" = "$before") temps: $(temps .)"
echo "journal reason: $(jfield "$DD_JOURNAL" atomic_abort reason | grep -c empty)"
rc dd-atomic cfg.json -- true 2>/dev/null
echo "unchanged: $(yesno test "$(digest cfg.json)" = "$before")"
rc dd-atomic --allow-empty cfg.json </dev/null
echo "size: $(stat -c %s cfg.json)"
rc dd-atomic new.json </dev/null
echo "new size: $(stat -c %s new.json)"
rc dd-atomic new.json </dev/null
