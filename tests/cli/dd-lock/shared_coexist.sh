# Proves: shared holders coexist — two `-s` holders each wait (inside the lock) until the other
# is inside too, which can only finish if both hold it at once — while an exclusive request
# fails with 1 and a third shared request succeeds. --status shows 2 shared holders.
source "$CLI_LIB"
both_in='touch in-$1; i=0; while [ ! -e in-$2 ] && [ $i -lt 500 ]; do sleep 0.01; i=$((i+1)); done
         [ -e in-$2 ] && echo together > met-$1; '"$HOLD"
dd-lock -s f sh -c "$both_in" sh a b & a=$!
dd-lock --shared f sh -c "$both_in" sh b a & b=$!
wait_for test -e met-a
wait_for test -e met-b
echo "a met b: $(cat met-a); b met a: $(cat met-b)"
dd-lock --status f > st.json; echo "status rc=$?"
json 'j["state"], j["mode"], j["holders"]' < st.json
rc dd-lock -x -n f true 2>/dev/null
rc dd-lock -n f true 2>/dev/null
rc dd-lock -s -n f true
touch release; wait $a; echo "a rc=$?"; wait $b; echo "b rc=$?"
rc dd-lock -x -n f true
