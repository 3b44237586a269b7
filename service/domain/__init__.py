"""Pure domain rules: no I/O library and no adapter is imported here."""
