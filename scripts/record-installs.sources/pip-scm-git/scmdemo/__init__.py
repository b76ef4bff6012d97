"""A package whose version comes from git tags."""
