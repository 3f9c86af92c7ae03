#!/usr/bin/env bash
# Runs the whole test suite. First installs, when missing, the real parts the integration tests
# talk to: Mosquitto (broker), socat (virtual serial ports), python3-pymodbus (a Modbus server
# nobody here wrote, with python3-serial-asyncio for its serial server) and python3-paho-mqtt (a DCP-side client that is not MQTTnet).
# Usage: scripts/test.sh [extra dotnet test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
[ -x /usr/sbin/mosquitto ] || missing+=(mosquitto)
command -v mosquitto_sub >/dev/null || missing+=(mosquitto-clients)
command -v socat >/dev/null || missing+=(socat)
/usr/bin/python3 -c 'import pymodbus' 2>/dev/null || missing+=(python3-pymodbus)
# pymodbus's serial server needs pyserial-asyncio, only a Recommends of python3-pymodbus.
/usr/bin/python3 -c 'import serial_asyncio' 2>/dev/null || missing+=(python3-serial-asyncio)
/usr/bin/python3 -c 'import paho.mqtt' 2>/dev/null || missing+=(python3-paho-mqtt)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "test.sh: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test Dcu.sln -c Release -warnaserror -p:TreatWarningsAsErrors=true "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
# One closing line over all test projects, in the plain "N passed, N failed" form.
awk '/(Passed|Failed)! +- +Failed: /{
       for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1)); if ($i=="Failed:") f+=$(i+1); if ($i=="Passed:") p+=$(i+1); if ($i=="Skipped:") s+=$(i+1) }
     } END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$rc"
