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
