# Proves: symlinks are never followed - a session dir holding symlinks to a directory and a file
# outside ROOT is removed while their targets stay intact; ROOT/<id> being itself a symlink to
# outside is left alone (not a session dir).
source "$CLI_LIB"
mkdir -p outside/sub root/s/deep
echo secret > outside/creds; echo x > outside/sub/f
ln -s "$PWD/outside" root/s/dirlink
ln -s "$PWD/outside/creds" root/s/deep/filelink
ln -s "$PWD/outside" root/evil
touch -h -d '2 hours ago' root/s root/evil
rc dd-gc -v root 2>/dev/null
echo "left: $(files root)"
echo "outside: $(files outside) $(cat outside/creds) $(cat outside/sub/f)"
