#!/usr/bin/env bash
# Makes a local stand-in for the `node:20-bookworm-slim` base image, for machines that reach Debian's
# and npm's package registries but no container registry (as CI here): Debian bookworm (minbase, by
# debootstrap) with this machine's Node 20 and npm in /usr/local and the `node` user (uid 1000), laid
# out as the official image is. When this machine trusts an extra CA for its way out
# (NODE_EXTRA_CA_CERTS), the stand-in trusts it too, so `npm ci` works inside the build.
# Prints the image name; reuses what already exists.
#   podman build --build-arg NODE_IMAGE="$(.ci/node-image.sh)" -t anime-die-heart .
set -euo pipefail
debian=localhost/adh-debian:bookworm-minbase
image=localhost/adh-node:20-bookworm-slim
if command podman image exists "$image"; then echo "$image"; exit 0; fi

if ! command podman image exists "$debian"; then
  root=$(mktemp -d /tmp/adh-rootfs.XXXXXX)
  # The Debian mirror this machine's apt uses (debootstrap's own default otherwise).
  mirror=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -1)
  [ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' /etc/apt/sources.list 2>/dev/null)
  debootstrap --variant=minbase bookworm "$root" ${mirror:+"$mirror"} >&2
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -c . | command podman import - "$debian" >&2
  rm -rf "$root"
fi

node_bin=$(readlink -f "$(command -v node)")
case "$("$node_bin" --version)" in v20.*) ;; *) echo "node-image: needs Node 20 on this machine" >&2; exit 1 ;; esac
npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
ctx=$(mktemp -d /tmp/adh-node-image.XXXXXX)
trap 'rm -rf "$ctx"' EXIT
cp "$node_bin" "$ctx/node"
cp -a "$npm_dir" "$ctx/npm"
extra_ca=
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
  cp "$NODE_EXTRA_CA_CERTS" "$ctx/extra-ca.crt"
  extra_ca='COPY extra-ca.crt /usr/local/share/adh-extra-ca.crt
ENV NODE_EXTRA_CA_CERTS=/usr/local/share/adh-extra-ca.crt'
fi
cat > "$ctx/Containerfile" <<CONTAINERFILE
FROM $debian
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
$extra_ca
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CMD ["node"]
CONTAINERFILE
command podman build --runtime runc --ulimit nofile=4096:4096 --ulimit nproc=4096:4096 -t "$image" "$ctx" >&2
echo "$image"
