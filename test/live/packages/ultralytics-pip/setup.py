# Live-corpus reproduction of ultralytics 8.3.41 (PyPI, Dec 2024): the build is clean; the code
# injected through the project's poisoned GitHub Actions cache starts a miner when the package is
# imported. Harmless: the download is from the loopback C2 and the "miner" a script that exits.
from setuptools import setup

setup(name="ultralytics", version="8.3.41", packages=["ultralytics", "ultralytics.utils"])
