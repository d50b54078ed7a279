"""The customer pages' forms: they check shape and hand the file (or the segment) to the use case."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField, TextAreaField
from wtforms.validators import Length


class ImportForm(FlaskForm):
    file = FileField(_l("Customer CSV"), validators=[FileRequired()])


class SegmentForm(FlaskForm):
    """Shape only: the name and rules are checked by the use case (surveys.people.segment_store), whose errors
    the view puts beside these fields."""
    name = StringField(_l("Name"), validators=[Length(max=200)])
    rules = TextAreaField(_l("Rules, one a line (all must hold)"), validators=[Length(max=12000)],
                          description=_l("FIELD OP VALUE with = != < <= > >= or in (a comma list). Fields: stage "
                                         "(new, active, silent, at_risk, lost), locale, nps, csat, ces (the latest "
                                         "score) or any attribute. E.g. plan = pro, mrr >= 100, stage = silent, "
                                         "nps <= 6."))
