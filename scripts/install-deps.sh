#!/usr/bin/env bash
# Installs the Debian packages the service, its tests or its benchmarks need, only those missing.
# Usage: scripts/install-deps.sh run|test|bench
set -euo pipefail

packages=(libfcgi-dev libcurl4-openssl-dev libssl-dev pkg-config nginx-light curl ca-certificates)
case "${1:-run}" in
  run) ;;
  # The browser suite: Debian's Chromium and its WebDriver with Debian's Selenium for
  # /usr/bin/python3, and fonts for the sandbox's accented, CJK and emoji test account.
  # libfcgi-bin's cgi-fcgi talks to a responder without nginx, for the socket handed over on fd 0.
  test) packages+=(procps psmisc wrk chromium chromium-driver python3-selenium
                   fonts-dejavu-core fonts-wqy-microhei fonts-noto-color-emoji libfcgi-bin) ;;
  bench) packages+=(procps psmisc wrk) ;;
  *) echo "usage: $0 run|test|bench" >&2; exit 2 ;;
esac

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${missing[*]}; run as root or install them with apt-get" >&2
  exit 1
fi
echo "installing Debian packages: ${missing[*]}"
# Debian's nginx package starts a system nginx on port 80 when installed; the service runs its own,
# so policy-rc.d keeps package scripts from starting anything during this install.
created_policy=no
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  created_policy=yes
fi
trap '[ "$created_policy" = yes ] && rm -f /usr/sbin/policy-rc.d' EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
