# Proves: bad flags and values exit 64 (EX_USAGE, never CLI11's own codes) with a message naming
# the problem, and touch nothing.
source "$CLI_LIB"
mkdir -p root/d; touch -d '2 hours ago' root/d
try() { "$@" 2>err; echo "rc=$? $(head -c 60 err | head -n 1)"; }
try dd-gc --bogus root
try dd-gc
try dd-gc --min-age abc root
try dd-gc --min-age -5 root
try dd-gc --live-regex 'x' root
try dd-gc --live-timeout 5 root
try dd-gc --live-cmd true --live-regex '(' root
try dd-gc --live-cmd true --live-timeout 0 root
try dd-gc --max-remove -1 root
try dd-gc -o xml root
try dd-gc --root root other
echo "left: $(files root)"
