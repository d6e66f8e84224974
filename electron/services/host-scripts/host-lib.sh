# shellcheck shell=sh
# Helpers the snapshot runner and its watchdog share (launch.ts writes this file beside them as
# host-lib.sh; each sources it from its operation folder). Builtins only where they run inside the
# frozen window: a process started while the guest's filesystems are frozen is fine on the host,
# but every fork there lengthens the window.

# is_uint N: N is a plain unsigned number (at most 20 digits, so shell arithmetic holds it)
is_uint() { case $1 in '' | *[!0-9]*) return 1 ;; esac; [ ${#1} -le 20 ]; }
# in_range N LOW HIGH: N is a number from LOW to HIGH
in_range() { is_uint "$1" && [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }
# now_mono: MONO = the host's monotonic clock in ms (/proc/uptime, 10 ms coarse), builtins only
now_mono() {
  read -r up _ </proc/uptime
  MONO=${up%.*}${up#*.}0
  is_uint "$MONO" || MONO=0
}
# now_rt: RT = wall clock in ns; busybox date has no %N, and seconds beat an invalid number
now_rt() {
  RT=$(date +%s%N 2>/dev/null)
  is_uint "$RT" && [ ${#RT} -ge 19 ] || RT=$(date +%s)000000000
  is_uint "$RT" || RT=0
}
# b64 TEXT: one line of base64, how free text travels inside a journal line
b64() { printf '%s' "$1" | base64 | tr -d '\n'; }
# private_dir DIR: DIR (or the folder it links to) is this user's and no one else may write to
# it, so no other account can plant or swap the files a runner trusts (args, made, locks).
private_dir() {
  [ -d "$1" ] && [ -O "$1" ] || return 1
  perms=$(ls -ldnL -- "$1" 2>/dev/null) || return 1
  case $perms in ?????w* | ????????w*) return 1 ;; esac
}
# private_host_dir: HOSTDIR (made if missing) passes private_dir, or the script ends (exit 65)
# saying how to fix it. For the scripts that write there first (launch.sh, schedule-install.sh),
# sent with this file in front of them; a runner checks its folder again (check_folder).
private_host_dir() {
  mkdir -p "$HOSTDIR"
  private_dir "$HOSTDIR" && return 0
  echo "the host folder $HOSTDIR must belong to $(id -un) and be writable by no one else (chmod go-w)" >&2
  exit 65
}
# runner_start: how every runner of an operation folder (OPDIR, its current folder) runs: an
# unset name is an error, nothing is globbed (paths come from libvirt and the admin and may hold
# anything), the files it makes are private, and its journal is OPDIR/journal.jsonl.
runner_start() {
  set -u
  set -f
  umask 077
  JOURNAL=$OPDIR/journal.jsonl
}

# ---------------------------------------------------------------- the journal (JOURNAL, OP: set by the script)
# emit JSON-MEMBERS: one whole line in one write, so readers never see half of it
emit() { printf '%s\n' "{$1}" >>"$JOURNAL"; }
# journal EV [more members, already valid JSON]
journal() {
  now_mono
  now_rt
  emit "\"ev\":\"$1\",\"op\":\"$OP\",\"mono\":$MONO,\"rt\":$RT${2:+,$2}"
}
# phase NAME STATUS [TEXT]
phase() { journal phase "\"phase\":\"$1\",\"status\":\"$2\"${3:+,\"b64\":\"$(b64 "$3")\"}"; }
# fail PHASE MESSAGE: the operation failed there; the message says why (virsh's own words).
# `runner` (the runner itself stopped) is no phase: the result line says it.
FAILED_PHASE='' FAILED_MSG=''
fail() {
  [ "$1" = runner ] || phase "$1" failed "$2"
  if [ -z "$FAILED_PHASE" ]; then
    FAILED_PHASE=$1 FAILED_MSG=$2
  else
    FAILED_MSG="$FAILED_MSG; then at $1: $2"
  fi
}
decode() { printf '%s' "$1" | base64 -d 2>/dev/null; }

# ---------------------------------------------------------------- a runner's arguments, by name
# read_args [NAME=VARIABLE | FUNCTION]...: reads the operation's `args` (`name=value` a line).
# `op` goes to OP, checked here the same way for every script. Each other name goes into the
# shell variable the list pairs with it, or to the first FUNCTION NAME VALUE of the list that
# takes it (freeze_arg); with no list, to the script's own `arg NAME VALUE`. A bad op, or a name
# nothing takes, makes the script's bad_args end it; the script checks the values.
read_args() {
  [ -r args ] || bad_args "no args file"
  while IFS= read -r line || [ -n "$line" ]; do
    key=${line%%=*} val=${line#*=}
    case $key in
      op) case $val in '' | *[!0-9A-Za-z-]*) bad_args op ;; esac; OP=$val ;;
      '') ;;
      *) if [ $# = 0 ]; then arg "$key" "$val"; else arg_into "$key" "$val" "$@"; fi ;;
    esac
  done <args
}
# arg_into NAME VALUE LIST...: read_args' list at work. Only the list (the script's own words)
# reaches eval; the value goes in as data.
arg_into() {
  arg_key=$1 arg_val=$2
  shift 2
  for arg_to; do
    case $arg_to in
      "$arg_key="*) eval "${arg_to#*=}=\$arg_val"; return 0 ;;
      *=*) ;;
      *) "$arg_to" "$arg_key" "$arg_val" && return 0 ;;
    esac
  done
  bad_args "unknown name $arg_key"
}
# is_uuid TEXT: TEXT has libvirt's UUID form (so it may enter virsh's command language)
is_uuid() {
  case $1 in *[!0-9a-fA-F-]* | -* | *--*) return 1 ;; esac
  [ ${#1} = 36 ]
}
# check_folder HOSTDIR: HOSTDIR is private and this operation's folder is HOSTDIR/ops/OP
check_folder() {
  private_dir "$1" || bad_args "hostDir: $1 is not a folder of this user that only this user can write to"
  case $OPDIR in "$1/ops/$OP") ;; *) bad_args "the operation folder is not $1/ops/$OP" ;; esac
}

# ---------------------------------------------------------------- what libvirt says is in use
NL='
'
# shellcheck disable=SC2034 # TAB: read by the scripts (plans are tab-separated)
TAB=$(printf '\t')
IFS_SAVE=$IFS
# list_in_use: every file path a domain on this host uses (its live disks, its persistent
# definition's, every layer of a running domain's chains), as libvirt lists it, into IN_USE,
# through one virsh process (URI: set by the script). Fails when libvirt cannot be asked: then
# nothing may be removed.
IN_USE=
list_in_use() {
  uuids=$(virsh -c "$URI" list --all --uuid 2>/dev/null 3>&- 4<&- 9>&-) || return 1
  cmds=
  for u in $uuids; do
    is_uuid "$u" || continue # only what has libvirt's UUID form enters its command language
    cmds="${cmds}domblklist $u --details${NL}domblklist $u --details --inactive$NL"
  done
  cmds="${cmds}domstats --block --backing$NL"
  IN_USE=$(printf '%s' "$cmds" | virsh -c "$URI" 2>&1 3>&- 4<&- 9>&-) || return 1
  case $IN_USE in *error:*) return 1 ;; esac
  return 0
}
# is_in_use PATH: IN_USE names PATH
is_in_use() {
  IFS=$NL
  for l in $IN_USE; do
    case $l in *" $1" | *"=$1") IFS=$IFS_SAVE; return 0 ;; esac
  done
  IFS=$IFS_SAVE
  return 1
}

# ---------------------------------------------------------------- the guest's freeze, as the runners do it
# For the runners that freeze a guest around a cut (the export runner; the snapshot runner's own
# copies are the same). They need from the script: URI, UUID, OP, OPDIR, AGENT_TIMEOUT, MAXFREEZE,
# HOLD_MS, POLICY, and the facts FREEZE, FREEZE_STATE, FROZEN_N, THAWED_N, THAW_CONFIRMED,
# WATCHDOG, WATCHDOG_FIRST, CUT_MONO, CUT_ANSWERED, CUT_STATE, CUT_OUT; the virsh session of
# virsh-session.sh.

# jfast EV [members]: builtins only, for use inside the frozen window (no rt: date is a process)
jfast() {
  now_mono
  emit "\"ev\":\"$1\",\"op\":\"$OP\",\"mono\":$MONO${2:+,$2}"
}
# bad_args WHY: the runner's arguments are wrong: a result line and an end line, exit 64
bad_args() {
  emit "\"ev\":\"result\",\"op\":\"$OP\",\"mono\":0,\"ok\":false,\"failedPhase\":\"runner\",\"b64\":\"$(b64 "invalid runner arguments: $1")\"${BAD_ARGS_EXTRA:-}"
  emit "\"ev\":\"end\",\"op\":\"$OP\",\"mono\":0"
  exit 64
}
# Children never hold the domain lock (fd 9), a schedule's job lock (fd 8), nor either end of the
# virsh session (fds 3 and 4): a lock must die with its holder, and a killed runner's session must
# see its input end at once.
virsh_() { virsh -c "$URI" "$@" 3>&- 4<&- 8>&- 9>&-; }
agent() { virsh -c "$URI" qemu-agent-command --domain "$UUID" --timeout "$AGENT_TIMEOUT" --cmd "$1" 3>&- 4<&- 9>&-; }
# freeze_status: FSTATUS = frozen, thawed, or unknown (the agent did not say); FSTATUS_OUT its words
freeze_status() {
  st=$(agent '{"execute":"guest-fsfreeze-status"}' 2>&1)
  case $st in
    *'"return"'*'"frozen"'*) FSTATUS=frozen ;;
    *'"return"'*'"thawed"'*) FSTATUS=thawed ;;
    *) FSTATUS=unknown ;;
  esac
  FSTATUS_OUT=$st
}
# confirm_thaw: a thaw through fresh calls; confirmed when the agent then says thawed (libvirt runs
# one agent command of a domain at a time, so this answers only after a freeze still in flight)
confirm_thaw() {
  agent '{"execute":"guest-fsfreeze-thaw"}' >/dev/null 2>&1
  freeze_status
  [ "$FSTATUS" = thawed ] && THAW_CONFIRMED=1
}
xml_escape() { printf '%s' "$1" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e "s/'/\&apos;/g" -e 's/"/\&quot;/g'; }

# arm_watchdog: watchdog.sh started, holding neither end of the session (nor of the export runner's
# clock, fds 5 and 6) nor the lock; true once it says it is in place (a freeze before that would
# have no guard)
arm_watchdog() {
  rm -f disarmed fired freeze-returned watchdog.pid
  if command -v setsid >/dev/null 2>&1; then
    setsid sh watchdog.sh "$OPDIR" "$OP" "$URI" "$UUID" "$MAXFREEZE" "$AGENT_TIMEOUT" </dev/null >watchdog.log 2>&1 3>&- 4<&- 5>&- 6<&- 9>&- &
  else
    nohup sh watchdog.sh "$OPDIR" "$OP" "$URI" "$UUID" "$MAXFREEZE" "$AGENT_TIMEOUT" </dev/null >watchdog.log 2>&1 3>&- 4<&- 5>&- 6<&- 9>&- &
  fi
  WATCHDOG=armed
  i=0
  # every 0.05 s for up to 5 s; a runner may look more often (ARM_POLL_S, ARM_POLLS: the same 5 s)
  while [ ! -s watchdog.pid ] && [ "$i" -lt "${ARM_POLLS:-100}" ]; do sleep "${ARM_POLL_S:-0.05}" 3>&- 4<&- 9>&-; i=$((i + 1)); done
  [ -s watchdog.pid ]
}
# disarm_watchdog: only once a thaw is confirmed. A watchdog that has not fired is only sleeping:
# stop it; one that fired is talking to libvirt: it reads `disarmed` and stops by itself.
disarm_watchdog() {
  [ "$WATCHDOG" = armed ] || return 0
  : >disarmed
  WATCHDOG=disarmed
  if [ ! -e fired ] && read -r wpid <watchdog.pid 2>/dev/null && is_uint "$wpid"; then
    kill -TERM "$wpid" 2>/dev/null
  fi
}
# thaw_on_exit: for the exit trap. Leaving without a confirmed thaw (signal, dead session, error),
# the session is ended first (a command still running in it would answer into the void), then the
# guest thawed through fresh calls; the watchdog stands down only once a thaw is confirmed.
thaw_on_exit() {
  if [ "$FREEZE_STATE" != none ] && [ "$THAW_CONFIRMED" != 1 ]; then
    [ -n "$VIRSH_PID" ] && kill -TERM "$VIRSH_PID" 2>/dev/null
    end_session
    if confirm_thaw; then
      phase thaw 'done' "thawed on the way out"
    else
      fail thaw "the thaw could not be confirmed ($FSTATUS_OUT): the watchdog keeps thawing until the agent says thawed"
    fi
  fi
  if [ "$THAW_CONFIRMED" = 1 ] || [ "$FREEZE_STATE" = none ]; then disarm_watchdog; fi
}
# take_domain_lock OWNER [WAIT]: the domain's lock (HOSTDIR/locks/UUID.lock, fd 9), one operation
# per domain whatever its kind; flock is atomic and the kernel releases it when its holder dies.
# Fails the lock phase and exits when another operation holds it (WAIT seconds on, if given).
take_domain_lock() {
  mkdir -p "$HOSTDIR/locks"
  LOCKFILE=$HOSTDIR/locks/$UUID.lock
  if ! command -v flock >/dev/null 2>&1; then
    fail lock "the host has no flock command (util-linux or busybox): install it"
    exit 1
  fi
  exec 9>>"$LOCKFILE"
  if [ -n "${2:-}" ]; then flock -w "$2" 9; else flock -n 9; fi || {
    holder=$(cat "$LOCKFILE.owner" 2>/dev/null)
    fail lock "another operation (${holder:-unknown}) is running on this domain"
    exit 1
  }
  echo "$1" >"$LOCKFILE.owner"
}
# why_not_quiesced LOST: WHY_NOT = why the cut is not shown to be within the freeze ("" when it
# is); LOST says why an unanswered cut is not (empty: the run has no cut to answer)
# shellcheck disable=SC2034 # WHY_NOT: read by the script
why_not_quiesced() {
  WHY_NOT=
  [ "$FREEZE" = yes ] || return 0
  if [ -z "$FROZEN_N" ] || [ "$FROZEN_N" -le 0 ]; then
    WHY_NOT="the freeze did not confirm any frozen filesystem"
  elif [ -n "$1" ] && [ "$CUT_ANSWERED" != 1 ]; then
    WHY_NOT="the cut's answer was lost: $1"
  elif [ "$WATCHDOG_FIRST" = 1 ]; then
    WHY_NOT="the watchdog thawed the guest (maximum freeze ${MAXFREEZE} s) before the cut had answered"
  elif [ -z "$THAWED_N" ]; then
    WHY_NOT="the thaw did not confirm how many filesystems it thawed, so the cut cannot be shown to be within the freeze"
  elif [ "$THAWED_N" != "$FROZEN_N" ]; then
    WHY_NOT="the thaw found $THAWED_N of $FROZEN_N filesystems frozen: something else thawed the guest during the cut"
  fi
}
window_json() {
  printf '"windowStartRt":%s,"windowEndRt":%s,"windowStartMono":%s,"windowEndMono":%s' \
    "$WINDOW_START" "$WINDOW_END" "$WINDOW_START_MONO" "$WINDOW_END_MONO"
}
# freeze_cut_thaw CUT: arm the watchdog, freeze, run the script's function CUT (none when empty),
# thaw, disarm; the window opens when the freeze is issued and closes when the thaw returns, and
# in between only builtins and the one virsh session run. A freeze that froze no filesystem for
# sure is thawed all the same and confirmed; under `require` (or with no cut: a freeze test) that
# fails the run, else FREEZE=no and CRASH_REASON says why. Exits after any `fail`.
# shellcheck disable=SC2034 # CRASH_REASON, FREEZE: read by the script
freeze_cut_thaw() {
  phase arm running
  arm_watchdog || { fail arm "the watchdog did not start (watchdog.log on the host says why)"; exit 1; }
  phase arm 'done'
  phase freeze running
  now_rt; WINDOW_START=$RT; now_mono; WINDOW_START_MONO=$MONO
  FREEZE_STATE=sent
  send "domfsfreeze $UUID"
  r=$?
  FREEZE_OUT=$OUT
  if [ "$r" = 2 ]; then FREEZE_STATE=lost; else FREEZE_STATE=returned; : >freeze-returned; fi
  [ "$r" = 0 ] && count_in "$OUT" Froze && FROZEN_N=$COUNT
  if [ -n "$FROZEN_N" ] && [ "$FROZEN_N" -gt 0 ]; then
    jfast frozen "\"filesystems\":$FROZEN_N"
    [ "$HOLD_MS" -gt 0 ] && sleep "$((HOLD_MS / 1000)).$(printf '%03d' $((HOLD_MS % 1000)))" 3>&- 4<&- 9>&-
    [ -n "$1" ] && "$1"
    # a watchdog that fired before the cut answered may have thawed the guest under it
    if [ -e fired ]; then
      WATCHDOG_FIRST=1
      if [ -n "$CUT_MONO" ] && [ "$CUT_ANSWERED" = 1 ] && read -r fired_mono <fired && is_uint "$fired_mono" &&
        [ "$fired_mono" -gt $((CUT_MONO + 10)) ]; then WATCHDOG_FIRST=0; fi
    fi
    jfast phase '"phase":"thaw","status":"running"'
    send "domfsthaw $UUID"
    r=$?
    THAW_OUT=$OUT
    now_rt; WINDOW_END=$RT; now_mono; WINDOW_END_MONO=$MONO
    [ "$r" = 0 ] && count_in "$OUT" Thawed && THAWED_N=$COUNT && THAW_CONFIRMED=1
    # out of the window: now journal what happened in it
    phase freeze 'done' "$FREEZE_OUT"
    if [ -n "$1" ]; then
      case $CUT_STATE in
        done) phase cut 'done' "$CUT_OUT" ;;
        *) phase cut failed "${CUT_OUT:-no answer}" ;;
      esac
    fi
    if [ "$THAW_CONFIRMED" = 1 ]; then
      journal thawed "$(window_json),\"filesystems\":$THAWED_N"
      phase thaw 'done' "$THAW_OUT"
    elif [ "$SESSION" = alive ] && confirm_thaw; then
      journal thawed "$(window_json)"
      phase thaw 'done' "the thaw did not answer clearly (${THAW_OUT:-nothing}); the agent then said thawed"
    else
      fail thaw "the thaw did not answer clearly: ${THAW_OUT:-nothing}"
      exit 1 # the exit trap ends the session, thaws through fresh calls, keeps the watchdog if it cannot
    fi
    phase disarm running
    disarm_watchdog
    phase disarm 'done'
  else
    # a freeze that froze 0 filesystems is not a quiesce; thaw all the same (a partial freeze,
    # or an error that lied), and confirm it before the watchdog stands down
    [ "$SESSION" = alive ] && send "domfsthaw $UUID"
    if [ "$SESSION" = alive ] && confirm_thaw; then
      disarm_watchdog
    else
      fail freeze "${FREEZE_OUT:-the freeze did not answer}"
      exit 1
    fi
    if [ "$POLICY" = require ] || [ -z "$1" ]; then
      fail freeze "${FREEZE_OUT:-the freeze did not answer}${FROZEN_N:+ (froze $FROZEN_N filesystems)}"
      exit 1
    fi
    phase freeze failed "${FREEZE_OUT:-no answer}"
    CRASH_REASON="the freeze failed: ${FREEZE_OUT:-no answer}"
    FREEZE=no
  fi
}

# ---------------------------------------------------------------- what every freezing runner is told
# freeze_arg NAME VALUE: the arguments every runner that freezes a guest takes (uri, uuid, policy,
# maxFreezeS, agentTimeoutS, workstation, user, holdFrozenMs); false for any other name
# shellcheck disable=SC2034 # WORKSTATION, APPUSER: read by the script
freeze_arg() {
  case $1 in
    uri) URI=$2 ;;
    uuid) UUID=$2 ;;
    policy) POLICY=$2 ;;
    maxFreezeS) MAXFREEZE=$2 ;;
    agentTimeoutS) AGENT_TIMEOUT=$2 ;;
    workstation) WORKSTATION=$2 ;;
    user) APPUSER=$2 ;;
    holdFrozenMs) HOLD_MS=$2 ;;
    *) return 1 ;;
  esac
}
# check_freeze_args: those values checked (bad_args ends the script on the first wrong one)
check_freeze_args() {
  [ -n "$URI" ] || bad_args uri
  is_uuid "$UUID" || bad_args uuid
  case $POLICY in require | allow-crash-consistent) ;; *) bad_args policy ;; esac
  in_range "$MAXFREEZE" 1 3600 || bad_args maxFreezeS
  in_range "$AGENT_TIMEOUT" 1 600 || bad_args agentTimeoutS
  is_uint "$HOLD_MS" || bad_args holdFrozenMs
}
# on_exit FUNCTION: FUNCTION runs on every way out; a signal becomes an exit status and SIGNAL
# names it; a dead virsh session surfaces as a failed send, not a SIGPIPE before the thaw
# shellcheck disable=SC2034 # SIGNAL: read by the exit function
on_exit() {
  SIGNAL=
  # shellcheck disable=SC2064 # the function's name, now
  trap "$1" EXIT
  trap 'SIGNAL=SIGHUP; exit 129' HUP
  trap 'SIGNAL=SIGINT; exit 130' INT
  trap 'SIGNAL=SIGTERM; exit 143' TERM
  trap '' PIPE
}

# ---------------------------------------------------------------- the cut, and how a run ends
# send_cut COMMAND DONE: the cut, sent in the session. CUT_ANSWERED says its answer came back (so
# its effect, if any, happened before whatever is sent next); CUT_STATE is done when that answer
# holds DONE, failed on virsh's error, unknown otherwise (then libvirt is asked, not guessed).
send_cut() {
  jfast phase '"phase":"cut","status":"running"'
  CUT_STATE=sent
  send "$1"
  r=$?
  now_mono
  CUT_MONO=$MONO
  CUT_OUT=$OUT
  case $r in
    0) CUT_ANSWERED=1; case $OUT in *"$2"*) CUT_STATE='done' ;; *) CUT_STATE=unknown ;; esac ;;
    1) CUT_ANSWERED=1; CUT_STATE=failed ;;
    *) CUT_STATE=unknown ;;
  esac
}
# journal_result OK-MEMBERS FAILED-MEMBERS: the run's result line, failed when FAILED_PHASE is
# set (with FAILED_MSG), each with the run's own members (valid JSON, may be empty)
journal_result() {
  if [ -n "$FAILED_PHASE" ]; then
    journal result "\"ok\":false,\"failedPhase\":\"$FAILED_PHASE\",\"b64\":\"$(b64 "$FAILED_MSG")\"${2:+,$2}"
  else
    journal result "\"ok\":true${1:+,$1}"
  fi
}

# ---------------------------------------------------------------- stopping a guest
# stop_guest UUID TIMEOUT FORCE NOTE: a running or paused guest shut down, waited for up to
# TIMEOUT s: through its agent, else ACPI. A guest that ignored the agent's request gets ACPI half
# way through the wait; an agent that refused it (not up yet: a guest still booting, which
# ignores ACPI when it has no acpid) is asked again every 5 s until it takes it. Past TIMEOUT,
# with FORCE=1, it is powered off (`virsh destroy`). `NOTE TEXT` is called with each line of
# progress (`:` for none). Sets STATE (its last domstate) and STOP_HOW (agent, acpi, agent
# (retried)); true once the guest is off, STOPPED saying how ("stopped by agent shutdown in 3 s",
# "powered off after 60 s"); else false, STOP_ERR saying why. Used by the revert runner and
# export-restore-original.sh (host-lib.sh in front of it); sleeps without fd 9 (the domain lock).
# shellcheck disable=SC2034 # STOPPED, STOP_ERR: read by the script
stop_guest() {
  sg_uuid=$1 sg_limit=$2 sg_force=$3 sg_note=$4
  STOPPED='' STOP_ERR='' STOP_HOW=agent
  if ! sg_out=$(virsh_ shutdown "$sg_uuid" --mode agent 2>&1); then
    "$sg_note" "the guest agent did not take the shutdown ($sg_out): asking through ACPI"
    STOP_HOW=acpi
    sg_out=$(virsh_ shutdown "$sg_uuid" --mode acpi 2>&1) || "$sg_note" "ACPI shutdown refused: $sg_out"
  fi
  sg_asked=$STOP_HOW
  sg_waited=0
  while :; do
    STATE=$(virsh_ domstate "$sg_uuid" 2>&1) || STATE="unknown: $STATE"
    case $STATE in "shut off"*) break ;; esac
    [ "$sg_waited" -ge "$sg_limit" ] && break
    [ $((sg_waited % 5)) = 0 ] && "$sg_note" "waiting for the guest to stop ($STOP_HOW shutdown): $sg_waited s of $sg_limit s"
    if [ "$sg_asked" = acpi ] && [ "$sg_waited" -gt 0 ] && [ $((sg_waited % 5)) = 0 ] &&
      virsh_ shutdown "$sg_uuid" --mode agent >/dev/null 2>&1; then
      sg_asked=agent
      STOP_HOW="agent (retried)"
      "$sg_note" "the guest agent took the shutdown after $sg_waited s"
    fi
    sleep 1 9>&-
    sg_waited=$((sg_waited + 1))
    if [ "$STOP_HOW" = agent ] && [ "$sg_waited" = $((sg_limit / 2)) ]; then
      STOP_HOW=acpi
      virsh_ shutdown "$sg_uuid" --mode acpi >/dev/null 2>&1
    fi
  done
  case $STATE in "shut off"*) STOPPED="stopped by $STOP_HOW shutdown in $sg_waited s"; return 0 ;; esac
  if [ "$sg_force" != 1 ]; then
    STOP_ERR="the guest did not stop within $sg_limit s ($STOP_HOW shutdown), and a forced power-off was not allowed"
    return 1
  fi
  "$sg_note" "the guest did not stop within $sg_limit s: powering it off, as allowed"
  sg_out=$(virsh_ destroy "$sg_uuid" 2>&1) || { STOP_ERR="the forced power-off failed: $sg_out"; return 1; }
  STOPPED="powered off after $sg_limit s"
}

# ---------------------------------------------------------------- folders and disks
# check_kind_folder DIR KIND: DIR is HOSTDIR/KIND (exports, reverts...), private, and holds this
# operation's folder; sets HOSTDIR, itself private
check_kind_folder() {
  case $1 in /*/"$2") ;; *) bad_args hostDir ;; esac
  check_folder "$1"
  HOSTDIR=${1%/"$2"}
  private_dir "$HOSTDIR" || bad_args "hostDir: $HOSTDIR is not a private folder of this user"
}
# each_disk ROWS FUNCTION: FUNCTION TYPE DEVICE TARGET SOURCE for each row of `virsh domblklist
# --details` (the source is the rest of the line: paths may hold spaces); stops, false, at the
# first row FUNCTION fails
each_disk() {
  each_fn=$2
  IFS=$NL
  for row in $1; do
    IFS=$IFS_SAVE
    # shellcheck disable=SC2086 # split on purpose: the row's first three words
    set -- $row
    [ $# -ge 4 ] || continue
    case $1 in Type | ---*) continue ;; esac
    src=${row#*"$3"}
    src=${src#"${src%%[! ]*}"}
    "$each_fn" "$1" "$2" "$3" "$src" || { IFS=$IFS_SAVE; return 1; }
    IFS=$NL
  done
  IFS=$IFS_SAVE
}
