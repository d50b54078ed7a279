"""Collecting answers: survey kinds, invitations, the survey page and honest scores."""
