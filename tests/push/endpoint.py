"""A push service for the tests, on loopback: it receives what Confab posts,
verifies the VAPID JWT (RFC 8292) and decrypts the aes128gcm body (RFC 8291)
with the subscription's private key, using http_ece and cryptography from PyPI,
independently of the Rust crates the server uses.

    python endpoint.py PORT

GET  /new/NAME       a new subscription NAME: {"p256dh", "auth"} (keys kept here)
PUT  /answer/NAME    JSON list of statuses to answer NAME's next pushes with
GET  /received       every push so far: name, status, headers, vapid, payload
POST /push/NAME      what the server calls
"""

import base64
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

subscriptions = {}  # name -> (private key, auth secret)
answers = {}  # name -> statuses still to answer with
received = []


def b64d(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def b64e(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def check_vapid(header):
    """{"ok", "aud", "sub", "exp_in", "k"} of an `Authorization: vapid t=..., k=...`."""
    if not header.startswith("vapid "):
        return {"ok": False, "why": "no vapid scheme"}
    fields = dict(p.strip().split("=", 1) for p in header[len("vapid "):].split(","))
    token, key = fields.get("t", ""), fields.get("k", "")
    head, claims, sig = token.split(".")
    raw = b64d(sig)
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64d(key))
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    try:
        public.verify(der, f"{head}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return {"ok": False, "why": "bad signature"}
    c = json.loads(b64d(claims))
    alg = json.loads(b64d(head)).get("alg")
    return {"ok": alg == "ES256", "aud": c.get("aud"), "sub": c.get("sub"),
            "exp_in": c.get("exp", 0) - int(time.time()), "k": key}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body=None, headers=()):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))

    def do_GET(self):
        if self.path.startswith("/new/"):
            key = ec.generate_private_key(ec.SECP256R1())
            auth = os.urandom(16)
            subscriptions[self.path[len("/new/"):]] = (key, auth)
            point = key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
            return self.reply(200, {"p256dh": b64e(point), "auth": b64e(auth)})
        if self.path == "/received":
            return self.reply(200, received)
        self.reply(404)

    def do_PUT(self):
        if self.path.startswith("/answer/"):
            answers[self.path[len("/answer/"):]] = json.loads(self.body())
            return self.reply(204)
        self.reply(404)

    def do_POST(self):
        name = self.path.rsplit("/", 1)[-1]
        body = self.body()
        queue = answers.get(name, [])
        status = queue.pop(0) if queue else 201
        record = {"name": name, "status": status, "ttl": self.headers.get("TTL"),
                  "encoding": self.headers.get("Content-Encoding"),
                  "urgency": self.headers.get("Urgency"),
                  "vapid": check_vapid(self.headers.get("Authorization", "")), "at": time.time()}
        if name in subscriptions:
            key, auth = subscriptions[name]
            try:
                plain = http_ece.decrypt(body, private_key=key, auth_secret=auth, version="aes128gcm")
                record["payload"] = json.loads(plain)
            except Exception as e:  # noqa: BLE001 - the test reads the reason
                record["error"] = repr(e)
        received.append(record)
        self.reply(status, None, [("Retry-After", "1")] if status == 429 else [])


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
