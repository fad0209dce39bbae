"""Management commands of the plans app: the demo plans."""
