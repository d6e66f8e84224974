# shellcheck shell=sh
# Lists the recent operations on the host with their journals, in one exec:
# `sh -c "$(cat operations-list.sh)" sh HOSTDIR LIMIT`. For each: a line `@@op OPID ALIVE` (ALIVE
# 1 while its runner process lives), then its journal, then an empty line so that a journal whose
# last line lacks its line break never swallows the next operation's header.
set -u
set -f
d=$1
case $d in /*) ;; *) d=$HOME/$d ;; esac
[ -d "$d/ops" ] || exit 0
# shellcheck disable=SC2012 # operation ids are [0-9A-Za-z-] (launch.sh refuses others)
ls -1 "$d/ops" | sort | tail -n "$2" | while IFS= read -r op; do
  alive=0
  if read -r pid <"$d/ops/$op/runner.pid" 2>/dev/null; then
    case $pid in '' | *[!0-9]*) ;; *) kill -0 "$pid" 2>/dev/null && alive=1 ;; esac
  fi
  echo "@@op $op $alive"
  cat "$d/ops/$op/journal.jsonl" 2>/dev/null
  echo
done
