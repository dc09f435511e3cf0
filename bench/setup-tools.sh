#!/bin/sh
# Installs the benchmark kit's third-party tools and data packages from Debian's archive.
# Run by bench/run.ts when a tool is missing (as root, or through sudo when available).
# Everything here is packaged by Debian; nothing is downloaded from anywhere else.
set -eu

PACKAGES="samtools bcftools tabix minimap2 bwa freebayes seqkit \
  art-nextgen-simulation-tools art-nextgen-simulation-tools-profiles pbsim survivor \
  sniffles cutesv faketime \
  vt-examples shapeit4-example python3-nanoget-examples"

if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "setup-tools.sh: need root or sudo to apt-get install: $PACKAGES" >&2
  exit 1
fi

$SUDO apt-get update
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends $PACKAGES
