# Quiesce inventory: everything a refresh needs, gathered on the host in ONE exec, so a refresh
# costs one SSH round trip whatever the number of domains. Fed to `sh -s -- URI TIMEOUT PARALLEL`.
#
# Output: one JSON object per line, {"k":"cmd","id":ID,"rc":N,"ms":N,"out":B64,"err":B64}; free
# text is base64 so no shell ever has to escape JSON. Node parses and judges (inventory.ts); this
# script only runs commands and decides whom to probe.
set -u
URI=$1
TIMEOUT=$2
PARALLEL=${3:-16}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/quiesce-inventory.XXXXXX") || exit 70
trap 'rm -rf "$tmp"' EXIT HUP INT TERM

now_ms() {
  # GNU date has %N; elsewhere fall back to whole seconds (timings then read as coarse).
  t=$(date +%s%3N 2>/dev/null)
  case $t in *N) echo $(( $(date +%s) * 1000 )) ;; *) echo "$t" ;; esac
}
b64() { base64 | tr -d '\n'; }

# cap ID CMD...: runs CMD, prints its capture line, keeps its stdout in $tmp/out.ID.
# IDs are [a-z0-9:-] only.
cap() {
  id=$1; shift
  t0=$(now_ms)
  "$@" >"$tmp/out.$id" 2>"$tmp/err.$id"
  rc=$?
  t1=$(now_ms)
  printf '{"k":"cmd","id":"%s","rc":%d,"ms":%d,"out":"%s","err":"%s"}\n' \
    "$id" "$rc" "$((t1 - t0))" "$(b64 <"$tmp/out.$id")" "$(b64 <"$tmp/err.$id")"
  return "$rc"
}

if ! command -v virsh >/dev/null 2>&1; then
  printf '{"k":"no-virsh"}\n'
  exit 0
fi

cap virsh-version virsh --version
cap version virsh -c "$URI" version || exit 0
cap list virsh -q -c "$URI" list --all --uuid --name
cap states virsh -q -c "$URI" domstats --state

# Live XML of running domains, through one virsh process (one libvirt connection).
virsh -q -c "$URI" list --uuid --state-running >"$tmp/running" 2>/dev/null
sed 's/^/dumpxml /' "$tmp/running" >"$tmp/xml-commands"
cap xml sh -c 'virsh -q -c "$1" <"$2"' sh "$URI" "$tmp/xml-commands"

# Whom to probe: running domains whose agent channel is connected (the guest opened the port).
# A closed channel already answers "agent not started"; probing it would only cost time.
awk '
  /<uuid>/ { gsub(/.*<uuid>|<\/uuid>.*/, ""); uuid = $0 }
  /name=.org\.qemu\.guest_agent\.0./ && /state=.connected./ { print uuid }
' "$tmp/out.xml" >"$tmp/probe"

# Agent probes: ping, then what the agent can do, then whether it is frozen. In parallel
# batches, so N hung agents cost about one timeout per batch, not one each.
probe() {
  u=$1
  cap "ping:$u" virsh -c "$URI" qemu-agent-command --timeout "$TIMEOUT" "$u" '{"execute":"guest-ping"}' || return 0
  cap "info:$u" virsh -c "$URI" qemu-agent-command --timeout "$TIMEOUT" "$u" '{"execute":"guest-info"}'
  cap "fsstatus:$u" virsh -c "$URI" qemu-agent-command --timeout "$TIMEOUT" "$u" '{"execute":"guest-fsfreeze-status"}'
}
n=0
while read -r u; do
  [ -n "$u" ] || continue
  probe "$u" >"$tmp/probe.$u" &
  n=$((n + 1))
  if [ "$n" -ge "$PARALLEL" ]; then wait; n=0; fi
done <"$tmp/probe"
wait
cat "$tmp"/probe.* 2>/dev/null
exit 0
