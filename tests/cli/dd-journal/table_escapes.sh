# Proves: the default table output (query, tail, stats) and tsv escape control characters from
# field values (TAB, LF, CR as \t \n \r, ESC and other controls as \xHH, backslash as \\), so a
# record written by any local process can neither split a row nor drive the terminal.
source "$CLI_LIB"
printf '%s\n' '{"v":1,"ts":"2026-01-01T00:00:00.000000Z","event":"x\u001b[31m","host":"h\u001b]0;pwn\u0007","pid":1,"tool":"t\tz","path":"/a\nb\rc","msg":"\u001b[2Jgone\\here","k\u001b":"\u007f"}' >> "$DD_JOURNAL"
raw() { yesno grep -qP '[\x00-\x09\x0b-\x1f\x7f]' "$1"; }
dd-journal query > table.out; echo "query table: $(wc -l < table.out) lines, raw controls: $(raw table.out)"
cat table.out
dd-journal tail > tail.out; echo "tail table: $(wc -l < tail.out) lines, raw controls: $(raw tail.out)"
dd-journal query -o tsv > tsv.out; echo "tsv: $(wc -l < tsv.out) lines, raw controls besides TAB: $(tr -d '\t' < tsv.out > tsv.notab; raw tsv.notab)"
tail -n 1 tsv.out | cut -f 2,3,5-
for by in path host; do
  dd-journal stats --by $by > stats.out; echo "stats --by $by: $(wc -l < stats.out) lines, raw controls: $(raw stats.out)"
  tail -n 1 stats.out | awk '{print $NF}'
done
