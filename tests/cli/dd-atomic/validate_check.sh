# Proves: --validate json refuses invalid JSON (65, file untouched, message with the parser's
# position) and commits valid JSON; --check runs a validator on the new version before the
# commit: '{}' is the temp's path (quoted: a directory with spaces works), the validator sees the
# new content, a failing check is 65 with nothing committed; without '{}' the path is appended.
source "$CLI_LIB"
mkdir "my dir"; cd "my dir"
echo '{"a":1}' > cfg.json
before=$(digest cfg.json)
echo '{"a":' | dd-atomic --validate json cfg.json 2>err; echo "rc=$?"
echo "says invalid JSON: $(yesno has err "not valid JSON") names file: $(yesno has err "'cfg.json' left unchanged")"
echo "unchanged: $(yesno test "$(digest cfg.json)" = "$before") temps: $(temps .)"
echo '{"a":2}' | dd-atomic --validate json cfg.json; echo "rc=$? $(cat cfg.json)"
echo '[1,2' | dd-atomic --check 'jq empty {}' cfg.json 2>/dev/null; echo "rc=$? $(cat cfg.json)"
echo '{"c":3}' | dd-atomic --check 'cp {} seen-by-check' cfg.json; echo "rc=$? saw: $(cat seen-by-check)"
echo '{"d":4}' | dd-atomic --check 'grep -q d' cfg.json; echo "rc=$? $(cat cfg.json)"
echo '{"e":5}' | dd-atomic --check 'grep -q zzz' cfg.json 2>err; echo "rc=$? $(cat cfg.json)"
echo "says check failed: $(yesno has err "check 'grep -q zzz' exited with status 1")"
echo "temps: $(temps .)"
