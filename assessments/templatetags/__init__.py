"""Template tags of the survey pages."""
