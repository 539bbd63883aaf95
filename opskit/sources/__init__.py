"""Reading client files: formats, encodings, parsing, and mapping to canonical tables."""
