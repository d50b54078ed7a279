"""Closing the loop: who hears back and when (PURE policy), follow-ups with unhappy respondents, early access, the
dashboard's loop figures.
"""
