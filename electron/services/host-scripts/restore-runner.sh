# shellcheck shell=sh
# Quiesce restore runner: runs one restore from an export (as a new domain: export-restore.sh;
# over the original: export-restore-original.sh with `apply`) ON THE HOST, detached like the
# other runners (launch.sh starts it with setsid), and turns what the restore script prints into
# journal lines, so an app that closed or lost its link finds the restore again, follows its
# progress and cancels it (electron/services/export/restore-journal.ts reads the lines).
#
# Usage: sh restore-runner.sh OPDIR, OPDIR = HOSTDIR/restores/ops/OP. The app wrote beside it:
#   args        name=value lines (read_args): op, uri, uuid (the exported domain), kind (restore |
#               restore-original), exportId, restoreId (the cancel's name), name (the new domain's,
#               base64), start (1: the new domain is started), agentTimeoutS, workstation, user,
#               copyRate (test-only: the copy's bytes/s, `qemu-img convert -r`; 0: as fast as it goes)
#   restore.sh  the restore script as the app sends it (host-lib.sh and restore-lib.sh in front)
#   argv        one `set -- …` line: the restore script's arguments, each quoted by the app's one
#               quoting function (shared/shell-command.ts)
# The restore script runs with RESTORE_CANCEL=HOSTDIR/restores/RESTOREID, so
# export-restore-cancel.sh HOSTDIR RESTOREID cancels it while it copies, and only then
# (restore-lib.sh); its stdout is read line by line:
#   progress TARGET DONE TOTAL RATE ETA  → a progress line (numbers checked)
#   anything else                        → an `out` line (b64: the line), and phases move on it:
#                                          check → copy (first progress) → define → start (new
#                                          domain) or stop → switch → start (over the original)
# and its exit status becomes the result line (ok, cancelled: exit 76, code, b64: its stderr),
# then the end line. The restore script keeps its own undo: this runner adds no step of its own.
OPDIR=${1:-}
cd "$OPDIR" || exit 70
# shellcheck source-path=SCRIPTDIR source=host-lib.sh
. "$OPDIR/host-lib.sh"
runner_start
# the app may be gone and its link with it: the runner goes on (setsid: no terminal either).
# Caught, not ignored: a signal ignored here would be ignored in the restore script too, for good
# (a shell cannot trap what it started with ignored), and its own HUP and PIPE undo would not run.
# Caught, a signal still cuts short the runner's open of restore.out (dash, busybox) and a read
# from it that waits (those two, and bash run as sh): SIGNALLED tells follow_restore and
# follow_output it was a signal, not the output's end, and they open or read again.
SIGNALLED=0
trap 'SIGNALLED=1' HUP PIPE

OP=invalid URI='' UUID='' RESTOREDIR='' KIND='' EXPORT_ID='' RESTORE_ID='' NAME_B64='' START=0
AGENT_TIMEOUT='' WORKSTATION='' APPUSER='' COPY_RATE=0
BAD_ARGS_EXTRA=',"cancelled":false,"code":64' # bad_args (host-lib.sh): nothing was run
read_args uri=URI uuid=UUID hostDir=RESTOREDIR kind=KIND exportId=EXPORT_ID restoreId=RESTORE_ID \
  name=NAME_B64 start=START agentTimeoutS=AGENT_TIMEOUT workstation=WORKSTATION user=APPUSER \
  copyRate=COPY_RATE
[ -n "$URI" ] || bad_args uri
is_uuid "$UUID" || bad_args uuid
case $KIND in restore | restore-original) ;; *) bad_args kind ;; esac
case $EXPORT_ID in '' | *[!0-9A-Za-z-]*) bad_args exportId ;; esac
# the cancel's folder is HOSTDIR/restores/RESTOREID, beside HOSTDIR/restores/ops
case $RESTORE_ID in '' | ops | *[!0-9A-Za-z-]*) bad_args restoreId ;; esac
case $NAME_B64 in *[!A-Za-z0-9+/=]*) bad_args name ;; esac
case $START in 0 | 1) ;; *) bad_args start ;; esac
is_uint "$COPY_RATE" || bad_args copyRate
check_kind_folder "$RESTOREDIR" restores # and HOSTDIR
{ [ -s restore.sh ] && [ -s argv ]; } || bad_args "no restore script or arguments"
echo $$ >runner.pid

journal start "\"kind\":\"$KIND\",\"uuid\":\"$UUID\",\"pid\":$$,\"exportId\":\"$EXPORT_ID\",\"restoreId\":\"$RESTORE_ID\",\"name\":\"$NAME_B64\",\"start\":$START,\"workstation\":\"$(b64 "$WORKSTATION")\",\"user\":\"$(b64 "$APPUSER")\""

# ---------------------------------------------------------------- the restore script's lines
# PHASE is the phase open now; `next NAME` closes it and opens NAME ('' opens none)
PHASE=check WAS_RUNNING=0
next() {
  [ -z "$PHASE" ] || phase "$PHASE" 'done' "${2:-}"
  PHASE=$1
  [ -z "$PHASE" ] || phase "$PHASE" running
}
# progress_line TARGET DONE TOTAL RATE ETA: a progress line, when each word is what
# restore-lib.sh prints; false otherwise
progress_line() {
  [ $# = 5 ] || return 1
  case $1 in '' | *[!A-Za-z0-9]*) return 1 ;; esac
  is_uint "$2" && is_uint "$3" && is_uint "$4" || return 1
  [ "$5" = -1 ] || is_uint "$5" || return 1
  [ "$PHASE" = check ] && next copy
  journal progress "\"target\":\"$1\",\"done\":$2,\"total\":$3,\"rate\":$4,\"etaS\":$5"
}
# finish CODE: the open phase closed as the exit status says, then the result and end lines
finish() {
  if [ "$1" = 0 ]; then
    next ''
    journal_result '"cancelled":false,"code":0'
  else
    err=$(head -c 4000 restore.err 2>/dev/null)
    [ -n "$err" ] || err="the restore script ended with exit status $1"
    fail "${PHASE:-runner}" "$err"
    if [ "$1" = 76 ]; then
      journal_result '' '"cancelled":true,"code":76'
    else
      journal_result '' "\"cancelled\":false,\"code\":$1"
    fi
  fi
  journal end
  : >ended
}
# follow_output: reads the restore script's stdout, then its "exit N" line (added below); true.
# A read a trapped signal cut short fails as the end would (dash, busybox, and bash run as sh, in
# POSIX mode: status 129): with SIGNALLED set it was the signal, and the line goes on. dash keeps
# the part it had read in the variable, and it goes in front of the rest; bash drops it, busybox
# mostly does, leaving the variable as it was (hence the empty line before each read), so a line
# can lose its start there, but only one that came in more than one write: the restore scripts
# write their lines whole (echo), so a read waits between lines. A signal just after the real end
# costs one more read, at the end again.
follow_output() {
  fo_part=''
  while :; do
    line=''
    if IFS= read -r line; then
      line=$fo_part$line
      fo_part=''
    elif [ "$SIGNALLED" = 1 ]; then
      SIGNALLED=0
      fo_part=$fo_part$line
      continue
    else
      return 0
    fi
    case $line in
      'progress '*)
        # shellcheck disable=SC2086 # the line's words (set -f: no glob)
        progress_line ${line#progress } && continue
        ;;
      'exit '*)
        st=${line#exit }
        is_uint "$st" || st=1
        finish "$st"
        return 0
        ;;
    esac
    journal out "\"b64\":\"$(b64 "$line")\""
    case $line in
      'state running'* | 'state paused'*) WAS_RUNNING=1 ;;
      copied)
        if [ "$KIND" = restore ]; then
          next define
        elif [ "$WAS_RUNNING" = 1 ]; then
          next stop
        else
          next switch
        fi
        ;;
      'defined '*) if [ "$START" = 1 ]; then next start; else next ''; fi ;;
      'stopped '*) next switch "${line#stopped }" ;;
      switched) if [ "$WAS_RUNNING" = 1 ]; then next start; else next ''; fi ;;
      started) next '' ;;
    esac
  done
}
# follow_restore FIFO: opens FIFO, the restore script's stdout, and follows it (follow_output).
# The open waits for the writer's; a trapped signal there fails the redirection (dash, busybox:
# "Interrupted system call"), and the writer, not started yet, still waits for a reader: open
# again. False when the open failed without a signal.
follow_restore() {
  until follow_output <"$1"; do
    [ "$SIGNALLED" = 1 ] || return 1
    SIGNALLED=0
  done
}

# ---------------------------------------------------------------- run it
phase check running
RESTORE_CANCEL=$HOSTDIR/restores/$RESTORE_ID
export RESTORE_CANCEL
if [ "$COPY_RATE" != 0 ]; then
  RESTORE_RATE=$COPY_RATE
  export RESTORE_RATE
fi
# shellcheck disable=SC1091 # written by the app: one `set -- …` line, every argument quoted
. ./argv
# The reader is this shell itself (runner.pid), not a pipeline's subshell: a runner killed is a
# reader gone, so the script's next line (5 s at most while it copies) meets a closed FIFO and its
# own undo runs, and "lost" (no runner, no end line) is what happened, not a restore going on
# unseen behind a dead pid.
rm -f restore.out
mkfifo restore.out || { fail runner "could not make the FIFO restore.out in $OPDIR"; journal_result '' '"cancelled":false,"code":70'; journal end; exit 0; }
{
  sh ./restore.sh "$@" </dev/null 2>restore.err
  echo "exit $?"
} >restore.out &
follow_restore restore.out
rm -f restore.out
if ! [ -e ended ]; then
  # the reader ended without the script's exit status (killed): say so rather than nothing
  fail runner "the restore runner lost the restore script's output"
  journal_result '' '"cancelled":false,"code":70'
  journal end
fi
exit 0
