# shellcheck shell=sh
# Adds a device to a domain's persistent definition: `sh -c "$(cat attach-device.sh)" sh URI
# UUID`, the device XML on stdin (virsh wants a file; the file is removed whatever happens).
f=$(mktemp) || exit 1
trap 'rm -f "$f"' EXIT
cat >"$f" || exit 1
virsh -c "$1" attach-device --domain "$2" --file "$f" --config
