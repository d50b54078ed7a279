"""Acting on verbatims: fixes, their evidence and impact, the PURE cost/impact grid and its chart, the ranked queue
and its pages.
"""
