# shellcheck shell=sh disable=SC2154 # $tmp and cap: capture-lib.sh comes first (gather-script.ts)
# Quiesce agent doctor: every check for one domain, in ladder order, in ONE exec.
# Fed to `sh -s -- URI UUID TIMEOUT`. Output: capture lines (capture-lib.sh, prepended by Node);
# Node judges each step (inventory/doctor.ts).
set -u
URI=$1
UUID=$2
TIMEOUT=$3

agent() { virsh -c "$URI" qemu-agent-command --timeout "$TIMEOUT" --domain "$UUID" --cmd "$1"; }

if ! command -v virsh >/dev/null 2>&1; then
  printf '{"k":"no-virsh"}\n'
  exit 0
fi

# The domain always by --domain: a positional word that began with "--" would be read as an option.
cap state virsh -c "$URI" domstate --reason --domain "$UUID" || exit 0
cap name virsh -c "$URI" domname --domain "$UUID"
cap xml virsh -c "$URI" dumpxml --domain "$UUID"
case $(cat "$tmp/out.state") in running*) ;; *) exit 0 ;; esac

# Each agent step runs even after a failure: its error text is evidence too (not configured /
# not connected / not available), and each costs at most TIMEOUT.
cap ping agent '{"execute":"guest-ping"}' || exit 0
cap info agent '{"execute":"guest-info"}'
cap fsstatus agent '{"execute":"guest-fsfreeze-status"}'
cap osinfo agent '{"execute":"guest-get-osinfo"}'
cap fsinfo agent '{"execute":"guest-get-fsinfo"}'

# Is an fsfreeze hook set up (application-consistent freezes)? Only a guest that allows
# guest-exec and has a POSIX shell can tell; otherwise the step says "unknown".
# shellcheck disable=SC2016 # run by the guest's sh, not here
HOOK_CHECK='for f in /proc/[0-9]*/cmdline; do a0=$(tr "\0" "\n" <"$f" 2>/dev/null | head -n 1); case $a0 in *qemu-ga) echo "agent: $(tr "\0" " " <"$f")";; esac; done; ls -ld /etc/qemu/fsfreeze-hook /etc/qemu/fsfreeze-hook.d 2>&1; true'
req=$(printf '{"execute":"guest-exec","arguments":{"path":"/bin/sh","arg":["-c","%s"],"capture-output":true}}' \
  "$(printf '%s' "$HOOK_CHECK" | sed 's/\\/\\\\/g; s/"/\\"/g')")
if cap hook-exec agent "$req"; then
  pid=$(sed -n 's/.*"pid":\([0-9]*\).*/\1/p' "$tmp/out.hook-exec")
  i=0
  while [ -n "$pid" ] && [ "$i" -lt 20 ]; do
    agent "{\"execute\":\"guest-exec-status\",\"arguments\":{\"pid\":$pid}}" >"$tmp/status" 2>&1
    if grep -q '"exited":true' "$tmp/status"; then break; fi
    i=$((i + 1))
    sleep 0.1
  done
  cap hook cat "$tmp/status"
fi
exit 0
