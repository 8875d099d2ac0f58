#!/usr/bin/env bash
# Makes a throw-away certificate authority, a server certificate for
# localhost / 127.0.0.1 and one client certificate per principal, for trying
# ledgerd out and for its tests. NOT for production: the CA key sits beside
# the certificates, unencrypted.
#
#   tools/ledgerd/make_test_certs.sh DIR [PRINCIPAL...]
#
# DIR/ca.pem, ca.key          the CA (give ca.pem to ledgerd --client-ca and to clients)
# DIR/server.pem, server.key  ledgerd --tls-cert / --tls-key
# DIR/<principal>.pem, .key   a client certificate with subject CN=<principal>
# Principals default to "writer reader auditor admin". Existing files are
# never overwritten (the script stops instead).
set -euo pipefail

if (($# < 1)); then
  echo "usage: $0 DIR [PRINCIPAL...]" >&2
  exit 2
fi
dir=$1
shift
principals=("$@")
((${#principals[@]} > 0)) || principals=(writer reader auditor admin)

mkdir -p "$dir"
umask 077
refuse_existing() {
  for f in "$@"; do
    if [[ -e $f ]]; then
      echo "$0: $f exists; not overwriting it" >&2
      exit 1
    fi
  done
}

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
days=30

if [[ ! -e $dir/ca.pem ]]; then
  refuse_existing "$dir/ca.key"
  key "$dir/ca.key"
  openssl req -x509 -new -key "$dir/ca.key" -subj "/CN=ccl test CA" -days "$days" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$dir/ca.pem" 2>/dev/null
fi

# sign NAME SUBJECT EXTENSIONS: NAME.key + NAME.pem signed by the CA.
sign() {
  local name=$1 subject=$2 ext=$3
  refuse_existing "$dir/$name.key" "$dir/$name.pem"
  key "$dir/$name.key"
  openssl req -utf8 -new -key "$dir/$name.key" -subj "$subject" -out "$dir/$name.csr" 2>/dev/null
  printf '%s\n' "$ext" >"$dir/$name.ext"
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
    -CAcreateserial -days "$days" -extfile "$dir/$name.ext" -out "$dir/$name.pem" 2>/dev/null
  rm -f "$dir/$name.csr" "$dir/$name.ext"
}

if [[ ! -e $dir/server.pem ]]; then
  sign server "/CN=localhost" "subjectAltName=DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth
keyUsage=critical,digitalSignature"
fi
for p in "${principals[@]}"; do
  sign "$p" "/CN=$p" "extendedKeyUsage=clientAuth
keyUsage=critical,digitalSignature"
done
echo "certificates in $dir: ca.pem, server.pem/.key, ${principals[*]/%/.pem/.key}"
