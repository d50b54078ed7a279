"""Advocacy: promoters who agreed to be contacted are asked once, ever, for a public review or a referral at a
link the team sets, and what they did with the ask is counted (reads surveys; nothing but the composition root,
retention's loop page and privacy reads it)."""
