"""Team users, roles and sign-in."""
