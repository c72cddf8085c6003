# Proves: --dry-run (and -n) says what would go and why, and what stays and why, but removes,
# creates and journals nothing; -o json reports would_remove.
source "$CLI_LIB"
mkdir -p root/old root/young root/held
touch root/old/.session.lock root/young/.session.lock
touch -d '2 hours ago' root/old root/held
dd-lock root/held/.session.lock sh -c "$HOLD" & holder=$!
wait_for test -e held
touch -d '2 hours ago' root/held
dd-gc --dry-run root > out.txt; echo "rc=$?"
sed 's/([0-9]* s </(N s </' out.txt
dd-gc -n -o json root > out.json; echo "rc=$?"
json 'j["dry_run"], j["would_remove"], j["kept"], [e["action"] for e in j["entries"]]' < out.json
echo "left: $(files root)"
echo "journal records: $(jcount "$DD_JOURNAL" gc_reaped) $(jcount "$DD_JOURNAL" gc_skipped)"
touch release; wait $holder
