#!/usr/bin/env python3
"""Log in `rate` times a second, evenly spaced, for `seconds`, from one
process (so the load generator itself stays light). Used by invoices.sh."""
import http.client, sys, threading, time, urllib.parse

host, port, email, password, csrf, rate, seconds = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6]), int(sys.argv[7])
body = urllib.parse.urlencode({"csrf": csrf, "email": email, "password": password})
ok = 0
failed = 0
lock = threading.Lock()

def login():
    global ok, failed
    try:
        c = http.client.HTTPConnection(host, port, timeout=30)
        c.request("POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"cy_csrf={csrf}"})
        r = c.getresponse()
        r.read()
        with lock:
            if r.status == 303:
                ok += 1
            else:
                failed += 1
    except Exception:
        with lock:
            failed += 1

start = time.monotonic()
threads = []
for i in range(rate * seconds):
    delay = start + i / rate - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    t = threading.Thread(target=login)
    t.start()
    threads.append(t)
for t in threads:
    t.join()
print(f"logins: {ok} succeeded, {failed} failed in {time.monotonic() - start:.1f} s")
