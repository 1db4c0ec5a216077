#!/usr/bin/env bash
# `npm test` runs this first (npm's pretest hook): the browser e2e specs and the BullMQ worker
# spec need programs that npm cannot install: Debian's `chromium`, `firefox-esr`,
# `webkit2gtk-driver` (WebKitWebDriver and WebKitGTK's MiniBrowser), `xvfb` (xvfb-run, the
# display WebKit runs on) and `redis-server`.
# Present: does nothing. Missing on Debian as root: installs them with apt-get. Missing and not
# installable (not root, no apt-get): one message naming what to install, exit 1, before any test.
#
# The checks follow the specs (spec/e2e/engines): CHROMIUM_PATH (else /usr/bin/chromium),
# FIREFOX_PATH (else /usr/bin/firefox-esr), WEBKIT_DRIVER_PATH (else /usr/bin/WebKitWebDriver),
# WEBKIT_MINIBROWSER_PATH (else MiniBrowser in the multiarch library folder), XVFB_RUN_PATH (else
# /usr/bin/xvfb-run) and REDIS_SERVER (else `redis-server` on PATH). Bash built-ins only besides
# apt-get, so a spec can run it with a bare PATH.
set -uo pipefail

chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
firefox="${FIREFOX_PATH:-/usr/bin/firefox-esr}"
webkit_driver="${WEBKIT_DRIVER_PATH:-/usr/bin/WebKitWebDriver}"
# HOSTTYPE (bash's own): x86_64 or aarch64, as in Debian's multiarch triplets.
minibrowser="${WEBKIT_MINIBROWSER_PATH:-/usr/lib/${HOSTTYPE}-linux-gnu/webkit2gtk-4.1/MiniBrowser}"
xvfb_run="${XVFB_RUN_PATH:-/usr/bin/xvfb-run}"
redis="${REDIS_SERVER:-redis-server}"

# The Debian packages to install, why each one is needed, and the variable that points elsewhere
# instead, in the same order.
packages=()
reasons=()
instead=()
need() {
  packages+=("$1")
  reasons+=("$1 ($2)")
  instead+=("$3")
}
check() {
  [ -x "$chromium" ] || need chromium "no executable at $chromium" 'CHROMIUM_PATH to an existing Chromium or Chrome'
  [ -x "$firefox" ] || need firefox-esr "no executable at $firefox" 'FIREFOX_PATH to an existing Firefox'
  if [ ! -x "$webkit_driver" ]; then
    need webkit2gtk-driver "no executable at $webkit_driver" 'WEBKIT_DRIVER_PATH and WEBKIT_MINIBROWSER_PATH to an existing WebKitWebDriver and MiniBrowser'
  elif [ ! -x "$minibrowser" ]; then
    need webkit2gtk-driver "no MiniBrowser at $minibrowser" 'WEBKIT_DRIVER_PATH and WEBKIT_MINIBROWSER_PATH to an existing WebKitWebDriver and MiniBrowser'
  fi
  [ -x "$xvfb_run" ] || need xvfb "no executable at $xvfb_run" 'XVFB_RUN_PATH to an existing xvfb-run'
  command -v "$redis" >/dev/null 2>&1 || need redis-server "'$redis' is not on PATH" 'REDIS_SERVER to a redis-server binary'
}

# One message, on stderr, then exit 1: what is missing, why it cannot be installed, what to do.
fail() {
  local IFS=','
  printf 'npm test: missing%s; %s.\n' "${reasons[*]/#/ }" "$1" >&2
  IFS=' '
  # "A, B and C"
  local alternatives="${instead[0]}" i
  for ((i = 1; i < ${#instead[@]}; i++)); do
    if ((i == ${#instead[@]} - 1)); then alternatives+=" and ${instead[i]}"; else alternatives+=", ${instead[i]}"; fi
  done
  printf '  Install as root: apt-get install %s. Or set %s.\n' "${packages[*]}" "$alternatives" >&2
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

# A variable pointing elsewhere is not fixed by the Debian packages.
packages=()
reasons=()
instead=()
check
[ "${#packages[@]}" -eq 0 ] || fail 'still missing after apt-get install: check the variables below'
exit 0
