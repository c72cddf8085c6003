# Proves: symlink and hard-link policies. follow (default) writes through to the link's target
# and keeps the link (a relative link in another directory too; a dangling link creates its
# target); replace turns the link into a regular file; refuse is 65 with the link untouched. A
# hard-linked file is refused by default (65, message says it has 2 names, nothing changes);
# --hardlink break replaces this name only, the other keeps the old content.
source "$CLI_LIB"
mkdir real; echo old > real/cfg; ln -s real/cfg link
echo one | dd-atomic link; echo "rc=$? link: $(readlink link) target: $(cat real/cfg)"
echo "temps: $(temps real) $(temps .)"
ln -s nowhere dangling
echo two | dd-atomic dangling; echo "rc=$? link kept: $(yesno test -L dangling) created: $(cat nowhere)"
echo three | dd-atomic --symlink refuse link 2>err; echo "rc=$? says link: $(yesno has err "symbolic link")"
echo "link: $(readlink link) target: $(cat real/cfg)"
echo four | dd-atomic --symlink replace link; echo "rc=$? is link: $(yesno test -L link) $(cat link) target: $(cat real/cfg)"
echo old > a; ln a b
echo new | dd-atomic a 2>err; echo "rc=$? says names: $(yesno has err "has 2 names") a: $(cat a) b: $(cat b)"
echo new | dd-atomic --hardlink break a; echo "rc=$? a: $(cat a) b: $(cat b) links: $(stat -c %h a)"
