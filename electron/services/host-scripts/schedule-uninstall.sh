# shellcheck shell=sh
# Removes one schedule from the host, every trace of it: its crontab line, its systemd user timer
# and service, its folder HOSTDIR/schedules/ID (the job, its copies of the runner, its results);
# HOSTDIR/schedules itself when nothing else is left in it. Snapshots the schedule took, and their
# journals in HOSTDIR/ops, stay: they are the admin's data and history.
# Run as `sh -c SCRIPT sh HOSTDIR ID`; prints `removed=WHAT` lines, then checks that nothing is left.
set -u
HOSTDIR=$1 ID=$2
case $HOSTDIR in /*) ;; *) HOSTDIR=$HOME/$HOSTDIR ;; esac
case $ID in '' | -* | *[!a-z0-9-]*) echo "invalid schedule id" >&2; exit 64 ;; esac
MARK="# quiesce-schedule:$ID"
UNIT=quiesce-schedule-$ID
UNITDIR=${XDG_CONFIG_HOME:-$HOME/.config}/systemd/user
SDIR=$HOSTDIR/schedules/$ID
# the line ends with the marker exactly ("nightly" is not "nightly2")
has_line() { printf '%s\n' "$1" | grep -q " $MARK\$"; }
if command -v crontab >/dev/null 2>&1 && cur=$(crontab -l 2>/dev/null) && has_line "$cur"; then
  rest=$(printf '%s\n' "$cur" | grep -v " $MARK\$")
  if [ -z "$(printf '%s' "$rest" | tr -d ' \n')" ]; then crontab -r; else printf '%s\n' "$rest" | crontab -; fi
  echo "removed=crontab-line"
fi
if [ -e "$UNITDIR/$UNIT.timer" ] || [ -e "$UNITDIR/$UNIT.service" ]; then
  systemctl --user disable --now "$UNIT.timer" >/dev/null 2>&1
  rm -f "$UNITDIR/$UNIT.timer" "$UNITDIR/$UNIT.service"
  systemctl --user daemon-reload >/dev/null 2>&1
  echo "removed=systemd-timer"
fi
if [ -d "$SDIR" ]; then
  rm -rf -- "$SDIR" && echo "removed=folder"
fi
# the schedules folder goes too once no schedule and no hook is left in it
if [ -d "$HOSTDIR/schedules" ]; then
  left=$(find "$HOSTDIR/schedules" -mindepth 1 -maxdepth 1 ! -name seen | head -n 1)
  [ -z "$left" ] && rm -rf -- "$HOSTDIR/schedules" && echo "removed=schedules-folder"
fi
# what is left, if anything, is an error
bad=
if command -v crontab >/dev/null 2>&1; then
  has_line "$(crontab -l 2>/dev/null)" && bad="$bad crontab line;"
fi
[ -e "$UNITDIR/$UNIT.timer" ] || [ -e "$UNITDIR/$UNIT.service" ] && bad="$bad timer;"
[ -e "$SDIR" ] && bad="$bad $SDIR;"
[ -z "$bad" ] || { echo "left on the host:$bad" >&2; exit 1; }
exit 0
