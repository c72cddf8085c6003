# Proves: `dd-journal --version` prints "dd-journal X.Y.Z" with the project() version from the
# top-level CMakeLists.txt, and exits 0.
source "$CLI_LIB"
want=$(sed -n 's/^project(ddsafe VERSION \([0-9][0-9.]*\).*/\1/p' "$CLI_SRC_ROOT/CMakeLists.txt")
[ -n "$want" ] || { echo "no version in CMakeLists.txt" >&2; exit 1; }
out=$(dd-journal --version); r=$?
[ "$out" = "dd-journal $want" ] && echo "--version matches project version" || echo "got '$out', want 'dd-journal $want'"
echo "rc=$r"
