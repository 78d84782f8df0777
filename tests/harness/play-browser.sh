#!/usr/bin/env bash
# A stand-in for the system browser in the sign-in tests (S3AW_BROWSER): the person signs in at the fake
# AWS Sign-In or Identity Center and the browser follows the redirect back to the app. Runs in the
# background, as a real browser would.
here="$(cd "$(dirname "$0")" && pwd)"
exec "$here/../../.venv/bin/python" "$here/fake_signin.py" --browse "$1"
