#!/usr/bin/env python3
"""Writes one session per benchmark user straight into a profile store, and their cookies.

`pinterest-connection store-bench --generate` writes the users "pinterest|<10^12 + index>". This
script gives each of the first USERS of them a session that expires in a day, as
`FileStore.saveSession` lays it out (sessions/ab/cd/<sha256 of the id>.json, the record's JSON
with sorted keys), and prints one `pc_session` cookie per line, signed as `CookieSigner` signs
them. It skips the user's session index and the expiry marker: `/profile` and `/auth` read
neither, and the store is thrown away after the benchmark.

Usage: make-sessions.py STORE_DIRECTORY SESSION_KEY_FILE KEY_ID USERS > cookies.txt
"""
import base64
import hashlib
import hmac
import json
import os
import secrets
import sys
import time

LIFETIME_SECONDS = 86_400


def base64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def main() -> int:
    if len(sys.argv) != 5:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    store, key_file, key_id, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    if not 1 <= count <= 10_000_000:
        print(f"make-sessions: USERS must be from 1 to 10000000, not {count}", file=sys.stderr)
        return 2
    # The service uses the secret's text, trimmed, as the HMAC key.
    with open(key_file, encoding="utf-8") as file:
        key = file.read().strip().encode("utf-8")

    now = int(time.time())
    expires = now + LIFETIME_SECONDS
    os.umask(0o077)
    for index in range(count):
        user_id = f"pinterest|{1_000_000_000_000 + index}"
        session_id = secrets.token_urlsafe(32)
        digest = hashlib.sha256(session_id.encode("utf-8")).hexdigest()
        shard = os.path.join(store, "sessions", digest[:2], digest[2:4])
        os.makedirs(shard, mode=0o700, exist_ok=True)
        record = {"client_id": "demo", "created_at": now, "expires_at": expires, "format": 1, "user_id": user_id}
        with open(os.path.join(shard, digest + ".json"), "w", encoding="utf-8") as file:
            file.write(json.dumps(record, separators=(",", ":"), sort_keys=True))

        signed = key_id + "." + base64url(f"{session_id}|{now}|{expires}".encode("utf-8"))
        mac = hmac.new(key, ("pc_session=" + signed).encode("utf-8"), hashlib.sha256).digest()
        print(f"pc_session={signed}.{base64url(mac)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
