"""The model trained on the shipped corpus tells praise from problems in three languages, and gives a mixed
comment ("love it, but export is slow") the problem's type. Sentences written here, not taken from the corpus."""
import pytest

from triage.classification.classifier import Classifier
from triage.classification.training import read_corpus


@pytest.fixture(scope="module")
def model():
    return Classifier.train(read_corpus())


@pytest.mark.parametrize("text", [
    "Setup took ten minutes and the team loved it.",
    "Honestly the nicest airline crew I have met, thank you!",
    "I adore the new export, it is so quick now 😍",
    "The monthly reports are brilliant, our accountant loves them.",
    "الموظفة في الفرع كانت رائعة وخلصت معاملتي بسرعة، شكرًا",
    "بصراحة أحلى تطبيق توصيل، كل مرة الطلب يوصل بوقته",
    "الإقامة كانت جميلة جدًا وسنعود مرة أخرى",
    "از خرید راضی بودم، بسته‌بندی تمیز و ارسال سریع. ممنون",
    "تیم پشتیبانی خیلی مهربان و حرفه‌ای بودند، دستتان درد نکند",
    "این نرم‌افزار واقعاً کار ما را راحت کرده، عالی است",
])
def test_praise_is_recognised(model, text):
    assert model.classify(text).type == "praise"


@pytest.mark.parametrize("text, problem", [
    ("Love it, but the export is painfully slow since the update.", "reliability"),
    ("Great app, please add a dark mode.", "feature_request"),
    ("The staff were lovely, but the bill was wrong and I paid twice.", "pricing"),
    ("أحب التطبيق لكن التصدير صار بطيء مرة بعد التحديث", "reliability"),
    ("التطبيق جميل، ياريت تضيفون الوضع الليلي", "feature_request"),
    ("اپ رو دوست دارم ولی از دیروز خروجی PDF خطا می‌دهد", "functionality"),
])
def test_a_mixed_comment_gets_the_problems_type(model, text, problem):
    assert model.classify(text).type == problem
