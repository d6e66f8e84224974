# shellcheck shell=sh disable=SC2154 # $tmp and cap: capture-lib.sh comes first (gather-script.ts)
# Quiesce inventory: everything a refresh needs, gathered on the host in ONE exec, so a refresh
# costs one SSH round trip whatever the number of domains. Fed to `sh -s -- URI TIMEOUT PARALLEL`.
#
# Output: capture lines (capture-lib.sh, prepended by Node). Node parses and judges
# (inventory/inventory.ts); this script only runs commands and decides whom to probe.
set -u
URI=$1
TIMEOUT=$2
PARALLEL=${3:-16}

if ! command -v virsh >/dev/null 2>&1; then
  printf '{"k":"no-virsh"}\n'
  exit 0
fi

# The live XML of running domains comes from one more virsh process (one libvirt connection, so
# hundreds of domains cost one connect), reading `dumpxml UUID` lines on its input. It is started
# now, beside the listings, so that its own start and connect (with the test driver: parsing the
# whole host definition again) overlap theirs; it waits on a FIFO for the running UUIDs. Without
# a FIFO it runs after the listings, as it did before.
if mkfifo "$tmp/xml-commands" 2>/dev/null; then
  cap xml virsh -q -c "$URI" <"$tmp/xml-commands" >"$tmp/cap.xml" &
  xml_pid=$!
fi
exec 3>"$tmp/xml-commands"

# The listings through ONE virsh process: every virsh start and connection costs, the commands
# themselves little. The host splits the answers back into one capture line each (capture-lib.sh,
# cap_session). The running UUIDs are for the XML (Node reads no capture "running").
cap_session "$URI" \
  version 'version' \
  list 'list --all --uuid --name' \
  states 'domstats --state' \
  running 'list --uuid --state-running' >"$tmp/cap.session"
listed=$?

# Only UUIDs enter the XML session's command language, each checked against libvirt's own format
# first: never a name (docs/ARCHITECTURE.md, "Host strings never enter virsh's command language").
# Nothing when the host could not be reached (its input just ends). Written by sed, not by this
# shell: should that virsh have died, the broken pipe ends sed, not the script.
UUID_RE='[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}'
if [ "$listed" = 0 ]; then
  sed -n -E "s/^($UUID_RE)\$/dumpxml \1/p" "$tmp/out.running" 2>/dev/null >&3
fi
exec 3>&-

# virsh's own version, as `virsh --version` prints it: the version virsh was built with, which
# `virsh version` already said ("Compiled against library: libvirt X.Y.Z"), so no process is
# started for it (ms -1: not timed alone). Asked of virsh itself when that line is not there (the
# host could not be reached, or virsh speaks another language).
virsh_version=
: >>"$tmp/out.version" # there even when virsh printed nothing
while IFS= read -r line; do
  case $line in "Compiled against library: libvirt "*) virsh_version=${line#*: libvirt } ;; esac
done <"$tmp/out.version"
case $virsh_version in '' | *[!0-9.]*)
  cap virsh-version virsh --version
  ;;
*)
  printf '%s\n' "$virsh_version" >"$tmp/out.virsh-version"
  : >"$tmp/err.virsh-version"
  cap_line virsh-version 0 -1
  ;;
esac
cat "$tmp/cap.session"
# Waited for even when the host could not be reached, so that no virsh outlives the script.
[ -z "${xml_pid:-}" ] || wait "$xml_pid"
[ "$listed" = 0 ] || exit 0
[ -n "${xml_pid:-}" ] || cap xml virsh -q -c "$URI" <"$tmp/xml-commands" >"$tmp/cap.xml"
cat "$tmp/cap.xml"

# Whom to probe: running domains whose agent channel is connected (the guest opened the port).
# A closed channel already answers "agent not started"; probing it would only cost time.
awk '
  /<uuid>/ { gsub(/.*<uuid>|<\/uuid>.*/, ""); uuid = $0 }
  /name=.org\.qemu\.guest_agent\.0./ && /state=.connected./ { print uuid }
' "$tmp/out.xml" | grep -E "^$UUID_RE\$" >"$tmp/probe"

# Agent probes: ping, then what the agent can do, then whether it is frozen. In parallel
# batches, so N hung agents cost about one timeout per batch, not one each.
probe() {
  u=$1
  cap "ping:$u" virsh -c "$URI" qemu-agent-command --timeout "$TIMEOUT" --domain "$u" --cmd '{"execute":"guest-ping"}' || return 0
  cap "info:$u" virsh -c "$URI" qemu-agent-command --timeout "$TIMEOUT" --domain "$u" --cmd '{"execute":"guest-info"}'
  cap "fsstatus:$u" virsh -c "$URI" qemu-agent-command --timeout "$TIMEOUT" --domain "$u" --cmd '{"execute":"guest-fsfreeze-status"}'
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
