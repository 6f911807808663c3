"""ownbook: a YAML ownership model in, a browsable lifecycle handbook out."""

__version__ = "0.1.0"
