#!/usr/bin/env bash
# Independent Python clients in the suite: the rich-error e2e checks that a C-core gRPC client
# (python3-grpcio with Google's protobuf runtime) decodes Trainyard's google.rpc.Status details;
# audit-proof.readme.int runs the README's verify_log.py (python3-cryptography's Ed25519) on a real
# log. Debian packages them; PyPI is out of reach here. Installs them when missing (as root, or
# through sudo); otherwise says what to do.
set -euo pipefail
if /usr/bin/python3 -c 'import grpc, google.protobuf, cryptography' 2>/dev/null; then
  exit 0
fi
as_root=()
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    echo "[python-grpc] python3-grpcio, python3-protobuf or python3-cryptography are missing and this user cannot install them:" >&2
    echo "[python-grpc]   sudo apt-get install python3-grpcio python3-protobuf python3-cryptography  (rich-errors.e2e and audit-proof.readme.int need them)" >&2
    exit 0
  fi
fi
echo "[python-grpc] installing python3-grpcio, python3-protobuf and python3-cryptography (Debian) for the independent-client tests" >&2
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  python3-grpcio python3-protobuf python3-cryptography >/dev/null
