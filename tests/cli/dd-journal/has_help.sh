# Proves: `dd-journal --help` and `dd-journal emit --help` exit 0 and document the emit
# subcommand, its EVENT and KEY=VALUE arguments, --journal and --strict.
source "$CLI_LIB"
dd-journal --help > top.txt; echo "--help rc=$?"
echo "lists emit: $(yesno grep -q '^ *emit' top.txt)"
dd-journal emit --help > emit.txt; echo "emit --help rc=$?"
for w in EVENT KEY=VALUE --journal --strict; do grep -q -- "$w" emit.txt || echo "missing from emit --help: $w"; done
