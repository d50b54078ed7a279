"""What the API accepts and returns, one module per resource (common.py: what they share). The same schemas
validate requests and write the OpenAPI document.
"""
