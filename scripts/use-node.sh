# Source this file (bash): it puts the Node major named in .nvmrc first on PATH when the machine's `node`
# is older. The binary comes from the npm registry itself (the `node-linux-<arch>` package carries it), so
# it works where the npm registry is the only network; it is kept in $NODE_CACHE between runs.
#   source scripts/use-node.sh
use_node_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
use_node_want="$(tr -dc '0-9' < "$use_node_root/.nvmrc")"
use_node_have="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$use_node_have" -lt "$use_node_want" ]; then
  case "$(uname -m)" in
    x86_64) use_node_arch=x64 ;;
    aarch64 | arm64) use_node_arch=arm64 ;;
    *) echo "use-node: no node-linux package for $(uname -m); install Node $use_node_want yourself" >&2; return 1 ;;
  esac
  use_node_cache="${NODE_CACHE:-$HOME/.cache/agents-edge-router/node}/$use_node_want-$use_node_arch"
  if [ ! -x "$use_node_cache/package/bin/node" ]; then
    mkdir -p "$use_node_cache"
    use_node_ok=""
    for use_node_try in 1 2 3 4; do
      if use_node_tgz="$(cd "$use_node_cache" && npm pack --silent "node-linux-$use_node_arch@$use_node_want" 2>/dev/null | tail -n 1)" &&
        [ -n "$use_node_tgz" ] && tar -xzf "$use_node_cache/$use_node_tgz" -C "$use_node_cache"; then
        rm -f "$use_node_cache/$use_node_tgz"
        use_node_ok=yes
        break
      fi
      echo "use-node: fetching node-linux-$use_node_arch@$use_node_want failed (try $use_node_try of 4)" >&2
      sleep $((use_node_try * 5))
    done
    if [ -z "$use_node_ok" ]; then
      echo "use-node: could not fetch Node $use_node_want from the npm registry" >&2
      return 1
    fi
  fi
  export PATH="$use_node_cache/package/bin:$PATH"
fi
echo "use-node: node $(node -v) ($(command -v node)), npm $(npm -v)"
unset use_node_root use_node_want use_node_have use_node_arch use_node_cache use_node_ok use_node_try use_node_tgz
