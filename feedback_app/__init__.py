"""The app's infrastructure and its composition root; `create_app` builds the app (feedback_app.factory).

Importing this package imports no domain: `import surveys.models` works on its own, and the factory, which
imports every domain, is loaded only when an app is built."""
from __future__ import annotations


def create_app(config: dict | None = None):
    from feedback_app.factory import create_app as build

    return build(config)
