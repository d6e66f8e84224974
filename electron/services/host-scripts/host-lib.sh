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
