from ._speedups import total

__all__ = ["total"]
