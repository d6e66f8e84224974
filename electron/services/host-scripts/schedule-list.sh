# shellcheck shell=sh
# The schedules installed on the host, for the app (electron/services/schedule/list.ts), run as
# `sh -c SCRIPT sh HOSTDIR`. Sections start with "@@": the host's clock and time zone, how it can
# schedule (crontab, systemd user manager, lingering), the hook, when alerts were last seen; then
# for each schedule whether its timer or crontab line is really there, its schedule.json and the
# last 100 lines of its results.jsonl.
set -u
set -f
HOSTDIR=$1
case $HOSTDIR in /*) ;; *) HOSTDIR=$HOME/$HOSTDIR ;; esac
b64() { printf '%s' "$1" | base64 | tr -d '\n'; }
UNITDIR=${XDG_CONFIG_HOME:-$HOME/.config}/systemd/user
tzname=${TZ:-}
if [ -z "$tzname" ] && [ -r /etc/timezone ]; then tzname=$(head -n 1 /etc/timezone); fi
if [ -z "$tzname" ] && [ -L /etc/localtime ]; then
  tzname=$(readlink /etc/localtime)
  tzname=${tzname#*zoneinfo/}
fi
echo "@@host"
echo "now=$(date +%s)"
echo "offset=$(date +%z)"
echo "tz=$tzname"
cron=no systemd=no linger=no
command -v crontab >/dev/null 2>&1 && cron=yes
command -v systemctl >/dev/null 2>&1 && systemctl --user show-environment >/dev/null 2>&1 && systemd=yes
[ "$(loginctl show-user "$(id -un)" -p Linger 2>/dev/null)" = Linger=yes ] && linger=yes
echo "crontab=$cron"
echo "systemd=$systemd"
echo "linger=$linger"
echo "user=$(id -un)"
echo "hook=$(b64 "$(cat "$HOSTDIR/schedules/hook" 2>/dev/null)")"
echo "seen=$(cat "$HOSTDIR/schedules/seen" 2>/dev/null)"
[ -d "$HOSTDIR/schedules" ] || exit 0
tab=
[ "$cron" = yes ] && tab=$(crontab -l 2>/dev/null)
set +f
for d in "$HOSTDIR"/schedules/*/; do
  set -f
  [ -f "$d/schedule.json" ] || continue
  id=${d%/}
  id=${id##*/}
  installed=none
  # the line ends with the marker exactly ("nightly" is not "nightly2")
  printf '%s\n' "$tab" | grep -q " # quiesce-schedule:$id\$" && installed=cron
  if [ -e "$UNITDIR/quiesce-schedule-$id.timer" ]; then
    if [ "$systemd" = yes ] && systemctl --user is-enabled "quiesce-schedule-$id.timer" >/dev/null 2>&1; then
      installed=systemd
    else
      installed='systemd-off'
    fi
  fi
  echo "@@schedule $id"
  echo "installed=$installed"
  echo "running=$(if [ -e "$d/job.lock" ] && ! flock -n "$d/job.lock" true 2>/dev/null; then echo yes; else echo no; fi)"
  echo "@@json $id"
  head -c 65536 "$d/schedule.json"
  echo
  echo "@@results $id"
  tail -n 100 "$d/results.jsonl" 2>/dev/null
done
exit 0
