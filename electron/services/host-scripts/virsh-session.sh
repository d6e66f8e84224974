# shellcheck shell=sh
# One interactive virsh process, one libvirt connection, for a freeze, a cut and a thaw: each
# command's answer is read before the next is sent (docs/ARCHITECTURE.md, "virsh 'a; b' carries
# on after failures"). The snapshot and export runners source this file from their operation
# folder (launch.ts and export-launch.ts ship it beside them; a schedule's job copies it).
#
# Needs from the script: URI, NL, and the fds 3 and 4 free. Commands go in through the FIFO vin,
# answers come back through vout, each ended by the echo of a unique marker. Only a checked UUID
# and fixed words may enter virsh's command language; files are named relative to the current
# folder (the operation's).
SESSION=none VIRSH_PID='' OUT='' SEQ=0 SEND_ERR=0 COUNT=''
# spawn_session: the virsh process alone, not waited for: a runner that has other work first lets
# its start and connection overlap that work; the first command sent waits for it.
spawn_session() {
  rm -f vin vout
  mkfifo vin vout || return 1
  virsh -c "$URI" <vin >vout 2>&1 5>&- 6<&- 9>&- &
  VIRSH_PID=$!
  echo "$VIRSH_PID" >session.pid
  # Each open waits for the child's. `command`: a signal that cuts one short (dash, busybox:
  # "Interrupted system call") is then a failed open, and its trap's exit runs the EXIT trap; a
  # plain `exec`'s failed redirection makes dash and busybox exit without running it (no way out,
  # no outcome journaled, the child left blocked)
  command exec 3>vin 4<vout || return 1
  SESSION=alive
}
# session_answers: the session is there and answers (its `echo connected` came back)
session_answers() {
  [ "$SESSION" = alive ] && send 'echo connected' && case $OUT in *connected*) ;; *) false ;; esac
}
start_session() {
  spawn_session && session_answers
}
# send COMMAND: runs it in the session; its output is left in $OUT. Status 0 when it answered
# without an error, 1 when virsh printed an error, 2 when the session ended before answering
# (then nothing is known of the command's effect). Builtins only: it runs inside the frozen
# window, where every process start lengthens the window.
send() {
  SEQ=$((SEQ + 1))
  OUT=
  SEND_ERR=0
  if [ "$SESSION" != alive ]; then OUT="the virsh session had ended"; return 2; fi
  if ! printf '%s\necho @@quiesce-%s@@\n' "$1" "$SEQ" >&3 2>/dev/null; then
    SESSION=dead
    OUT="the virsh session had ended"
    return 2
  fi
  # virsh echoes each command after its prompt ("virsh # CMD"), then prints the answer: the
  # echoed marker command is not the marker, and an earlier command's marker is stale.
  while IFS= read -r line <&4; do
    line=${line#virsh # }
    case $line in
      "@@quiesce-$SEQ@@") return "$SEND_ERR" ;;
      "echo @@quiesce-"* | "$1" | "@@quiesce-"*"@@") continue ;;
      *"echo @@quiesce-$SEQ@@")
        line=${line%"echo @@quiesce-$SEQ@@"}
        line=${line%"virsh # "} ;;
      *"@@quiesce-$SEQ@@")
        line=${line%"@@quiesce-$SEQ@@"}
        OUT="$OUT$line$NL"
        case $line in *error:*) SEND_ERR=1 ;; esac
        return "$SEND_ERR" ;;
      "<"*) case $1 in *"${line#<}") continue ;; esac ;;
    esac
    OUT="$OUT$line$NL"
    case $line in *error:*) SEND_ERR=1 ;; esac
  done
  SESSION=dead
  OUT="${OUT}the virsh session ended before answering"
  return 2
}
# end_session: quit and reap the session. One that never came alive was cut between its fork and
# the opens of its FIFOs (a signal during spawn_session's exec): its child may be blocked for good
# opening a FIFO nobody will open again, so it is killed before it is waited for.
end_session() {
  if [ -n "$VIRSH_PID" ]; then
    if [ "$SESSION" = alive ]; then
      printf 'quit\n' >&3 2>/dev/null
    else
      kill -KILL "$VIRSH_PID" 2>/dev/null
    fi
    exec 3>&- 4<&-
    wait "$VIRSH_PID" 2>/dev/null
    VIRSH_PID=
  fi
  SESSION=dead
  rm -f vin vout
}
# shellcheck disable=SC2034 # COUNT is read by the script that sources this file
# count_in TEXT WORD: COUNT = the N of "WORD N filesystem(s)" in virsh's answer, if a number
count_in() {
  COUNT=
  case $1 in *"$2 "*) ;; *) return 1 ;; esac
  c=${1#*"$2 "}
  c=${c%%[!0-9]*}
  is_uint "$c" || return 1
  COUNT=$c
}
