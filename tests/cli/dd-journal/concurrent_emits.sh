# Proves: appends from concurrent writers never interleave or get lost: 8 processes x 200 emits
# into one journal give exactly 1600 lines, every one a complete JSON record (2 KB each, so a
# record written with several write()s would tear), 200 per writer with seq 1..200 each.
source "$CLI_LIB"
pad=$(printf 'x%.0s' $(seq 1 2000))  # large records: a writer using several write()s would tear
writer() {
  local i
  for i in $(seq 1 200); do dd-journal emit burst writer="w$1" seq="$i" pad="$pad" || echo "emit failed"; done
}
for w in 1 2 3 4 5 6 7 8; do writer $w & done
wait
python3 - "$DD_JOURNAL" <<'PY'
import json, sys, collections
lines = open(sys.argv[1], "rb").read().split(b"\n")
print("ends with newline:", lines[-1] == b"")
lines = lines[:-1]
good, per = 0, collections.defaultdict(set)
for l in lines:
    try:
        r = json.loads(l)
    except ValueError:
        continue
    if r.get("event") == "burst":
        good += len(r["pad"]) == 2000
        per[r["writer"]].add(r["seq"])
print("lines:", len(lines), "valid:", good)
print("writers:", len(per), "complete:", all(s == set(range(1, 201)) for s in per.values()))
PY
