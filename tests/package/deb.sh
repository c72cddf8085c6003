#!/usr/bin/env bash
# Proves: `cpack -G DEB` builds a package that dpkg installs on this machine; each tool then
# runs from /usr/bin and prints its version, its man page and bash completion are installed,
# and `dpkg -r` removes it all again (also when a check fails). Needs root.
# Usage: deb.sh BUILD_DIR VERSION TOOL...
set -euo pipefail
build=$1 version=$2
shift 2
tools=("$@")
[ ${#tools[@]} -gt 0 ] || { echo "deb: no tools given" >&2; exit 1; }
fail() { echo "deb: $*" >&2; exit 1; }
# Not root: ctest reports the test as skipped (SKIP_RETURN_CODE 77), never as passed.
[ "$(id -u)" -eq 0 ] || { echo "deb: SKIP: needs root to install the package with dpkg" >&2; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/ddsafe-deb-XXXXXX")
installed=0
cleanup() {
  if [ $installed = 1 ]; then dpkg -r ddsafe > "$work/remove.log" 2>&1 || cat "$work/remove.log"; fi
  rm -rf "$work"
}
trap cleanup EXIT
# Other build trees on this machine run this test too; dpkg must see one at a time.
exec 8> /run/lock/ddsafe-package-test.lock
flock -w 300 8 || fail "another package test held /run/lock/ddsafe-package-test.lock for 300 s"
if dpkg-query -W -f='${Status}' ddsafe 2>/dev/null | grep -q "install ok installed"; then
  fail "a ddsafe package is already installed; not replacing it (dpkg -r ddsafe first)"
fi

(cd "$build" && cpack -G DEB -B "$work/out") > "$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log"; fail "cpack -G DEB in '$build' failed"; }
deb=$(ls "$work"/out/ddsafe_*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || { cat "$work/cpack.log"; fail "cpack made no ddsafe_*.deb in $work/out"; }
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "$deb: Version is '$(dpkg-deb -f "$deb" Version)', want $version"
depends=$(dpkg-deb -f "$deb" Depends)
[[ $depends == *libc6* ]] || fail "$deb: Depends '$depends' does not name libc6 (dpkg-shlibdeps)"
# What the tools run or dlopen, which dpkg-shlibdeps cannot see: bwrap (dd-launch), libcurl (etcd).
recommends=$(dpkg-deb -f "$deb" Recommends)
for p in bubblewrap libcurl4; do
  [[ $recommends == *"$p"* ]] || fail "$deb: Recommends '$recommends' does not name $p"
done

installed=1
dpkg -i "$deb" > "$work/install.log" 2>&1 || { cat "$work/install.log"; fail "dpkg -i $deb failed"; }
for t in "${tools[@]}"; do
  out=$(/usr/bin/"$t" --version) || fail "/usr/bin/$t --version failed"
  [ "$out" = "$t $version" ] || fail "/usr/bin/$t --version printed '$out', want '$t $version'"
  ls /usr/share/man/man1/"$t".1* > /dev/null 2>&1 || fail "no man page /usr/share/man/man1/$t.1 installed"
  [ -f /usr/share/bash-completion/completions/"$t" ] ||
    fail "no bash completion /usr/share/bash-completion/completions/$t (tools/$t/$t.bash missing?)"
  echo "$out: runs from /usr/bin, man page and completion installed"
done

dpkg -r ddsafe > "$work/remove.log" 2>&1 || { cat "$work/remove.log"; fail "dpkg -r ddsafe failed"; }
installed=0
for t in "${tools[@]}"; do
  [ ! -e /usr/bin/"$t" ] || fail "/usr/bin/$t is still there after dpkg -r ddsafe"
done
echo "deb: $(basename "$deb") installed, ran ${#tools[@]} tools, removed"
