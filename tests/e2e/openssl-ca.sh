#!/bin/sh
# openssl-ca.sh DIR [N] - makes a small CA with the `openssl ca` command line
# itself in DIR (for test-caimport): a self-signed P-256 CA (ca.pem,
# ca.key unencrypted), N (default 4) certificates issued (newcerts/),
# the first revoked with keyCompromise, the second held
# (holdInstructionNone), the third revoked without a reason, one more
# issued already expired and marked E by -updatedb.  index.txt is the CA's.
set -eu
dir=$1
n=${2:-4}
mkdir -p "$dir/newcerts" "$dir/req"
cd "$dir"
: > index.txt
echo 1000 > serial
cat > openssl.cnf <<CNF
[ ca ]
default_ca = test
[ test ]
dir = .
database = ./index.txt
new_certs_dir = ./newcerts
serial = ./serial
certificate = ./ca.pem
private_key = ./ca.key
default_md = sha256
default_days = 365
default_crl_days = 7
policy = anything
unique_subject = no
copy_extensions = none
x509_extensions = leaf
[ anything ]
commonName = supplied
organizationName = optional
countryName = optional
[ leaf ]
basicConstraints = CA:FALSE
keyUsage = digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ v3_ca ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
CNF
openssl ecparam -name prime256v1 -genkey -noout -out ca.key 2>/dev/null
openssl req -config openssl.cnf -new -x509 -key ca.key -out ca.pem -days 3650 \
  -subj "/C=TR/O=Eski Kurum/CN=Eski Kurum CA" -extensions v3_ca
openssl ecparam -name prime256v1 -genkey -noout -out req/leaf.key 2>/dev/null
i=1
while [ "$i" -le "$n" ]; do
  openssl req -utf8 -config openssl.cnf -new -key req/leaf.key -subj "/C=TR/O=Eski Kurum/CN=Kişi $i" \
    -out "req/$i.csr" 2>/dev/null
  openssl ca -config openssl.cnf -batch -notext -in "req/$i.csr" -out "req/$i.pem" \
    -utf8 2>/dev/null
  i=$((i + 1))
done
openssl req -utf8 -config openssl.cnf -new -key req/leaf.key -subj "/C=TR/CN=Eski Süresi Dolmuş" \
  -out req/old.csr 2>/dev/null
openssl ca -config openssl.cnf -batch -notext -in req/old.csr -out req/old.pem -utf8 \
  -startdate 200101000000Z -enddate 210101000000Z 2>/dev/null
openssl ca -config openssl.cnf -revoke req/1.pem -crl_reason keyCompromise 2>/dev/null
openssl ca -config openssl.cnf -revoke req/2.pem -crl_hold holdInstructionNone 2>/dev/null
[ "$n" -ge 3 ] && openssl ca -config openssl.cnf -revoke req/3.pem 2>/dev/null
openssl ca -config openssl.cnf -updatedb 2>/dev/null
openssl ca -config openssl.cnf -gencrl -out openssl.crl 2>/dev/null
