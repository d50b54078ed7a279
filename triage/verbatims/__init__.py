"""Every verbatim understood: the sweep that classifies new answers, the triage list and theme groups, other
channels' intake, export.
"""
