# A small sdist with a C extension, built the way numpy-style packages are: setuptools runs gcc
# (compile, then link a shared object) in the build backend's python process.
from setuptools import Extension, setup

setup(
    name="fastsum",
    version="1.0.0",
    packages=["fastsum"],
    package_dir={"": "src"},
    ext_modules=[Extension("fastsum._speedups", ["src/fastsum/_speedups.c"])],
)
