# Proves: heavy contention is handled without errors: 6 processes x 200 back-to-back
# `dd-lock f true` all exit 0. Waiters inspect the current holder (its /proc entry) while that
# holder may be exiting at the same moment; a waiter must treat a holder vanishing mid-read as
# "gone", never fail or crash (seen: abort with an uncaught std::ios_base::failure, exit 134).
source "$CLI_LIB"
worker() {
  local i
  for i in $(seq 1 200); do dd-lock f true 2>>"err.$1" || echo "rc=$?" >> failures; done
}
for w in 1 2 3 4 5 6; do worker $w & done
wait
echo "failed runs: $(cat failures 2>/dev/null | wc -l)"
cat failures 2>/dev/null | sort | uniq -c
cat err.* | grep -v '^$' | sort | uniq -c >&2
