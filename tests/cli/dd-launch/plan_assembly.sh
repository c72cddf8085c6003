# Proves: optional features that fail (a missing --bind source, an unreadable --env-file) are
# dropped with a warning and leave every mandatory containment flag in the plan, and the run is
# still contained; a mandatory layer that fails (unknown user, root) stops the launch with 125,
# a clear message, and no session dir.
source "$CLI_LIB"
skip_unless_contained "privileged bwrap"
dd-launch run --state-dir "$PWD/state" -n -o json --bind /nonexistent-src --env-file "$PWD/nofile" \
  --setenv GOOD=1 -- true > plan.json 2>err.txt
json 'j["mandatory"]' < plan.json
json '[d["feature"] for d in j["dropped"]]' < plan.json | sed "s|$PWD|PWD|"
for f in --unshare-net --unshare-pid --unshare-ipc --cap-drop --die-with-parent --new-session \
         --bounding-set=-all --no-new-privs --reuid=65534; do
  json "'$f' in j['argv']" < plan.json | sed "s/^/$f /"
done
echo "warnings: $(grep -c 'dropped' err.txt)"
echo "dry run made nothing: $(yesno test ! -e state)"
rc launch --bind /nonexistent-src --setenv GOOD=1 -- sh -c 'echo "GOOD=$GOOD"; cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " "' 2>/dev/null
rc launch --user no-such-user-xyz -- echo ran 2>err.txt
cat err.txt | sed 's/^dd-launch: //'
rc launch --user root -- echo ran 2>/dev/null
rc launch --user 0 -- echo ran 2>/dev/null
echo "sessions: $(ls state | grep -c session || true)"
