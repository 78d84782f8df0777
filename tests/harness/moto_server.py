"""moto's server (the AWS emulator the tests run against), with one fix to its IAM signature check.

With IAM enforcement on, moto recomputes a request's SigV4 signature from the form it parsed, re-encoded
the way botocore encodes forms (a space as `+`). The AWS SDK for Rust encodes a space as `%20`, as RFC 3986
and AWS's own SigV4 guide do, so every IAM call with a space in a parameter (a policy document, a
description) fails there with SignatureDoesNotMatch, though AWS accepts it. This accepts a signature over
either encoding, and still refuses a signature over neither. (ARCHITECTURE.md lists it with moto's other
differences.) Run it as `python moto_server.py -H 127.0.0.1 -p PORT`, like `moto_server`."""

import urllib.parse

from moto.core.exceptions import SignatureDoesNotMatchError
from moto.iam import access_control

_check = access_control.IAMRequestBase.check_signature


def check_signature(self):
    try:
        return _check(self)
    except SignatureDoesNotMatchError:
        if self._body or not self._data:
            raise
        self._body = urllib.parse.urlencode(self._data, doseq=True, quote_via=urllib.parse.quote, safe="-_.~").encode()
        return _check(self)


access_control.IAMRequestBase.check_signature = check_signature

if __name__ == "__main__":
    from moto.server import main

    main()
