# Proves: a missing root is never fatal: a warning and exit 0 (gc_skipped root_unusable); with
# --strict, 66 (EX_NOINPUT).
source "$CLI_LIB"
rc dd-gc nowhere 2>err
echo "warned: $(yesno has err "nowhere")"
echo "reason=$(jfield "$DD_JOURNAL" gc_skipped reason)"
rc dd-gc --strict -q nowhere
echo "created: $(yesno test -e nowhere)"
