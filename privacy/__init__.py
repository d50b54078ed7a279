"""The customer's rights (GDPR): everything held about one customer, exported or erased."""
