# Versions from git, the way setuptools_scm does it (PyPI is closed here, so the plugin itself
# cannot be installed): `git describe --tags --dirty --long` for the version and
# `git ls-files` for the files to ship, both run from the build backend's python.
import subprocess

from setuptools import setup


def git(*args):
    return subprocess.run(["git", *args], capture_output=True, text=True, check=True).stdout.strip()


tag, distance, _ = git("describe", "--tags", "--dirty", "--long").rsplit("-", 2)
version = tag.lstrip("v") if distance == "0" else f"{tag.lstrip('v')}.post{distance}"
tracked = git("ls-files").splitlines()

setup(name="scmdemo", version=version, packages=["scmdemo"], package_data={"scmdemo": [f for f in tracked if f.endswith(".txt")]})
