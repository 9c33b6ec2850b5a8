"""One module per AWS service the workshop calls; each answers with the real response shapes."""
