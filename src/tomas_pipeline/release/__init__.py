"""The citable release: bundle, data package, citation, findings since the last release."""
