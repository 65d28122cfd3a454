#!/usr/bin/env bash
# Installs the Debian packages the test layers need, and nothing when they are all present
# (so a prepared machine does no network work):
#   chromium            headless browser driven by playwright-core (never `npx playwright install`)
#   libkrb5-dev, pkg-config   code-server's `kerberos` module has no reachable prebuild and is compiled
#   ripgrep             seeds @vscode/ripgrep's download cache (GitHub is unreachable)
#   bubblewrap          the Python sandbox
#   python3             the code the model writes is Python
#   python3-matplotlib  a real matplotlib for the plt.show() tests (/usr/bin/python3)
set -euo pipefail

packages=(chromium libkrb5-dev pkg-config ripgrep bubblewrap python3 python3-matplotlib)

missing=()
for pkg in "${packages[@]}"; do
  # dpkg -s says whether the package is installed; "install ok installed" is the only good state.
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$pkg")
  fi
done
# The binaries we actually call, in case something was removed behind dpkg's back.
for bin in /usr/bin/chromium rg pkg-config bwrap python3; do
  if ! command -v "$bin" >/dev/null 2>&1; then
    case "$bin" in
      /usr/bin/chromium) missing+=(chromium) ;;
      rg) missing+=(ripgrep) ;;
      bwrap) missing+=(bubblewrap) ;;
      *) missing+=("$bin") ;;
    esac
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "system deps: all present (${packages[*]})"
  exit 0
fi

# Deduplicate while keeping order.
readarray -t missing < <(printf '%s\n' "${missing[@]}" | awk '!seen[$0]++')
echo "system deps: installing ${missing[*]}"

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "system deps: need root or sudo to install ${missing[*]}" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update
"${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
echo "system deps: installed ${missing[*]}"
