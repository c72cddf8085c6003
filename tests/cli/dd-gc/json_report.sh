# Proves: -o json prints one JSON document with the counts and one entry per dir (id, action,
# reason, age_s), also when the pass is skipped; --root ROOT works as the positional ROOT.
source "$CLI_LIB"
mkdir -p root/dead root/young root/held
touch -d '2 hours ago' root/dead root/held
dd-lock root/held/.session.lock sh -c "$HOLD" & holder=$!
wait_for test -e held
touch -d '2 hours ago' root/held
dd-gc -o json --root root > out.json; echo "rc=$?"
json 'list(j.keys())' < out.json
json 'j["removed"], j["kept"], j["errors"], j["sessions"], j["skipped"], j["live_ids"]' < out.json
json '[(e["id"], e["action"], e["reason"], e["age_s"] >= 7200 if e["id"] != "young" else e["age_s"] < 100) for e in j["entries"]]' < out.json
dd-gc -o json --live-cmd 'exit 3' root > skip.json; echo "rc=$?"
json 'j["skipped"], j["skip_reason"], j["removed"], j["entries"]' < skip.json
touch release; wait $holder
