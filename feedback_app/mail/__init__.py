"""Infrastructure: emails rendered in the recipient's language, queued in the outbox, delivered over SMTP, never to
a suppressed address. Imports no domain.
"""
