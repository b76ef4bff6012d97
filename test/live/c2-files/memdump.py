# Stands in for memdump.py: the real one finds Runner.Worker and reads its memory through
# /proc/<pid>/maps and /proc/<pid>/mem. This one looks for it and prints nothing.
import os

for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            if b"Runner.Worker" in f.read():
                break
    except OSError:
        pass
