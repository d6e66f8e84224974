# shellcheck shell=sh
# The runner's clock as the fault harness plays it: installed as `date` in the fake host's bin
# (fault-run.ts), so host-lib.sh's clock_start (`stdbuf -oL date -f - +%s%N`) starts this instead
# of date. Every other call of date is the real one (FAKE_REAL_DATE). As the clock it answers each
# line with the real time (a date process a line: only the runner's side must not start any), until
# the reading its plan names, where it fails as the plan says:
#
#   $FAKE_STATE/clock-plan   one line "HOW [TEXT]": at the first reading made while the journal's
#                            last line holds TEXT (any reading when there is none), it
#                            stop     stops itself (SIGSTOP), the answer unwritten
#                            kill     dies (SIGKILL)
#                            garbage  answers a line that is no time
#                            mute     answers nothing, now or later, and reads on
#   $FAKE_STATE/clock.pid    its pid (a fault sent from outside: fault-run.ts)
#   $FAKE_STATE/clock-fault  what it did, at which reading and after which journal line
#   $FAKE_STATE/date-calls   every other call of date, one a line
set -u
set -f
REAL=${FAKE_REAL_DATE:?}
S=${FAKE_STATE:?}
# a date a reading (the runner's clock given up, or never started): counted, then the real one
case ${1:-} in -f) ;; *) echo "$*" >>"$S/date-calls"; exec "$REAL" "$@" ;; esac
for fmt; do :; done # the format: its last argument
printf '%s\n' "$$" >"$S/clock.pid"
n=0 muted=0
while IFS= read -r _; do
  n=$((n + 1))
  if [ -s "$S/clock-plan" ] && [ ! -e "$S/clock-fault" ]; then
    read -r how text <"$S/clock-plan"
    last=
    if [ -e journal.jsonl ]; then
      while IFS= read -r l; do last=$l; done <journal.jsonl
    fi
    case $last in
      *"$text"*)
        printf '%s at reading %s after %s\n' "$how" "$n" "$last" >"$S/clock-fault"
        case $how in
          stop) kill -STOP $$ ;;
          kill) kill -KILL $$ ;;
          garbage) printf 'garbage\n'; continue ;;
          mute) muted=1 ;;
        esac
        ;;
    esac
  fi
  [ "$muted" = 1 ] && continue
  "$REAL" "$fmt"
done
