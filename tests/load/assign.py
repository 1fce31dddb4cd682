"""Assigns POOL fresh vouchers (LOAD00000000, LOAD00000001, ...) to partner 1001 through the API,
as the program administrator, for tests/load/reserve.lua to reserve one per request.

usage: assign.py BASE_URL TOKEN POOL
"""

import http.client
import json
import sys
import threading
from urllib.parse import urlparse

base, token, pool = sys.argv[1], sys.argv[2], int(sys.argv[3])
url = urlparse(base)
WORKERS = 8
failures = []


def assign(first: int) -> None:
    connection = http.client.HTTPConnection(url.hostname, url.port)
    for n in range(first, pool, WORKERS):
        body = json.dumps({
            "voucherNumber": f"LOAD{n:08d}", "programId": "desktop", "days": 5,
            "customerName": "Northwind Traders", "adminEmail": "it-admin@northwind.example",
            "partnerId": "1001",
        })
        connection.request("POST", "/v1/vouchers", body, {
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        reply = connection.getresponse()
        text = reply.read()
        if reply.status != 201:
            failures.append(f"LOAD{n:08d}: {reply.status} {text[:200]!r}")
            return


threads = [threading.Thread(target=assign, args=(i,)) for i in range(WORKERS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
if failures:
    sys.exit("\n".join(failures))
