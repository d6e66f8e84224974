# shellcheck shell=sh
# The restore tests of one domain, as the host kept them (each in HOSTDIR/restore-tests/ops/OP,
# beside its journal), with host-scripts/runner-alive.sh in front (restore-tests.ts):
# `sh -c "$(cat runner-alive.sh restore-tests-list.sh)" sh HOSTDIR UUID`. For each test of that
# domain, newest first (operation ids sort by time), at most 50: a line "@@op OP ALIVE" (ALIVE 1
# when its runner still runs), then its journal.
set -u
d=$1
case $d in /*) ;; *) d=$HOME/$d ;; esac
[ -d "$d/restore-tests/ops" ] || exit 0
n=0
# operation folders are named by launch.sh with [0-9A-Za-z-] only, time first (checked below)
# shellcheck disable=SC2012
for o in $(ls -1 "$d/restore-tests/ops" | sort -r); do
  case $o in '' | *[!0-9A-Za-z-]*) continue ;; esac
  grep -qxF "uuid=$2" "$d/restore-tests/ops/$o/args" 2>/dev/null || continue
  alive=0
  runner_alive "$d/restore-tests/ops/$o" && alive=1
  echo "@@op $o $alive"
  cat "$d/restore-tests/ops/$o/journal.jsonl" 2>/dev/null
  echo
  n=$((n + 1))
  [ "$n" -ge 50 ] && break
done
exit 0
