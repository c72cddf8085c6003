# Proves: `dd-journal emit EVENT k=v...` appends exactly one JSON line with v=1, an RFC 3339 UTC
# ts, the event, host, the *calling* process's pid and tool=dd-journal, followed by the fields:
# canonical integers and true/false typed, everything else (leading zeros, floats, empty values,
# spaces, '=' inside values) kept as strings. It writes to $DD_JOURNAL by default.
source "$CLI_LIB"
rc dd-journal emit deploy.done-1 n=42 neg=-7 ok=true no=false s=hello z=007 e= sp='a b' f=1.5 eq=a=b
echo "lines: $(wc -l < "$DD_JOURNAL")"
python3 - "$DD_JOURNAL" "$$" "$(uname -n)" <<'PY'
import json, re, sys
rec = json.loads(open(sys.argv[1]).read())
print("v", rec["v"], "event", rec["event"], "tool", rec["tool"])
print("ts is RFC 3339 UTC:", bool(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", rec["ts"])))
print("pid is the caller:", rec["pid"] == int(sys.argv[2]), "host:", rec["host"] == sys.argv[3])
for k in ["n", "neg", "ok", "no", "s", "z", "e", "sp", "f", "eq"]:
    print(k, "=", json.dumps(rec[k]))
print("first keys:", list(rec)[:3])
PY
rc dd-journal emit second
echo "lines: $(wc -l < "$DD_JOURNAL")"
