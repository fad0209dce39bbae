"""The BNNP's review: what to check (selectors), quality flags (pure), comments and the review pages."""
