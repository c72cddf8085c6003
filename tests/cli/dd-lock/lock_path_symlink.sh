# Proves: a symlink at the lock path is refused with 65, never followed: a dangling link's target
# is not created, an existing target keeps its content and mtime, the command is not run, and the
# message names the path and says it is a symbolic link. --status refuses it too.
source "$CLI_LIB"
ln -s target dangling
rc dd-lock dangling touch ran 2>err
echo "names the path: $(yesno has err "'dangling'")"
echo "says symlink: $(yesno grep -qi 'symbolic link' err)"
echo "target created: $(yesno test -e target)"
printf 'precious\n' > data; touch -d '2001-01-01 00:00:00' data; ln -s data link
rc dd-lock link touch ran 2>/dev/null
rc dd-lock -s -w 1 link touch ran 2>/dev/null
rc dd-lock --status link 2>/dev/null
echo "data: $(cat data) mtime: $(date -u -r data +%Y)"
echo "link still a link to data: $(readlink link)"
echo "command ran: $(yesno test -e ran)"
