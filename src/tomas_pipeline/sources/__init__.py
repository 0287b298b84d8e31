"""Raw tables in, checked and normalised processed tables out; the audit and the bibliography."""
