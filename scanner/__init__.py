"""nhi-scanner: find non-human identities in a repository and the humans accountable for them."""

__version__ = "0.3.0"
