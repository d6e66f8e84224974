# shellcheck shell=sh
# One detached operation's state, in one exec: `sh -c "$(cat read-operation.sh)" sh OPSPARENT
# OPID` prints 1 or 0 (its runner still runs) on the first line, then its journal. Exit 3 when
# there is no such operation. OPSPARENT is relative to the SSH user's home unless absolute.
d=$1
case $d in /*) ;; *) d=$HOME/$d ;; esac
o=$d/ops/$2
[ -d "$o" ] || exit 3
alive=0
read -r p <"$o/runner.pid" 2>/dev/null && kill -0 "$p" 2>/dev/null && alive=1
# a zombie (killed, not reaped yet) is not a runner any more
if [ "$alive" = 1 ] && [ -r "/proc/$p/stat" ]; then
  case $(sed 's/.*) //' "/proc/$p/stat") in Z*) alive=0 ;; esac
fi
echo "$alive"
cat "$o/journal.jsonl" 2>/dev/null
exit 0
