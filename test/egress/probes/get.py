# Fetches each URL on the command line with urllib (through the environment's proxy); one JSON line each.
import json
import sys
import urllib.error
import urllib.request

for url in sys.argv[1:]:
    try:
        with urllib.request.urlopen(url, timeout=20) as res:
            print(json.dumps({"url": url, "status": res.status, "body": res.read(300).decode()}))
    except urllib.error.HTTPError as err:
        print(json.dumps({"url": url, "status": err.code, "body": err.read(300).decode()}))
    except Exception as err:  # noqa: BLE001 - the test reads the message
        print(json.dumps({"url": url, "error": str(err)}))
    sys.stdout.flush()
