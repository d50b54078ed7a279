"""Saving customers and winning them back: the Save list of at-risk and silent customers with the team's
outcomes, its daily digest, the check-in survey to silent customers, and win-back campaigns to lost ones."""
