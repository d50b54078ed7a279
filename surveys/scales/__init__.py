"""PURE: what a score means: the three survey kinds and their wording, bands (who is unhappy), scores with margins,
a submitted answer read.
"""
