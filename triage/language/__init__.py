"""PURE: the words of a verbatim: language detection, normalisation, tokens, stems, stop words and short themes."""
