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
# read_args: reads the operation's `args` (`name=value` a line) and calls the script's own
# `arg NAME VALUE` for each name but `op`, checked here the same way for every script; a bad
# value makes the script's bad_args end it.
read_args() {
  [ -r args ] || bad_args "no args file"
  while IFS= read -r line || [ -n "$line" ]; do
    key=${line%%=*} val=${line#*=}
    case $key in
      op) case $val in '' | *[!0-9A-Za-z-]*) bad_args op ;; esac; OP=$val ;;
      '') ;;
      *) arg "$key" "$val" ;;
    esac
  done <args
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
