# shellcheck shell=sh
# Installs (or replaces) one schedule on the host, fed to `sh -s -- HOSTDIR ID WANT CRON ONCALENDAR`
# (electron/services/schedule/install.ts) with host-lib.sh in front of it: this part makes
# HOSTDIR/schedules/ID; install.ts then appends the files (job.sh, host-lib.sh, virsh-session.sh,
# runner.sh, watchdog.sh, prune-plan.sh, args, schedule.json) as quoted here-documents and the
# call to `install_schedule`, which starts it: a systemd user timer where the SSH user has a
# systemd user manager that outlives logins (lingering), else a line in the user's crontab.
# WANT: auto, cron or systemd. It prints `mode=cron|systemd` and `note=` lines (base64) that the
# app shows.
set -eu
umask 077
HOSTDIR=$1 ID=$2 WANT=$3 CRON=$4 ONCAL=$5
case $HOSTDIR in /*) ;; *) HOSTDIR=$HOME/$HOSTDIR ;; esac
case $ID in '' | -* | *[!a-z0-9-]*) echo "invalid schedule id" >&2; exit 64 ;; esac
case $WANT in auto | cron | systemd) ;; *) echo "invalid mode $WANT" >&2; exit 64 ;; esac
# The job's path goes into a crontab line (where % ends the command) and a unit file: plain only.
case $HOSTDIR in *[!A-Za-z0-9/._-]*)
  echo "the host folder $HOSTDIR may hold only letters, digits, /, ., _ and - to be scheduled" >&2; exit 65 ;;
esac
case $CRON in *[!0-9*/,\ ]*) echo "invalid cron times" >&2; exit 64 ;; esac
case $ONCAL in *[!0-9A-Za-z*/,:.\ -]*) echo "invalid calendar times" >&2; exit 64 ;; esac
private_host_dir
SDIR=$HOSTDIR/schedules/$ID
MARK="# quiesce-schedule:$ID"
UNIT=quiesce-schedule-$ID
UNITDIR=${XDG_CONFIG_HOME:-$HOME/.config}/systemd/user
mkdir -p "$SDIR"
cd "$SDIR"
note() { printf 'note=%s\n' "$(printf '%s' "$1" | base64 | tr -d '\n')"; }

systemd_user() { command -v systemctl >/dev/null 2>&1 && systemctl --user show-environment >/dev/null 2>&1; }
lingering() {
  l=$(loginctl show-user "$(id -un)" -p Linger 2>/dev/null) || return 1
  [ "$l" = Linger=yes ]
}
# remove_cron_line / remove_timer: the schedule's earlier installation, of either kind
remove_cron_line() {
  command -v crontab >/dev/null 2>&1 || return 0
  cur=$(crontab -l 2>/dev/null) || return 0
  printf '%s\n' "$cur" | grep -q " $MARK\$" || return 0
  rest=$(printf '%s\n' "$cur" | grep -v " $MARK\$" || true)
  if [ -z "$(printf '%s' "$rest" | tr -d ' \n')" ]; then crontab -r; else printf '%s\n' "$rest" | crontab -; fi
}
remove_timer() {
  [ -e "$UNITDIR/$UNIT.timer" ] || [ -e "$UNITDIR/$UNIT.service" ] || return 0
  systemctl --user disable --now "$UNIT.timer" >/dev/null 2>&1 || true
  rm -f "$UNITDIR/$UNIT.timer" "$UNITDIR/$UNIT.service"
  systemctl --user daemon-reload >/dev/null 2>&1 || true
}

install_schedule() {
  chmod 700 job.sh
  mode=
  if [ "$WANT" != cron ] && systemd_user; then
    if lingering; then
      mode=systemd
    elif [ "$WANT" = systemd ]; then
      echo "lingering is off for $(id -un): its systemd user timers stop when it logs out. Enable it (as root): loginctl enable-linger $(id -un)" >&2
      exit 69
    else
      note "A systemd user timer would stop when $(id -un) logs out (lingering is off): a crontab line is used instead. To use a timer, enable lingering as root (loginctl enable-linger $(id -un)) and save the schedule again."
    fi
  elif [ "$WANT" = systemd ]; then
    echo "$(id -un) has no systemd user manager on this host (systemctl --user does not answer)" >&2
    exit 69
  fi
  if [ -z "$mode" ]; then
    if ! command -v crontab >/dev/null 2>&1; then
      echo "this host has neither a systemd user manager with lingering for $(id -un) nor a crontab command: install cron (Debian: apt-get install cron), or enable lingering (loginctl enable-linger $(id -un))" >&2
      exit 69
    fi
    mode=cron
  fi
  remove_cron_line
  remove_timer
  if [ "$mode" = systemd ]; then
    mkdir -p "$UNITDIR"
    printf '[Unit]\nDescription=Quiesce schedule %s\n\n[Service]\nType=oneshot\nExecStart=/bin/sh %s/job.sh run\n' \
      "$ID" "$SDIR" >"$UNITDIR/$UNIT.service"
    printf '[Unit]\nDescription=Quiesce schedule %s\n\n[Timer]\nOnCalendar=%s\nUnit=%s.service\n\n[Install]\nWantedBy=timers.target\n' \
      "$ID" "$ONCAL" "$UNIT" >"$UNITDIR/$UNIT.timer"
    systemctl --user daemon-reload
    systemctl --user enable --now "$UNIT.timer" >/dev/null
  else
    line="$CRON /bin/sh $SDIR/job.sh run >>$SDIR/job.log 2>&1 $MARK"
    { crontab -l 2>/dev/null || true; echo "$line"; } | crontab -
    crontab -l | grep -qxF "$line" || { echo "the crontab line could not be written" >&2; exit 70; }
    if ! pgrep -x cron >/dev/null 2>&1 && ! pgrep -x crond >/dev/null 2>&1; then
      note "No cron daemon seems to run on this host: the line is in $(id -un)'s crontab, but nothing starts it until cron runs."
    fi
  fi
  echo "$mode" >installed
  echo "mode=$mode"
}
