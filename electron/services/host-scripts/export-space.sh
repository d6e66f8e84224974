# shellcheck shell=sh
# Before an export: `sh -c "$(cat export-space.sh)" sh URI UUID DEST`. Prints `free N` (bytes free
# in DEST), `full N` (the disks' virtual size: the most a full export takes), `writable 0|1`, and
# `problem TEXT` when QEMU could not reach the folder (a folder on the way not searchable by others).
set -u
set -f
uri=$1 uuid=$2 dest=$3
free=$(df -Pk -- "$dest" 2>/dev/null | awk 'NR == 2 { print $4 * 1024 }')
echo "free ${free:-0}"
full=0
for t in $(virsh -c "$uri" domblklist --domain "$uuid" --details 2>/dev/null | awk '$1 == "file" && $2 == "disk" { print $3 }'); do
  s=$(virsh -c "$uri" domblkinfo --domain "$uuid" --device "$t" 2>/dev/null | awk '/^Capacity:/ { print $2 }')
  full=$((full + ${s:-0}))
done
echo "full $full"
if [ -d "$dest" ] && [ -w "$dest" ]; then echo "writable 1"; else echo "writable 0"; fi
p=$dest
while [ -n "$p" ]; do
  perms=$(ls -ldnL -- "$p/" 2>/dev/null)
  case $perms in ?????????[xt]*) ;; *) echo "problem QEMU cannot reach $p (chmod o+x $p)"; break ;; esac
  p=${p%/*}
done
