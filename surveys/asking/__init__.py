"""Asking for feedback: surveys, their wording, invitations sent by email, reminders, results, and the signed links."""
