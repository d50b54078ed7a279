"""Retention: who stays, who goes quiet, who left — activity, lifecycle stages and the figures built on them."""
