"""The customer pages' form: it checks shape and hands the file to the import."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class ImportForm(FlaskForm):
    file = FileField(_l("Customer CSV"), validators=[FileRequired()])
