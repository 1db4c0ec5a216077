#!/usr/bin/env bash
# `npm test` runs this first (npm's pretest hook): the Chromium e2e spec and the BullMQ worker
# spec need two programs that npm cannot install, Debian's `chromium` and `redis-server`.
# Present: does nothing. Missing on Debian as root: installs them with apt-get. Missing and not
# installable (not root, no apt-get): one message naming what to install, exit 1, before any test.
#
# The checks follow the specs: CHROMIUM_PATH (else /usr/bin/chromium) and REDIS_SERVER (else
# `redis-server` on PATH). Bash built-ins only besides apt-get, so a spec can run it with a bare PATH.
set -uo pipefail

chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
redis="${REDIS_SERVER:-redis-server}"

# The Debian packages to install, and why each one is needed, in the same order.
packages=()
reasons=()
check() {
  if [ ! -x "$chromium" ]; then
    packages+=(chromium)
    reasons+=("chromium (no executable at $chromium)")
  fi
  if ! command -v "$redis" >/dev/null 2>&1; then
    packages+=(redis-server)
    reasons+=("redis-server ('$redis' is not on PATH)")
  fi
}

# One message, on stderr, then exit 1: what is missing, why it cannot be installed, what to do.
fail() {
  local IFS=','
  local instead=()
  [[ " ${packages[*]} " == *chromium* ]] && instead+=('CHROMIUM_PATH to an existing Chromium or Chrome')
  [[ " ${packages[*]} " == *redis-server* ]] && instead+=('REDIS_SERVER to a redis-server binary')
  printf 'npm test: missing%s; %s.\n' "${reasons[*]/#/ }" "$1" >&2
  IFS=' '
  printf '  Install as root: apt-get install %s. Or set %s.\n' "${packages[*]}" "${instead[0]}${instead[1]:+ and ${instead[1]}}" >&2
  exit 1
}

check
[ "${#packages[@]}" -eq 0 ] && exit 0

command -v apt-get >/dev/null 2>&1 || fail 'cannot install them here: no apt-get (not Debian or Ubuntu)'
[ "$EUID" -eq 0 ] || fail "cannot install them here: not root (uid $EUID)"

printf 'npm test: installing the Debian package(s) %s (the browser and worker specs need them)\n' "${packages[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Wait for a concurrent apt or dpkg run instead of failing at once on its lock.
apt_options=(-o DPkg::Lock::Timeout=120 -qq)
if ! apt-get "${apt_options[@]}" update >&2 || ! apt-get "${apt_options[@]}" install -y --no-install-recommends "${packages[@]}" >&2; then
  fail 'apt-get could not install them (see its output above)'
fi

# A CHROMIUM_PATH or REDIS_SERVER pointing elsewhere is not fixed by the Debian packages.
packages=()
reasons=()
check
[ "${#packages[@]}" -eq 0 ] || fail 'still missing after apt-get install: check CHROMIUM_PATH and REDIS_SERVER'
exit 0
