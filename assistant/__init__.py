"""Kansai policy assistant: cited answers over the Kinki METI bureau's priority policies."""

__version__ = "0.1.0"
