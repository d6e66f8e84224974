# shellcheck shell=sh
# shellcheck disable=SC2034 # ACTION, ARG, V and FAILED are read by the fake that sources this file
# What the scripted fakes (fake-virsh.sh, fake-export-virsh.sh) share: their state folder, their
# plans, their answers, and virsh's command line and interactive session. A fake sources this file
# with S set to its state folder, then defines `dispatch CMD ARGS…` and calls `fake_main "$@"`.
#
# Builtins wherever they do: every run of the fault suites forks a fake dozens of times, and on a
# loaded 2-core machine forks (not the runner's logic) are what those suites wait for.

# rd NAME DEFAULT: V = the first line of state file NAME, or DEFAULT when it is missing or empty
rd() { V=$2; [ -s "$S/$1" ] && read -r V <"$S/$1"; [ -n "$V" ] || V=$2; }
# setfile NAME VALUE: a state file is replaced whole, by a rename: a reader never sees half of it
setfile() { printf '%s\n' "$2" >"$S/$1.tmp.$$" && mv -f "$S/$1.tmp.$$" "$S/$1"; }
# trace WORDS…: one line of what happened, with the filesystems frozen at that moment
trace() { rd frozen 0; printf '%s\n' "$* frozen=$V" >>"$S/trace"; }

# plan_for STEP: ACTION and ARG for this call of STEP, from the plan's "STEP ACTION [ARG]" (every
# call) or "STEP#N ACTION [ARG]" (the N-th) lines. Calls are counted by appending a line: one
# short append is atomic, so concurrent calls of one step still count apart.
plan_for() {
  echo >>"$S/count.$1"
  n=0
  while read -r _; do n=$((n + 1)); done <"$S/count.$1"
  ACTION=ok ARG=''
  [ -f "$S/plan" ] || return 0
  while read -r pstep act arg; do
    case $pstep in
      "$1") ACTION=$act ARG=$arg ;;
      "$1#$n") ACTION=$act ARG=$arg; return 0 ;;
    esac
  done <"$S/plan"
}

# nap SECONDS: a sleep that a signal to the fake ends at once (its sleep goes with it)
nap() {
  sleep "$1" &
  NAP=$!
  trap 'kill "$NAP" 2>/dev/null; exit 143' TERM HUP INT
  wait "$NAP"
  trap - TERM HUP INT
}

# out TEXT / err TEXT: an answer (errors go to stderr like virsh's, and fail the call)
out() { printf '%s\n' "$1"; }
err() { printf 'error: %s\n' "$1" >&2; FAILED=1; }
# agent_answers: the guest agent answers only while the domain runs
agent_answers() {
  rd domstate running
  [ "$V" = running ] && return 0
  err "Guest agent is not responding: QEMU guest agent is not connected"
  return 1
}

# fake_main ARGS…: virsh's command line (-c URI and -q skipped): one command, or with none the
# interactive session as virsh has it: a banner, then for each command line the prompt and the
# line echoed, then its answer (errors on the same stream)
fake_main() {
  while [ $# -gt 0 ]; do
    case $1 in
      -c) shift 2 ;;
      -q) shift ;;
      *) break ;;
    esac
  done
  if [ $# -gt 0 ]; then
    dispatch "$@"
    exit $?
  fi
  exec 2>&1
  printf 'Welcome to virsh, the virtualization interactive terminal.\n\n'
  while IFS= read -r line; do
    printf 'virsh # %s\n' "$line"
    # shellcheck disable=SC2086 # split the command line into words, like virsh
    set -- $line
    [ $# -gt 0 ] || continue
    dispatch "$@" || true
  done
  exit 0
}
