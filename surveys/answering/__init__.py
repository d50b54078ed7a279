"""The customer's side: the survey page a link opens, its answer stored exactly once, and the score tallies."""
