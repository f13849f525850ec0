"""wfm: workforce management for contact centers (the application layer)."""

__version__ = "0.1.0"
