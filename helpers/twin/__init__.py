"""The offline twin of the workshop's AWS estate (``estate.Twin``), the default backend."""
