"""The report's and the briefs' figures."""
