# Live-corpus reproduction of torchtriton 3.0.0 (PyPI, Dec 2022), the dependency-confusion
# package pulled by PyTorch nightly: `import triton` runs the bundled triton binary, which collects
# host, user, git config, SSH keys and home files and sends them out as DNS queries under h4ck.cfd.
# Harmless: the resolver asked is 127.0.0.1 and nothing is read beyond names.
from setuptools import setup

setup(
    name="torchtriton",
    version="3.0.0",
    packages=["triton", "triton.runtime"],
    package_data={"triton.runtime": ["triton"]},
)
