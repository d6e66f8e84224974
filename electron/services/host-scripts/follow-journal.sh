# shellcheck shell=sh
# Follows one operation's journal from line N on: `sh -c "$(cat follow-journal.sh)" sh N HOSTDIR
# OPID` (wrapped by shell/follow.ts so it dies with its SSH channel). The host folder is relative
# to the SSH user's home unless absolute. It ends by itself once the journal can no longer grow:
# a runner killed outright never writes its end line, and once neither it nor its watchdog lives,
# following on would only hold a process on the host until the app disconnects.
d=$2
case $d in /*) ;; *) d=$HOME/$d ;; esac
o=$d/ops/$3
tail -n "+$1" -f "$o/journal.jsonl" &
t=$!
# stopped from outside (the channel closed): tail goes too
trap 'kill "$t" 2>/dev/null; exit 0' TERM HUP INT
# gone NAME: NAME.pid names a process that no longer runs (no file yet: not started, not gone)
gone() {
  [ -e "$o/$1.pid" ] || return 1
  read -r p <"$o/$1.pid" 2>/dev/null || return 0
  ! kill -0 "$p" 2>/dev/null
}
watchdog_gone() { [ ! -e "$o/watchdog.pid" ] || gone watchdog; }
while kill -0 "$t" 2>/dev/null; do
  sleep 1
  if gone runner && watchdog_gone; then
    sleep 1 # tail prints what the last writer wrote
    kill "$t" 2>/dev/null
  fi
done
wait "$t" 2>/dev/null
exit 0
