# shellcheck shell=sh
# Runs "$@" (`virsh event --loop`, the journal follower) so that it dies with its SSH channel:
# sshd gives a command without a pty no SIGHUP when the channel closes, so the bare command would
# outlive the app's connection. This watches the channel's stdin: at EOF (channel closed, link
# dropped) the command is killed; when the command ends on its own, the exec ends too.
exec 3<&0
"$@" </dev/null &
c=$!
(cat <&3 >/dev/null; kill "$c" 2>/dev/null) >/dev/null 2>&1 &
exec 3<&-
wait "$c"
