# Proves: --help of query, stats, tail and verify exits 0 and documents the flags the issue names.
source "$CLI_LIB"
dd-journal --help > top.txt; echo "--help rc=$?"
for c in emit query stats tail verify; do grep -q "^ *$c" top.txt || echo "missing subcommand: $c"; done
dd-journal query --help > q.txt; echo "query --help rc=$?"
for w in --event --since --until --path --path-prefix --pid --host --tool --where --count --limit --reverse -o --journal; do
  grep -q -- "$w" q.txt || echo "missing from query --help: $w"; done
dd-journal stats --help > s.txt; echo "stats --help rc=$?"
for w in --by --event --since -o; do grep -q -- "$w" s.txt || echo "missing from stats --help: $w"; done
dd-journal tail --help > t.txt; echo "tail --help rc=$?"
for w in -f -n --event -o; do grep -q -- "$w" t.txt || echo "missing from tail --help: $w"; done
dd-journal verify --help > v.txt; echo "verify --help rc=$?"
