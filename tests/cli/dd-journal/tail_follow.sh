# Proves: tail prints the last N records (-n, default 10); tail -f follows appends across
# rotations (DD_JOURNAL_MAX_BYTES=1K, DD_JOURNAL_KEEP=50) and never prints a partial line: a
# record written in two pieces appears once, whole, after its newline; every record is followed
# exactly once, in order.
source "$CLI_LIB"
for i in $(seq 1 15); do dd-journal emit pre n=$i; done
echo "default: $(dd-journal tail -o json | wc -l)"
dd-journal tail -n 3 -o json | while read -r l; do echo "$l" | json 'j["n"]'; done | tr '\n' ' '; echo
export DD_JOURNAL_MAX_BYTES=1K DD_JOURNAL_KEEP=50
dd-journal emit live n=0
dd-journal tail -f -n 1 -o json > follow.out 2>follow.err &
tp=$!
wait_for grep -q '"n":0' follow.out  # tail has read to the end
for i in $(seq 1 40); do dd-journal emit live n=$i; done
printf '{"v":1,"ts":"2026-01-01T00:00:00Z","event":"split",' >> "$DD_JOURNAL"
sleep 0.3  # several polls: can only hide a failure, never make one up
echo "partial shown: $(yesno grep -q split follow.out)"
printf '"n":41}\n' >> "$DD_JOURNAL"
wait_for grep -q split follow.out
kill $tp; wait $tp 2>/dev/null
echo "followed: $(wc -l < follow.out)"
echo "all whole JSON: $(yesno python3 -c 'import json,sys; [json.loads(l) for l in open("follow.out")]')"
echo "in order: $(python3 -c 'import json; print([json.loads(l)["n"] for l in open("follow.out")] == list(range(0,42)))')"
echo "rotated files: $(ls journal.jsonl.* | wc -l | awk '{print ($1 > 2) ? "several" : "few"}')"
