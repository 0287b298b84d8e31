"""The comparison metrics: families, scorecard, tracker, composite index."""
