#!/bin/sh
# Check the units with systemd-analyze verify in a scratch root that has the paths they name.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/opt/b24bridge/.venv/bin" "$root/etc/b24bridge" "$root/etc/systemd/system"
printf '#!/bin/sh\n' > "$root/opt/b24bridge/.venv/bin/b24bridge"
chmod +x "$root/opt/b24bridge/.venv/bin/b24bridge"
: > "$root/etc/b24bridge/b24bridge.env"
cp "$here"/*.service "$root/etc/systemd/system/"
mkdir -p "$root/usr/lib/systemd"
cp -r /usr/lib/systemd/system "$root/usr/lib/systemd/"  # the system's targets (sysinit, …)
systemd-analyze verify --root="$root" \
    b24bridge-migrate.service b24bridge-web.service b24bridge-worker@1.service
echo "units verified"
