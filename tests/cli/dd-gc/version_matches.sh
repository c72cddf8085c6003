# Proves: `dd-gc --version` (and -V) prints "dd-gc X.Y.Z" where X.Y.Z is the version in the
# top-level CMakeLists.txt project() call, and exits 0.
source "$CLI_LIB"
want=$(sed -n 's/^project(ddsafe VERSION \([0-9][0-9.]*\).*/\1/p' "$CLI_SRC_ROOT/CMakeLists.txt")
[ -n "$want" ] || { echo "no version in CMakeLists.txt" >&2; exit 1; }
out=$(dd-gc --version); r=$?
[ "$out" = "dd-gc $want" ] && echo "--version matches project version" || echo "got '$out', want 'dd-gc $want'"
echo "rc=$r"
out=$(dd-gc -V); r=$?
[ "$out" = "dd-gc $want" ] && echo "-V matches project version" || echo "got '$out', want 'dd-gc $want'"
echo "rc=$r"
