"""Customers: the CSV reader, importing, unsubscribing, and the team's customer pages."""
