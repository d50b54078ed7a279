"""Understanding verbatims (language, classification, the triage list) and acting on them (fixes, closing the loop)."""
