"""The blueprint of the customer's own pages of the loop: early access, advice, stopping fix news. Apart from
the modules that add its routes, so they may read one another (the "ready to try" email links stopping news)."""
from __future__ import annotations

from flask import Blueprint

early_access = Blueprint("early_access", __name__)
