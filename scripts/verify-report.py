#!/usr/bin/env python3
"""Verify a Suanli report without Suanli: the procedure of README.md, "Verifying a report
without Suanli". Needs an RFC 8785 implementation (`pip install rfc8785`) and an Ed25519 one
(`cryptography`, Debian: python3-cryptography).

    python3 scripts/verify-report.py REPORT.json [TRUSTED_PUBLIC_KEY.pem]
"""
import base64
import hashlib
import json
import sys

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_public_key


def reject_duplicates(pairs):
    names = [name for name, _ in pairs]
    if len(names) != len(set(names)):
        raise ValueError("duplicate member names")
    return dict(pairs)


report = json.load(open(sys.argv[1], encoding="utf-8"), object_pairs_hook=reject_duplicates)
signature = report.pop("signature")                       # 1. remove the signature member
assert signature["algorithm"] == "Ed25519" and signature["canonicalization"] == "RFC8785"
message = rfc8785.dumps(report)                           # 2. canonicalize (RFC 8785)
raw_key = base64.b64decode(signature["publicKey"])
assert hashlib.sha256(raw_key).hexdigest() == signature["keyId"], "keyId is not sha256(publicKey)"
if len(sys.argv) > 2:                                     # 3. is it the key you trust?
    trusted = load_pem_public_key(open(sys.argv[2], "rb").read())
    assert trusted.public_bytes(Encoding.Raw, PublicFormat.Raw) == raw_key, "not the trusted key"
try:                                                      # 4. Ed25519-verify
    Ed25519PublicKey.from_public_bytes(raw_key).verify(base64.b64decode(signature["value"]), message)
except InvalidSignature:
    sys.exit(f"{sys.argv[1]}: INVALID signature")
print(f"{sys.argv[1]}: valid, key {signature['keyId'][:16]}")
