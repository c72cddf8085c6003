# Proves: one dd-gc per root. While another holds ROOT/.gc.lock, dd-gc says so, removes nothing
# and exits 0 (also with --strict); afterwards it sweeps.
source "$CLI_LIB"
mkdir -p root/dead; touch -d '2 hours ago' root/dead
dd-lock root/.gc.lock sh -c "$HOLD" & holder=$!
wait_for test -e held
rc dd-gc --strict root 2>err
echo "says so: $(yesno has err 'another dd-gc is running')"
echo "left: $(files root)"
touch release; wait $holder
rc dd-gc -q root
echo "left: $(files root)"
