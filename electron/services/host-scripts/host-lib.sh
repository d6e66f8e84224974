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
phase() {
  if [ -n "${3:-}" ]; then
    b64v "$3"
    journal phase "\"phase\":\"$1\",\"status\":\"$2\",\"b64\":\"$B64\""
  else
    journal phase "\"phase\":\"$1\",\"status\":\"$2\""
  fi
}
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

# ---------------------------------------------------------------- characters
NL='
'
# shellcheck disable=SC2034 # TAB: read by the scripts (plans are tab-separated)
TAB=$(printf '\t')
IFS_SAVE=$IFS

# ---------------------------------------------------------------- fewer processes in the hot path
# On a loaded 2-core host every process a runner starts costs 10-50 ms, and a runner's fixed cost
# was mostly processes: a `date` for each journal line, and `base64 | tr` for every path and
# message in them (docs/export.md, "Where the fixed cost went"). Here the same bytes come from
# builtins where they can, and from the processes as before where they cannot.

# now_rt: RT = wall clock in ns. With the clock started (clock_start), its answer to a line, no
# process; without it, or once it fails a reading (clock_answer), a date process a reading
# (busybox date has no %N, and seconds beat an invalid number).
CLOCK=off CLOCK_PID=''
now_rt() {
  if [ "$CLOCK" = on ]; then
    if clock_quiet && printf 'now\n' >&5 2>/dev/null && clock_answer; then return 0; fi
    clock_stop
  elif [ -n "$CLOCK_PID" ]; then
    # a clock_start a signal cut between its fork and its opens: the child may be blocked for
    # good opening clock.in, which nobody opens any more (the way out's readings end it)
    clock_stop
    rm -f clock.in clock.out
  fi
  RT=$(date +%s%N 2>/dev/null)
  is_uint "$RT" && [ ${#RT} -ge 19 ] || RT=$(date +%s)000000000
  is_uint "$RT" || RT=0
}
# clock_start: for a runner, in its operation folder, once on_exit has set its traps (a clock that
# died is then a failed write, not a SIGPIPE): one `date -f -` (GNU date, line-buffered by stdbuf)
# that answers each line "now" with the time: its input is fd 5 (a pipe), its answers go to a file
# the runner reads on fd 6 (both unlinked at once). No long-lived child of the runner holds them
# (the watchdog, the virsh session and virsh_ close them), so it ends with the runner. A stdbuf
# that cannot line-buffer (no libstdbuf) fails at once: the first reading finds it gone, and the
# clock is a process a reading.
clock_start() {
  command -v stdbuf >/dev/null 2>&1 || return 0
  rm -f clock.in clock.out
  { mkfifo clock.in && : >clock.out; } 2>/dev/null || return 0
  # its answers' file opened first: once the runner's end of clock.in is open, it holds both
  stdbuf -oL date -f - +%s%N >clock.out <clock.in 2>/dev/null 3>&- 4<&- 8>&- 9>&- &
  CLOCK_PID=$!
  # `command`, as spawn_session's opens (virsh-session.sh): a signal in this open must still run
  # the EXIT trap; a clock whose open failed is one a reading finds cut (now_rt reaps it)
  command exec 5>clock.in 6<clock.out || return 0
  rm -f clock.in clock.out
  CLOCK=on
  now_rt
}
# clock_answer: RT = the clock's one answer to the line just sent. A file, not a pipe, brings it,
# so no reading blocks on a clock that will not answer (stopped, hung, its output held back):
# it looks again until the whole line is there (builtins only: no process in the hot path), and
# gives up (false) on a clock that is stopped or gone (seen within a millisecond or so), one still
# silent after CLOCK_WAIT_MS, an answer that is no time, or more than the one line (clock_quiet).
# A clock that fails costs a reading that long at most, then a date process a reading
# (docs/host-scripts.md, "The clock").
# 3 s: a good clock on a loaded host answered later than 1 s, and was given up for date processes
CLOCK_WAIT_MS=3000
clock_answer() {
  _clk_part='' _clk_n=0 _clk_until=''
  until IFS= read -r _clk_line <&6; do
    _clk_part=$_clk_part$_clk_line
    _clk_n=$((_clk_n + 1))
    [ $((_clk_n % 64)) = 0 ] || continue
    clock_state || return 1
    case $CLOCK_STATE in T | Z | X | x) return 1 ;; esac
    IFS=' ' read -r _clk_up _ </proc/uptime || return 1
    _clk_up=${_clk_up%.*}${_clk_up#*.}0
    is_uint "$_clk_up" || return 1
    [ -n "$_clk_until" ] || _clk_until=$((_clk_up + CLOCK_WAIT_MS))
    [ "$_clk_up" -lt "$_clk_until" ] || return 1
  done
  RT=$_clk_part$_clk_line
  clock_quiet && is_uint "$RT" && [ ${#RT} -ge 19 ]
}
# clock_quiet: nothing from the clock waits to be read, before a reading is asked and after its
# answer: a line nobody asked for would put the clock out of step, every later reading an older time
clock_quiet() { ! IFS= read -r _clk_line <&6 && [ -z "$_clk_line" ]; }
# clock_state: CLOCK_STATE (R, S, T...) and CLOCK_PPID of the clock's process, from /proc; false
# once it is gone (reaped)
clock_state() {
  IFS= read -r _clk_stat 2>/dev/null <"/proc/$CLOCK_PID/stat" || return 1
  _clk_stat=${_clk_stat##*) } # after its name, which may hold anything
  CLOCK_STATE=${_clk_stat%% *}
  _clk_stat=${_clk_stat#* }
  CLOCK_PPID=${_clk_stat%% *}
}
# clock_stop: the clock given up for good: its fds closed, and its process killed while it is
# still this shell's child (a stopped one would outlive the runner; SIGKILL ends it even so), and
# reaped (bash would otherwise report the kill on the runner's stderr)
clock_stop() {
  CLOCK=off
  exec 5>&- 6<&-
  if [ -n "$CLOCK_PID" ] && clock_state && [ "$CLOCK_PPID" = $$ ]; then
    kill -KILL "$CLOCK_PID" 2>/dev/null
    wait "$CLOCK_PID" 2>/dev/null
  fi
  CLOCK_PID=''
}

B64_ALPHA=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/
# printable ASCII, 32 (space) to 126 in order: a character's code is its place here plus 32
ASCII_PRINT=' !"#$%&'"'"'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~'
# b64_tables: B64_0..B64_63 (the alphabet's letters) and CHR_32..CHR_126 (printable ASCII by
# code), made the first time base64 is done by builtins
B64_TABLES=0
b64_tables() {
  _b64a=$B64_ALPHA _b64i=0
  while [ -n "$_b64a" ]; do
    eval "B64_$_b64i=\${_b64a%\"\${_b64a#?}\"}"
    _b64a=${_b64a#?} _b64i=$((_b64i + 1))
  done
  _b64a=$ASCII_PRINT _b64i=32
  while [ -n "$_b64a" ]; do
    eval "CHR_$_b64i=\${_b64a%\"\${_b64a#?}\"}"
    _b64a=${_b64a#?} _b64i=$((_b64i + 1))
  done
  B64_TABLES=1
}
# b64_plain TEXT: B64 = TEXT in base64, builtins only, when TEXT is printable ASCII, tabs and line
# breaks (paths, virsh's answers) of up to 1024 characters; false for anything else (then base64
# encodes the bytes). Each character costs a copy of the rest: past 1024 a process is cheaper.
b64_plain() {
  [ ${#1} -le 1024 ] || return 1
  [ "$B64_TABLES" = 1 ] || b64_tables
  _b64s=$1 B64=
  while [ -n "$_b64s" ]; do
    _b64n=0 _b64v=0
    while [ "$_b64n" -lt 3 ] && [ -n "$_b64s" ]; do
      _b64c=${_b64s%"${_b64s#?}"}
      case $_b64c in
        "$NL") _b64o=10 ;;
        "$TAB") _b64o=9 ;;
        *)
          _b64o=${ASCII_PRINT%%"$_b64c"*}
          [ ${#_b64o} -lt 95 ] || return 1
          _b64o=$((${#_b64o} + 32)) ;;
      esac
      _b64v=$((_b64v * 256 + _b64o)) _b64n=$((_b64n + 1)) _b64s=${_b64s#?}
    done
    [ "$_b64n" = 3 ] || _b64v=$((_b64v << (8 * (3 - _b64n))))
    eval "B64=\$B64\${B64_$((_b64v >> 18))}\${B64_$((_b64v >> 12 & 63))}"
    if [ "$_b64n" -ge 2 ]; then eval "B64=\$B64\${B64_$((_b64v >> 6 & 63))}"; else B64="$B64="; fi
    if [ "$_b64n" = 3 ]; then eval "B64=\$B64\${B64_$((_b64v & 63))}"; else B64="$B64="; fi
  done
  return 0
}
# b64v TEXT: B64 = TEXT in base64, one line; a process only when TEXT is not plain (b64_plain)
b64v() { b64_plain "$1" || B64=$(printf '%s' "$1" | base64 | tr -d '\n'); }
# b64 TEXT: the same on stdout, how free text travels inside a journal line
b64() {
  b64v "$1"
  printf '%s' "$B64"
}
# unb64_plain B64TEXT: UNB64 = what B64TEXT encodes, builtins only, when it is canonical base64
# (as b64 writes it) of up to 1024 bytes of printable ASCII, tabs and line breaks; false for
# anything else (then base64 -d decodes it, as before)
unb64_plain() {
  _ub=$1 UNB64=
  [ ${#_ub} -le 1368 ] && [ $((${#_ub} % 4)) = 0 ] || return 1
  [ "$B64_TABLES" = 1 ] || b64_tables
  while [ -n "$_ub" ]; do
    _ubq=${_ub%"${_ub#????}"} _ub=${_ub#????} _ubv=0 _ubp=0
    while [ -n "$_ubq" ]; do
      _ubc=${_ubq%"${_ubq#?}"} _ubq=${_ubq#?}
      if [ "$_ubc" = = ]; then
        _ubp=$((_ubp + 1)) _ubx=0
      else
        [ "$_ubp" = 0 ] || return 1
        _ubx=${B64_ALPHA%%"$_ubc"*}
        [ ${#_ubx} -lt 64 ] || return 1
        _ubx=${#_ubx}
      fi
      _ubv=$((_ubv * 64 + _ubx))
    done
    # padding in the last four only, at most two, and the bits it leaves over zero
    [ "$_ubp" = 0 ] || [ -z "$_ub" ] || return 1
    case $_ubp in
      0) _ubn=3 ;;
      1) _ubn=2; [ $((_ubv & 255)) = 0 ] || return 1 ;;
      2) _ubn=1; [ $((_ubv & 65535)) = 0 ] || return 1 ;;
      *) return 1 ;;
    esac
    _ubs=16
    while [ "$_ubn" -gt 0 ]; do
      _ubo=$((_ubv >> _ubs & 255))
      case $_ubo in
        9) UNB64=$UNB64$TAB ;;
        10) UNB64=$UNB64$NL ;;
        *)
          [ "$_ubo" -ge 32 ] && [ "$_ubo" -le 126 ] || return 1
          eval "UNB64=\$UNB64\$CHR_$_ubo" ;;
      esac
      _ubs=$((_ubs - 8)) _ubn=$((_ubn - 1))
    done
  done
  return 0
}
# decode B64TEXT: what it encodes, on stdout; a process only when that is not plain (unb64_plain)
decode() {
  if unb64_plain "$1"; then printf '%s' "$UNB64"; else printf '%s' "$1" | base64 -d 2>/dev/null; fi
}
# decodev B64TEXT: DECODED = "$(decode B64TEXT)" (its trailing line breaks dropped, as a command
# substitution drops them), without a process for plain text
decodev() {
  if unb64_plain "$1"; then
    DECODED=$UNB64
    while :; do case $DECODED in *"$NL") DECODED=${DECODED%"$NL"} ;; *) break ;; esac; done
  else
    DECODED=$(printf '%s' "$1" | base64 -d 2>/dev/null)
  fi
}
# xml_escape TEXT: TEXT with XML's five special characters escaped; no process when it has none
xml_escape() {
  case $1 in
    *[\&\<\>\'\"]*) printf '%s' "$1" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e "s/'/\&apos;/g" -e 's/"/\&quot;/g' ;;
    *) printf '%s' "$1" ;;
  esac
}

# ---------------------------------------------------------------- what libvirt says is in use
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
  b64v "invalid runner arguments: $1"
  emit "\"ev\":\"result\",\"op\":\"$OP\",\"mono\":0,\"ok\":false,\"failedPhase\":\"runner\",\"b64\":\"$B64\"${BAD_ARGS_EXTRA:-}"
  emit "\"ev\":\"end\",\"op\":\"$OP\",\"mono\":0"
  exit 64
}
# Children never hold the domain lock (fd 9), a schedule's job lock (fd 8), either end of the
# virsh session (fds 3 and 4), nor of the clock (fds 5 and 6): a lock must die with its holder, a
# killed runner's session must see its input end at once, and its clock end with it.
virsh_() { virsh -c "$URI" "$@" 3>&- 4<&- 5>&- 6<&- 8>&- 9>&-; }
agent() { virsh -c "$URI" qemu-agent-command --domain "$UUID" --timeout "$AGENT_TIMEOUT" --cmd "$1" 3>&- 4<&- 5>&- 6<&- 9>&-; }
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

# arm_watchdog: watchdog.sh started, holding neither end of the session nor of the clock (fds 5
# and 6) nor the lock; true once it says it is in place (a freeze before that would have no guard)
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
  while [ ! -s watchdog.pid ] && [ "$i" -lt "${ARM_POLLS:-100}" ]; do sleep "${ARM_POLL_S:-0.05}" 3>&- 4<&- 5>&- 6<&- 9>&-; i=$((i + 1)); done
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
# window_json: WINDOW_JSON = the window's members of the thawed line
window_json() {
  WINDOW_JSON="\"windowStartRt\":$WINDOW_START,\"windowEndRt\":$WINDOW_END,\"windowStartMono\":$WINDOW_START_MONO,\"windowEndMono\":$WINDOW_END_MONO"
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
    if [ "$HOLD_MS" -gt 0 ]; then
      hold=00$((HOLD_MS % 1000)) # milliseconds as three digits, without a printf in the window
      sleep "$((HOLD_MS / 1000)).${hold#"${hold%???}"}" 3>&- 4<&- 5>&- 6<&- 9>&-
    fi
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
      window_json
      journal thawed "$WINDOW_JSON,\"filesystems\":$THAWED_N"
      phase thaw 'done' "$THAW_OUT"
    elif [ "$SESSION" = alive ] && confirm_thaw; then
      window_json
      journal thawed "$WINDOW_JSON"
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
    b64v "$FAILED_MSG"
    journal result "\"ok\":false,\"failedPhase\":\"$FAILED_PHASE\",\"b64\":\"$B64\"${2:+,$2}"
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
