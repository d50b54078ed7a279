"""The application factory: a table of contents of what the app is made of (the composition root).

Imported by `feedback_app.create_app` when an app is built, never when a module is imported: this module
imports every domain, and a domain's models import `feedback_app.core.extensions`."""
from __future__ import annotations

from pathlib import Path

from flask import Flask

import config as settings
from feedback_app.core.brand import current_brand
from feedback_app.core.extensions import babel, csrf, db, links, login_manager, migrate
from feedback_app.core.i18n import compile_catalogs, select_locale, template_helpers
from feedback_app.web import errors, input_guard, security, static_files
from surveys.answering.services import answer_page
from surveys.answering.shortcut import KeptPages, LinkClickShortcut

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = str(Path(__file__).resolve().parent / "migrations")


def create_app(config: dict | None = None) -> Flask:
    app = Flask("feedback_app", template_folder=str(ROOT / "templates"), instance_path=str(ROOT / "instance"))
    app.url_map.converters["int"] = input_guard.DatabaseId  # before any route: ids the database holds, else 404
    app.config.update(settings.load(instance_path=Path(app.instance_path)))
    app.config.update(config or {})
    security.configure(app, explicit=config or {})
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # A server connection can die between requests; a file database cannot, so SQLite skips the ping.
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS, render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    compile_catalogs(Path(app.root_path) / "translations")
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(template_helpers(), current_brand=current_brand)  # brand: public pages, emails
    # The signed links (feedback_app.core.links) build their signers once: the survey POST must not per request.
    links.init_app(app)

    app.extensions["feedback.kept_pages"] = KeptPages()  # the survey page, rendered once per survey and state

    _register_blueprints(app)
    errors.register(app)
    static_files.register(app)  # a year's cache for static files, each address naming its content
    _answer_link_clicks_beneath_flask(app)
    security.register(app)  # after: a proxy's headers are read before anything else
    input_guard.register(app)  # after the blueprints: text no database can store is refused (400/422)

    from feedback_app.cli import register as register_cli
    register_cli(app)
    return app


def _answer_link_clicks_beneath_flask(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    app.wsgi_app = LinkClickShortcut(app.wsgi_app, links.of(app),
                                     app.extensions["feedback.kept_pages"], engine, answer_page,
                                     security.respondent_page_headers(app))


# The modules that add routes to the `retention` blueprint (each page group its own).
RETENTION_PAGES: tuple[str, ...] = (
    "retention.views",
    "retention.saving.views",
    "retention.saving.win_back_views",
    "retention.insight.views",
)


def _import_retention_pages() -> None:
    import importlib

    for name in RETENTION_PAGES:
        importlib.import_module(name)


def _register_blueprints(app: Flask) -> None:
    from advocacy.public import advocate
    from advocacy.views import advocacy_pages
    import surveys.answering.views  # noqa: F401  (these three add their routes to `public` and `team`)
    import surveys.asking.views  # noqa: F401
    import surveys.people.segment_views  # noqa: F401
    import surveys.people.views  # noqa: F401
    from feedback_app.accounts.views import accounts
    from feedback_app.admin import admin
    from feedback_app.branding import brand_assets
    from feedback_app.customers import customer_pages
    from feedback_app.dashboard import dashboard
    from privacy.views import privacy
    from retention.blueprint import retention
    from surveys.blueprints import public, team
    from triage.blueprint import triage
    from triage.classification import views as classification_pages  # noqa: F401  (routes on triage: types, models)
    from triage.fixes import linking as fix_linking  # noqa: F401  (routes on fixes: the list's "link to a fix")
    from triage.fixes import one_fix as fix_page  # noqa: F401  (routes on fixes: one fix and its forms)
    from triage.fixes.views import fixes
    from triage.loop import advise, stop_news  # noqa: F401  (routes on early_access: advice, stopping fix news)
    from triage.loop import views as follow_up_pages  # noqa: F401  (routes on triage: follow-ups)
    from triage.loop.early_access import early_access
    from triage.verbatims import views as verbatim_pages  # noqa: F401  (routes on triage: the list, themes, export)
    from webhooks.views import webhook_pages

    _import_retention_pages()
    for blueprint in (accounts, public, early_access, dashboard, team, customer_pages, triage, fixes, retention, admin,
                      privacy, brand_assets, webhook_pages, advocate, advocacy_pages):
        app.register_blueprint(blueprint)
    from feedback_app.api import register as register_api
    register_api(app)  # /api/v1: its own blueprint, token auth and JSON errors
    import privacy.models  # noqa: F401  (its table: the record of erasures)
    import retention.models  # noqa: F401  (its tables: activity, the history of stages)

    # their tables: periodic work's leases, addresses never to email again
    from feedback_app.core import brand, leases  # noqa: F401  (brand: the team's name, logo and colour)
    from feedback_app.mail import suppression  # noqa: F401
