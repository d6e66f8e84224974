# shellcheck shell=sh
# One detached operation's state, in one exec (launch.ts sends runner-alive.sh in front of it):
# `sh -c "$(cat runner-alive.sh read-operation.sh)" sh OPSPARENT OPID` prints 1 or 0 (its runner
# still runs) on the first line, then its journal. Exit 3 when there is no such operation.
# OPSPARENT is relative to the SSH user's home unless absolute.
d=$1
case $d in /*) ;; *) d=$HOME/$d ;; esac
o=$d/ops/$2
[ -d "$o" ] || exit 3
if runner_alive "$o"; then echo 1; else echo 0; fi
cat "$o/journal.jsonl" 2>/dev/null
exit 0
