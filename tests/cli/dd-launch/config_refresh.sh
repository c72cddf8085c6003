# Proves: --config-src is filtered (--config-drop), validated and written with mode 0644 whatever
# the umask; a source that is later truncated mid-rewrite or missing keeps the previous config
# (warning naming the file, config_refresh_failed journaled, launch proceeds) and never prints
# "refreshed"; with no previous config the launch stops (65 invalid, 66 missing).
source "$CLI_LIB"
skip_unless_contained "privileged bwrap"
umask 077
printf '{"api":"https://x","token":"s3cret","nested":{"keep":1,"drop":2},"list":[1,2,3]}' > src.json
launch -v --name app --config-src "$PWD/src.json" --config-drop /token --config-drop /nested/drop \
  --config-drop /absent -- sh -c 'cat "$DD_SESSION_CONFIG"' | json 'sorted(j.items())' 2>&1
grep -c refreshed < /dev/null || true
stat -c '%a' state/app-1/config.json
echo "event: $(jfield journal.jsonl config_refresh dropped) dropped"
good=$(digest state/app-1/config.json)
# The source is caught mid-rewrite: half a document.
printf '{"api":"https://y","tok' > src.json
launch -v --name app --config-src "$PWD/src.json" -- sh -c 'cat "$DD_SESSION_CONFIG"' > out.json 2>err.txt
echo "rc=$?"
echo "kept previous: $(yesno test "$(digest out.json)" = "$good")"
echo "warning names the file: $(yesno grep -q "src.json.*not valid JSON" err.txt)"
echo "says kept: $(yesno grep -q 'keeping the previous config' err.txt)"
echo "says refreshed: $(yesno grep -q refreshed err.txt)"
echo "journal: $(jfield journal.jsonl config_refresh_failed launch)"
rm src.json
rc launch --name app --config-src "$PWD/src.json" -- true 2>err.txt
echo "missing source kept previous: $(yesno grep -q 'keeping the previous config' err.txt)"
printf '[1,' > bad.json
rc launch --name fresh --config-src "$PWD/bad.json" -- echo ran 2>err.txt
echo "stops: $(yesno grep -q 'no previous config' err.txt)"
rc launch --name fresh2 --config-src "$PWD/none.json" -- echo ran 2>/dev/null
echo "journal refused: $(jfield journal.jsonl config_refresh_failed launch)"
