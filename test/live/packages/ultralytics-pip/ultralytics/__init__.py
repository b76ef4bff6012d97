__version__ = "8.3.41"

from ultralytics.utils import downloads  # noqa: F401  (the injected code runs on import)
