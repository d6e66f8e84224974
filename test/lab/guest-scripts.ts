/**
 * The guest's userland, as text: busybox init runs rcS once, rcS brings up the data disk and the
 * agent port and then starts qemu-ga and the writer as the kernel command line says. One image
 * serves every lab guest; only the command line differs (docs/ARCHITECTURE.md, "The smallest
 * real guest").
 *
 * Kernel command-line switches (dotted, so the kernel ignores them as unknown module params):
 *   quiesce.agent=1   start qemu-ga on /dev/virtio-ports/org.qemu.guest_agent.0
 *   quiesce.writer=1  start the timestamp writer at boot (else only via `quiesce-writer start`)
 */

/** rcS prints this on the serial console when the guest is fully set up. */
export const READY_MARKER = 'quiesce-lab: ready';

/**
 * Modules in load order (docs/ARCHITECTURE.md, "The smallest real guest"); all are modules in
 * Debian's 6.1 kernel.
 */
export const GUEST_MODULES = [
  'virtio_ring',
  'virtio',
  'virtio_pci_modern_dev',
  'virtio_pci_legacy_dev',
  'virtio_pci',
  'virtio_blk',
  'virtio_console',
  'crc32c_generic',
  'crc16',
  'mbcache',
  'jbd2',
  'ext4',
] as const;

/** Where the writer appends one line per tick: the guest's CLOCK_MONOTONIC in nanoseconds. */
export const WRITER_LOG = '/data/writer.log';
export const WRITER_SCRIPT = '/sbin/quiesce-writer';

// No respawn lines: init only runs rcS and then reaps orphans (qemu-ga daemonizes, the writer
// detaches), which a plain shell as PID 1 would not do.
export const INITTAB = `::sysinit:/etc/init.d/rcS
::shutdown:/bin/sync
`;

export const RCS = `#!/bin/sh
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
say() { echo "quiesce-lab: $*" > /dev/console; }
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /run /tmp /data
mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=0755 tmpfs /run
mount -t tmpfs tmpfs /tmp

for m in ${GUEST_MODULES.join(' ')}; do
  insmod /lib/modules/$m.ko || say "insmod $m failed"
done

# virtio_blk probes asynchronously: wait for the disk node (no udev here).
i=0
while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
# qemu-ga freezes only filesystems on block devices, hence a real ext4 disk on /data.
mount -t ext4 /dev/vda /data || say "mount /dev/vda on /data failed"

# No udev: make the /dev/virtio-ports/<name> links ourselves. The port name arrives from the
# host a moment after the device, so wait for it briefly.
mkdir -p /dev/virtio-ports
for d in /sys/class/virtio-ports/*; do
  [ -d "$d" ] || continue
  i=0
  while [ ! -s "$d/name" ] && [ $i -lt 60 ]; do sleep 0.05; i=$((i+1)); done
  [ -s "$d/name" ] && ln -sf "../\${d##*/}" "/dev/virtio-ports/$(cat "$d/name")"
done

cmdline=" $(cat /proc/cmdline) "
case "$cmdline" in
  *" quiesce.agent=1 "*)
    # Logs and state on /run: anything on /data would block while /data is frozen.
    qemu-ga -d -m virtio-serial -p /dev/virtio-ports/org.qemu.guest_agent.0 \\
      -l /run/qemu-ga.log -f /run/qemu-ga.pid -t /run || say "qemu-ga failed to start"
    ;;
esac
case "$cmdline" in
  *" quiesce.writer=1 "*) ${WRITER_SCRIPT} start ;;
esac
echo "${READY_MARKER}" > /dev/console
`;

// qemu-ga's guest-shutdown runs "/sbin/shutdown -P|-H|-r +0 <message>". busybox has no
// shutdown applet and there is no init system to ask, so flush and act directly.
export const SHUTDOWN = `#!/bin/sh
sync
case " $* " in
  *" -r "*) exec reboot -f ;;
esac
exec poweroff -f
`;

/**
 * The writer: appends the monotonic clock (ns, from /proc/timer_list's "now at N nsecs") every
 * 10 ms. Everything in the loop is a shell builtin: no fork per tick, so it costs little CPU and
 * its own jitter stays small. A blocked write (frozen /data) shows as a gap between lines.
 * The 10 ms sleep is `read -t 0.01` on a FIFO nobody writes to (busybox sleep would fork).
 * `start` truncates the log, so each run begins with an empty file.
 */
export const WRITER = `#!/bin/sh
LOG=${WRITER_LOG}
PIDF=/run/quiesce-writer.pid
running() { [ -s $PIDF ] && kill -0 "$(cat $PIDF)" 2>/dev/null; }
case "$1" in
  start)
    running && { echo on; exit 0; }
    rm -f $PIDF
    : > $LOG || exit 1
    setsid ${WRITER_SCRIPT} loop </dev/null >/dev/null 2>&1 &
    i=0
    while [ ! -s $PIDF ] && [ $i -lt 100 ]; do sleep 0.02; i=$((i+1)); done
    running && echo on || { echo "writer did not start"; exit 1; }
    ;;
  stop)
    running && kill "$(cat $PIDF)"
    rm -f $PIDF
    echo off
    ;;
  status)
    running && echo on || echo off
    ;;
  loop)
    echo $$ > $PIDF
    exec 3>>$LOG
    rm -f /run/quiesce-writer.tick
    mkfifo /run/quiesce-writer.tick
    exec 4<>/run/quiesce-writer.tick
    next=0
    while :; do
      { read -r _; read -r _; read -r _ _ now _; } < /proc/timer_list
      echo "$now" >&3
      # Sleep until the next 10 ms deadline rather than a flat 10 ms, so the loop's own cost
      # does not stretch the period. After a stall (a freeze) restart the schedule, no burst.
      next=$((next + 10000000))
      [ $next -le $now ] && next=$((now + 10000000))
      ms=$(((next - now) / 1000000))
      if [ $ms -ge 10 ]; then t=0.010; else t=0.00$ms; fi
      read -r -t $t -u 4 _
    done
    ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
`;
