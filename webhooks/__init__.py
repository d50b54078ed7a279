"""Webhooks: endpoints an admin registers, events queued in the transaction of their cause, deliveries signed and
retried by the scheduler (see docs/architecture.md, "Webhooks")."""
