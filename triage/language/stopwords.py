"""Function words that carry no theme, per language (written for this project; nltk's lists need a
download, which this product must never do at run time). Used only by theme extraction.

PURE data.
"""

STOPWORDS = {
    "en": set("""a an the and or but if then so than that this these those it its it's i i'm i've me my we our
us you your he she they them their is are was were be been being am do does did done doing have has had
having will would can could should shall may might must to of in on at by for with from about into over
after before since until up down out off again very really just too also only even still ever not no yes
all any some more most much many such own same other both each few what which who whom whose when where why
how there here now then ok okay please pls thanks thank get got gets getting make makes made one thing
things lot lots bit like well way app apps use using used""".split()),
    "ar": set("""في من على إلى الى عن مع هذا هذه ذلك تلك هو هي هم انا أنا نحن انت أنت كان كانت يكون تكون
لا لم لن ما ماذا لماذا كيف متى أين اين قد لقد و أو او ثم بل لكن ولكن بس اللي الذي التي الذين كل بعض
جدا جداً كثير شي شيء يا عند عندي فيه فيها به بها لي له لها لنا ان أن إن انه أنه اذا إذا حتى ايضا أيضا
مش مو ليش وش ايش عشان علشان لان لأن هل غير بعد قبل التطبيق البرنامج""".split()),
    "fa": set("""و در به از که این آن را با برای تا یا هم اما ولی اگر چون چه چرا کجا کی است هست بود شد
شده می نمی کرد کنم کنید کرده دارد ندارد داره نداره من ما شما او آنها اینجا آنجا خیلی بسیار هیچ همه
یک یه دیگه دیگر هر بعد قبل فقط حتی باید نباید روی توی پیش مثل رو اینکه چون برنامه اپ اصلا اصلاً واقعا""".split()),
}


# The classifier drops only pure function words: "please", "still", "too", "use", "app"… carry the type
# ("please add", "still no", "too expensive", "hard to use") even though they never make a theme.
_SIGNAL = set("""please pls thanks thank still again even ever more most much too very really only just also
use using used app apps like make makes made get got gets getting way thing things lot lots ok okay
التطبيق البرنامج جدا جداً كثير بس ليش غير بعد قبل برنامه اپ خیلی بسیار هیچ باید نباید فقط""".split())
FUNCTION_WORDS = {language: words - _SIGNAL for language, words in STOPWORDS.items()}
