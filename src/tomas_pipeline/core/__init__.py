"""Shared by every stage: errors, file writing, provenance, publishing, config, build facts."""
