# Proves: the new version keeps the old file's mode and owner: a 0644 file owned by another uid
# stays 0644 and keeps its owner and group (as root); setuid/setgid bits survive (chown clears
# them, so the owner is set first); a 0600 file stays 0600. A new file gets 0666 & ~umask, or
# --mode exactly, whatever the umask: under umask 077, --mode 644 gives 0644. Needs root.
source "$CLI_LIB"
skip_unless_root "chown to another uid"
echo old > shared.conf; chown 1234:2345 shared.conf; chmod 644 shared.conf
echo new | dd-atomic shared.conf; echo "rc=$? $(stat -c '%a %u:%g' shared.conf) $(cat shared.conf)"
echo old > tool; chown 1234:2345 tool; chmod 4755 tool
echo new | dd-atomic tool; echo "rc=$? $(stat -c '%a %u:%g' tool)"
echo old > secret; chmod 600 secret
echo new | dd-atomic secret; echo "rc=$? $(stat -c '%a' secret)"
(umask 077; echo x | dd-atomic --mode 644 a; echo "rc=$? $(stat -c '%a' a)")
(umask 077; echo x | dd-atomic b; echo "rc=$? $(stat -c '%a' b)")
(umask 022; echo x | dd-atomic c; echo "rc=$? $(stat -c '%a' c)")
(umask 002; echo x | dd-atomic d; echo "rc=$? $(stat -c '%a' d)")
echo x | dd-atomic --mode 0640 shared.conf; echo "rc=$? $(stat -c '%a %u:%g' shared.conf)"
