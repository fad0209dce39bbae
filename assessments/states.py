"""Collection states as plain values, for code that must not import models (the pure ranking) and for the
rules that share them: a collection "verified" by its BNNP is verified or final. Checked against
Collection.State by tests/test_plans.py."""

VERIFIED_STATES = ("verified", "final")  # ranked nationally, and ready for its action plan
