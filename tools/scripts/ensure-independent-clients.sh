#!/usr/bin/env bash
# Independent clients the suite checks Trainyard against, none of them this project's code:
#   python3-grpcio + python3-protobuf  rich-errors.e2e: a C-core gRPC client decodes the
#                                      google.rpc.Status details
#   python3-cryptography               audit-proof.readme.int: the README's verify_log.py checks
#                                      checkpoints and inclusion proofs (Ed25519, SHA-256)
#   kcat                               cloud-events.interop.int: librdkafka reads the relay's
#                                      CloudEvents records
#   openssl + jq                       audit-bundle.int: docs/evidence-bundle.md's checks by hand
# Debian packages them; PyPI and other downloads are out of reach here. Installs what is missing
# (as root, or through sudo); otherwise says what to do.
set -euo pipefail
packages=(python3-grpcio python3-protobuf python3-cryptography kcat openssl jq)
if /usr/bin/python3 -c 'import grpc, google.protobuf, cryptography' 2>/dev/null &&
  command -v kcat openssl jq >/dev/null; then
  exit 0
fi
as_root=()
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    echo "[independent-clients] missing and this user cannot install them:" >&2
    echo "[independent-clients]   sudo apt-get install ${packages[*]}" >&2
    exit 0
  fi
fi
echo "[independent-clients] installing ${packages[*]} (Debian) for the independent-client tests" >&2
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  "${packages[@]}" >/dev/null
