# shellcheck shell=sh
# Follows one operation's journal from line N on: `sh -c "$(cat follow-journal.sh)" sh N HOSTDIR
# OPID` (wrapped by shell/follow.ts so it dies with its SSH channel). The host folder is relative
# to the SSH user's home unless absolute.
d=$2
case $d in /*) ;; *) d=$HOME/$d ;; esac
exec tail -n "+$1" -f "$d/ops/$3/journal.jsonl"
