#!/usr/bin/env bash
# Installs a published DCU onto a Debian/Raspberry Pi OS box:
#   NativeAOT (the build for a box: half the memory; clang needed):
#     dotnet publish src/Dcu.Host -c Release -r linux-arm64 -p:PublishAot=true -o out && sudo hardware/install.sh out
#   or JIT: dotnet publish src/Dcu.Host -c Release -r linux-arm64 --self-contained -o out
set -euo pipefail
src=${1:?usage: install.sh PUBLISH_DIR}
here=$(cd "$(dirname "$0")" && pwd)
id dcu >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin dcu
install -d -o root -g root /opt/dcu /etc/dcu
cp -r "$src"/. /opt/dcu/
[ -f /etc/dcu/dcu.json ] || install -m 0640 -g dcu "$here/dcu.example.json" /etc/dcu/dcu.json
install -m 0644 "$here/systemd/dcu.service" /etc/systemd/system/dcu.service
install -m 0644 "$here/udev/99-dcu-serial.rules" /etc/udev/rules.d/99-dcu-serial.rules
udevadm control --reload && udevadm trigger
systemctl daemon-reload
systemctl enable --now dcu
echo "DCU installed; edit /etc/dcu/dcu.json and 'systemctl restart dcu'. Logs: journalctl -u dcu -f"
