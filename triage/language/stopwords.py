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


# For the readable theme phrase only (triage.language.phrases), never for theme keys or the classifier: a
# phrase never runs across these words, because a new clause starts with them ("slow since the update",
# "loved it because…", Persian "که", Arabic "لأن").
CLAUSE_BREAKS = {
    "en": set("""but because cause since when whenever while although though so if unless until however whereas
which who that then i i'm i've i'd i'll we we're we've you you're he she they they're it it's""".split()),
    "ar": set("""لكن ولكن بس لأن لان عشان علشان لما عندما حين حتى اذا إذا لو منذ ثم بينما الذي التي اللي الذين
انا أنا نحن هو هي هم انت أنت""".split()),
    "fa": set("""ولی اما چون چونکه که وقتی اگر تا زمانی وگرنه بعدش من ما شما او آنها ایشون""".split()),
}
# "and"/"or" join two words into one phrase ("shipping and returns", "کیفیت و قیمت") but start a new clause
# anywhere else ("ten minutes and the team loved it").
COORDINATORS = {"en": {"and", "or"}, "ar": {"و", "او", "أو"}, "fa": {"و", "یا"}}
# Words a phrase may start with although they tell nothing alone: "can't log in", "no dark mode", "لا يعمل".
NEGATIONS = {
    "en": set("""no not never can't cannot couldn't won't don't doesn't didn't isn't aren't wasn't""".split()),
    "ar": set("""لا لم لن ما مش مو مافي ماكو""".split()),
    "fa": set("""نه هیچ""".split()),
}
# Words a phrase may end with after a telling word: "log in", "sign up", "checked out".
# Persian ends a verb with a light verb ("اضافه کنید", "دانلود کنم"), which belongs to the phrase ("کند"
# is left out: it is also "slow").
PARTICLES = {"en": {"in", "out", "up", "off", "down"}, "ar": set(),
             "fa": set("""کن کنید کنم کنه کنند کرد کردم کردن کرده کردند شد شده شود بشه میشه نمیشه""".split())}
# Words that name nothing, which a phrase may hold but never start or end with, beyond STOPWORDS (kept
# apart so that the theme keys, and so the groups, stay as they were): "every", "without", and the
# Arabic and Persian forms of "please".
GLUE_WORDS = {"en": set("""every without""".split()),
              "ar": set("""أرجو ارجو يرجى الرجاء رجاء ياريت بدون دون أي اي""".split()),
              "fa": set("""لطفا لطفاً خواهشا بدون""".split())}
