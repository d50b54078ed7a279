"""The demo's words: customers' names, the surveys' texts, what customers wrote, the fixes the team made of it.

Data only, read by feedback_app.demo. Every comment was written for this demo, in the way customers of a team
task board ("Acme Board") write: short and long, with typos and emoji, Arabic from the Gulf, the Levant and
in standard Arabic, colloquial and formal Persian. Each is used at most once, so no sentence repeats.
A comment is (mood, text): the mood is the band of the score its writer gives (surveys.scales.kinds.BANDS).
"""
from __future__ import annotations

from typing import NamedTuple

PRODUCT = "Acme Board"  # a name: the same in every language

U, N, H = "unhappy", "neutral", "happy"

# The team's names of its surveys (team-facing, in the team's language) and what each asks about, per language;
# a kind's question (surveys.scales.kinds) is filled with them.
SURVEY_NAMES = {"nps": "Product NPS — autumn", "csat": "Support CSAT", "ces": "Plan upgrade effort"}
SPRING_SURVEY_NAME = "Product NPS — spring"  # an earlier NPS survey, closed since
SURVEY_TEXTS = {
    "nps": {"product": PRODUCT},  # a name: the same in every language
    "csat": {"product": PRODUCT,
             "subject": {"en": "the help you got from our support team",
                         "ar": "المساعدة التي تلقيتها من فريق الدعم",
                         "fa": "کمکی که از تیم پشتیبانی گرفتید"}},
    "ces": {"product": PRODUCT,
            "task": {"en": "upgrade my plan", "ar": "ترقية اشتراكي", "fa": "ارتقای اشتراکم"}},
}

# Given names and family names, paired up into customers.
FIRST_NAMES = {
    "en": ["Olivia", "Noah", "Amelia", "Liam", "Grace", "Ethan", "Chloe", "Lucas", "Maya", "Owen", "Isla", "Leo",
           "Zoe", "Jack", "Ruby", "Adam", "Hannah", "Samuel", "Priya", "Daniel", "Fatima", "Tom", "Erin", "Marcus"],
    "ar": ["سارة", "محمد", "ليلى", "عمر", "نور", "يوسف", "ريم", "خالد", "هدى", "طارق", "مريم", "أحمد", "لينا",
           "فيصل", "دانة", "سامر", "رهف", "عبدالله"],
    "fa": ["مریم", "علی", "نگار", "رضا", "سارا", "امیر", "پریسا", "حسین", "الهام", "بهرام", "شیوا", "کیان",
           "نازنین", "مهدی", "ترانه", "آرش", "یاسمن", "سینا"],
}
FAMILY_NAMES = {
    "en": ["Hart", "Bennett", "Shaw", "Turner", "Patel", "Brooks", "Ward", "Reid", "Collins", "Price", "Murphy",
           "Grant", "Fisher", "Hughes", "Foster", "Cole", "Okafor", "Nguyen", "Khan", "Lindqvist"],
    "ar": ["العتيبي", "القحطاني", "حداد", "الشمري", "الهاشمي", "السيد", "الزهراني", "منصور", "عبد الله", "النجار",
           "الدوسري", "فاروق", "الخطيب", "المصري", "العلي", "الحسيني"],
    "fa": ["احمدی", "رضایی", "کریمی", "محمدی", "حسینی", "جعفری", "نوری", "کاظمی", "موسوی", "صادقی", "رحیمی",
           "تهرانی", "شریفی", "اکبری", "یزدانی", "فرهادی"],
}
COUNTRIES = {"en": ["GB", "US", "IE", "CA", "AU"], "ar": ["SA", "AE", "JO", "LB", "KW"], "fa": ["IR", "DE", "CA"]}

# What customers wrote, per language and type (the six built-in types, praise, and mixed feelings).
COMMENTS = {
    "en": {
        "functionality": [
            (U, "Exporting a board to CSV gives me a file with only the header row. Tried Chrome and Firefox, "
                "same thing."),
            (U, "attachments over 10mb just spin forever and never upload"),
            (U, "The PDF export cuts off the last column of every board, so I cant send it to clients."),
            (U, "Since the update, dragging a card to another column sometimes snaps it back to where it was. "
                "Really confusing when two of us are moving things at the same time."),
            (N, "Recurring tasks stopped repeating after the clocks changed. Had to recreate 12 of them by hand."),
            (U, "Mobile app logs me out every single day, and the sign-in link in the email opens the browser "
                "instead of the app 😤"),
            (N, "Search doesn't find cards by their comments, only by title. Is that a bug or on purpose?"),
            (U, "mentions arrive hours late, sometimes the next morning. Defeats the purpose of a mention"),
        ],
        "feature_request": [
            (N, "Would love a dark mode. We keep the board on a wall screen in the warehouse at night."),
            (H, "Great tool. The one thing missing for us is a two-way sync with Google Calendar for due dates."),
            (N, "Please let us set a default template for new boards, we copy the same 8 columns every time."),
            (H, "Could you add time tracking per card? Even a simple start/stop button would do."),
            (N, "An offline mode for the phone app would help our field team a lot, the signal on site is "
                "terrible."),
            (N, "We need a way to make a board read-only for clients. Right now they move cards around by "
                "accident."),
            (H, "it would be nice to get a weekly summary email of what moved on each board"),
        ],
        "usability": [
            (U, "It took me ages to find where to turn off email notifications. Why is it under Profile and not "
                "Settings??"),
            (N, "Cards get cluttered fast, too many little icons and none of them has a label."),
            (N, "text on cards is tiny on my laptop and zooming in breaks the layout"),
            (U, "Inviting a colleague takes five clicks too many. I gave up and shared my own login, which I know "
                "is bad."),
            (N, "Filters reset every time I leave the board, so each morning I pick my name again."),
            (H, "Mostly intuitive, but the difference between archive and delete is not obvious. Lost a card "
                "that way."),
        ],
        "reliability": [
            (U, "Boards with more than 200 cards take 20+ seconds to open. It used to be instant."),
            (U, "Went down twice on Monday morning, right during our standup. Not great."),
            (N, "Fine on wifi, but on 4G it hangs on the loading spinner."),
            (U, "Lost half an hour of edits when the page reloaded by itself. Nothing was saved, no warning, "
                "nothing in the history either. I've started writing longer descriptions in a text editor "
                "first and pasting them in, which is a bit ridiculous for a tool we pay for."),
            (N, "slow slow slow in the mornings, fine after lunch. probably all of europe logging in at once"),
            (U, "Our board showed yesterday's version for an hour and two people worked on stale cards."),
            (N, "The desktop app eats 2 GB of memory after a day open."),
        ],
        "service": [
            (U, "I opened a ticket about a double charge a week ago and still have no reply."),
            (H, "Support was quick and actually understood the problem, thank you Dana!"),
            (U, "The chat says 'we reply in minutes' but it took two days."),
            (N, "Support answered fast but the first reply was a canned one that didnt match my question."),
            (H, "The onboarding call was really helpful, the trainer showed us tricks we never would have found "
                "on our own."),
            (U, "Nobody told us about the maintenance window. Our whole team was locked out in the middle of a "
                "client demo, and the status page said everything was fine."),
        ],
        "pricing": [
            (U, "Price went up 40% at renewal with one email of warning. We're looking at alternatives."),
            (N, "Paying per seat hurts, half our people only look at the board once a week."),
            (U, "Was charged for 15 seats after I removed 5 users, and the refund took three weeks."),
            (N, "The free plan is too limited to really try it, 3 boards is nothing"),
            (N, "Fair price for what it does, but the invoices don't show our VAT number so accounting keeps "
                "sending them back."),
            (U, "Why is single sign-on only in the Enterprise plan? We are 12 people."),
        ],
        "praise": [
            (H, "Setup took ten minutes and the whole team was using it the same afternoon."),
            (H, "Honestly the best board tool we've tried, and we tried a lot of them."),
            (H, "Clean, fast, does exactly what we need. Don't change it!"),
            (H, "Love it 😍"),
            (H, "The keyboard shortcuts are a joy, I barely touch the mouse anymore."),
            (H, "We moved the whole agency from spreadsheets to Acme Board and nobody wants to go back."),
            (H, "great app, my team actually updates their cards now"),
            (H, "Works beautifully with Arabic and English side by side, which matters a lot in our office."),
            (H, "10/10 would recomend"),
            (H, "Simple enough for our interns, powerful enough for me 👍"),
        ],
        "mixed": [
            (N, "Good product overall. Support is great, but the phone app really needs work."),
            (N, "I like the boards a lot, the reports not so much: hard to read and you cant customise them."),
            (N, "Does the job. A bit pricey for a small team, but it saves us one meeting a week."),
            (N, "Fast and pretty, though I miss being able to give a card to two people."),
            (H, "Really happy with it apart from the notifications, which are either far too many or none."),
            (N, "Was great until the redesign, now everything takes one more click. Still using it tho."),
        ],
    },
    "ar": {
        "functionality": [
            (U, "تصدير اللوحة إلى PDF ما يشتغل، يطلع الملف فاضي"),
            (U, "المرفقات ما عم تنرفع من الموبايل، بتضل تحمّل وبعدين بتختفي"),
            (U, "بعد آخر تحديث صارت البطاقات ترجع لمكانها لما أسحبها لعمود ثاني"),
            (N, "التذكيرات بمواعيد التسليم لا تصل في الوقت المحدد، وأحيانًا تتأخر يومًا كاملًا."),
            (U, "التطبيق يطلعني من الحساب كل يوم وأضطر أسجل دخول من جديد 😡"),
        ],
        "feature_request": [
            (N, "نتمنى تضيفون الوضع الليلي، نشتغل بالليل والشاشة البيضاء تتعب العين"),
            (H, "التطبيق ممتاز بس ناقصه ربط مع تقويم جوجل"),
            (N, "بدنا نقدر نحط قالب جاهز للوحات الجديدة بدل ما نعيد نفس الأعمدة كل مرة"),
            (N, "يا ريت تضيفوا خاصية تتبع الوقت لكل مهمة"),
            (H, "أقترح إضافة تقرير أسبوعي يصل بالبريد عن تقدم المشاريع، سيفيد الإدارة كثيرًا."),
        ],
        "usability": [
            (U, "الواجهة العربية فيها مشاكل، الأسهم بالاتجاه الغلط والتواريخ مقلوبة"),
            (N, "صعب ألاقي إعدادات الإشعارات، مخبّاية بمكان غريب"),
            (N, "الخط صغير كتير عالموبايل وما في طريقة كبّره"),
            (N, "إضافة عضو جديد للفريق تحتاج خطوات كثيرة، يجب أن تكون أبسط من ذلك."),
            (U, "ما فهمت الفرق بين الأرشفة والحذف وراحت علي بطاقة مهمة"),
        ],
        "reliability": [
            (U, "اللوحات الكبيرة بطيئة جداً بالفتح، أحياناً دقيقة كاملة"),
            (U, "الموقع وقف مرتين هالأسبوع وقت الاجتماع الصباحي"),
            (N, "على نت الجوال التطبيق يعلق على شاشة التحميل"),
            (U, "ضاعت تعديلاتي لما الصفحة عملت ريفرش لحالها، نص ساعة شغل راحت. صرت أكتب الوصف بملف "
                "خارجي وبعدين أنسخه، وهذا مش منطقي لبرنامج مدفوع"),
            (N, "التطبيق يستهلك البطارية بشكل ملحوظ حتى وهو مسكّر"),
        ],
        "service": [
            (U, "راسلت الدعم عن خصم مكرر من أسبوع وما أحد رد علي"),
            (H, "فريق الدعم ردوا بسرعة وحلوا المشكلة، يعطيكم العافية"),
            (U, "قالوا الرد خلال دقائق بالمحادثة والرد جا بعد يومين"),
            (H, "جلسة التدريب كانت مفيدة جدًا، شكرًا للأستاذة ريم على صبرها"),
            (N, "الدعم محترمين بس أحيانا الرد ما له علاقة بسؤالي"),
        ],
        "pricing": [
            (U, "السعر غالي وايد لفريق صغير، والاشتراك ارتفع فجأة عند التجديد"),
            (U, "انخصم مني مبلغ مقاعد حذفتها من شهر، وين فلوسي؟"),
            (N, "الفاتورة لا تتضمن الرقم الضريبي لشركتنا، فرفضها المحاسب."),
            (N, "الخطة المجانية محدودة كتير، ما بتكفي لنجرب البرنامج صح"),
            (N, "ليش تسجيل الدخول الموحد بس بالباقة الغالية؟"),
        ],
        "praise": [
            (H, "خدمة ممتازة وبرنامج مرتب، شكرا لكم"),
            (H, "سهل الاستخدام ووفر علينا وقت وايد 👍"),
            (H, "أفضل أداة جربناها لتنظيم الشغل بين الفريق"),
            (H, "حلو كتير وبيشتغل بسرعة"),
            (H, "دعم اللغة العربية ممتاز، وهذا نادر في برامج من هذا النوع."),
            (H, "ممتاز ما شاء الله"),
            (H, "التطبيق خفيف وواضح، والفريق كله صار يستخدمه يوميًا ❤️"),
        ],
        "mixed": [
            (N, "البرنامج زين بشكل عام بس تطبيق الجوال يبيله شغل"),
            (N, "بحب اللوحات بس التقارير صعبة القراءة"),
            (N, "يستاهل، بس السعر شوي مرتفع لشركة ناشئة"),
            (H, "مبسوطين فيه، بس الإشعارات يا كتير يا ما في أبدًا"),
            (N, "الخدمة ممتازة والبرنامج جيد، لكن البطء في الصباح مزعج."),
        ],
    },
    "fa": {
        "functionality": [
            (U, "خروجی اکسل کار نمی‌کنه، فایل خالی دانلود میشه"),
            (U, "از آپدیت آخر وقتی کارت رو جابه‌جا می‌کنم برمی‌گرده سر جای قبلیش"),
            (U, "پیوست‌ها از گوشی آپلود نمیشن، فقط می‌چرخه"),
            (N, "یادآوری موعد کارها دیر می‌رسد، گاهی یک روز بعد."),
            (U, "اپ هر روز از حسابم خارج میشه و باید دوباره وارد شم 😤"),
        ],
        "feature_request": [
            (N, "لطفا حالت شب اضافه کنید، شب ها چشمم اذیت میشه"),
            (H, "برنامه عالیه فقط کاش با تقویم گوگل همگام می‌شد"),
            (N, "کاش تقویم شمسی هم داشت، همه تاریخ‌ها میلادیه و هر بار باید تبدیل کنم"),
            (N, "امکان ثبت زمان برای هر کار خیلی به درد ما می‌خوره"),
            (H, "اگر گزارش هفتگی پیشرفت پروژه‌ها را ایمیل کنید، مدیرها خیلی خوشحال می‌شوند."),
        ],
        "usability": [
            (U, "پیدا کردن تنظیمات اعلان‌ها خیلی سخته، معلوم نیست کجاست"),
            (N, "فونت فارسی روی کارت‌ها ریز و ناخواناست"),
            (N, "دعوت کردن همکار جدید مراحل زیادی داره"),
            (U, "فرق بایگانی و حذف معلوم نیست، یه کارت مهم رو از دست دادم"),
            (N, "فیلترها هر بار که از برد بیرون میام پاک میشن."),
        ],
        "reliability": [
            (U, "بردهای بزرگ خیلی کند باز میشن، گاهی یک دقیقه طول می‌کشه"),
            (U, "این هفته دو بار سایت از دسترس خارج شد"),
            (N, "با اینترنت موبایل برنامه روی صفحه بارگذاری گیر می‌کنه"),
            (U, "تغییراتم ذخیره نشد و نیم ساعت کارم پرید. هیچ پیامی هم نداد که ذخیره نشده، فقط صفحه "
                "خودش رفرش شد. الان اول توی یه فایل جدا می‌نویسم بعد کپی می‌کنم"),
            (N, "نسخه دسکتاپ بعد از چند ساعت خیلی رم مصرف می‌کنه"),
        ],
        "service": [
            (U, "پشتیبانی سه روزه جواب تیکتم رو نداده"),
            (H, "پشتیبانی خیلی سریع جواب داد و مشکلم همون روز حل شد، ممنون 🙏"),
            (U, "گفتن تو چت چند دقیقه‌ای جواب میدیم ولی دو روز طول کشید"),
            (H, "جلسه آموزشی خیلی مفید بود، کلی نکته یاد گرفتیم"),
            (N, "پشتیبانی مودبه ولی جواب‌ها کلی و کپی‌شده‌ست"),
        ],
        "pricing": [
            (U, "قیمت اشتراک برای یه تیم کوچیک خیلی گرونه"),
            (U, "کاربرها رو حذف کردم ولی هنوز برای همه‌شون پول کم میشه"),
            (N, "فاکتورها شماره اقتصادی شرکت ما را ندارند."),
            (N, "نسخه رایگان خیلی محدوده، برای امتحان کافی نیست"),
            (N, "تمدید سالانه بدون اطلاع قبلی گرون‌تر شد"),
        ],
        "praise": [
            (H, "خیلی راحت و سریعه، ممنون از تیم خوبتون"),
            (H, "بهترین ابزار مدیریت کار که تا حالا استفاده کردیم 👌"),
            (H, "رابط کاربری تمیز و ساده، تیم ما خیلی راضیه"),
            (H, "عالیه، دستتون درد نکنه"),
            (H, "پشتیبانی از زبان فارسی و راست‌چین خیلی خوب انجام شده است."),
            (H, "از وقتی اومدیم روی Acme Board جلسه‌هامون نصف شده"),
            (H, "واقعا کار رو راحت کرده"),
        ],
        "mixed": [
            (N, "در کل خوبه ولی اپ موبایلش هنوز جای کار داره"),
            (N, "بردها رو دوست دارم ولی گزارش‌ها خوانا نیستن"),
            (N, "ارزششو داره ولی برای استارتاپ یکم گرونه"),
            (H, "راضی‌ام، فقط اعلان‌ها یا خیلی زیادن یا اصلا نمیان"),
            (N, "پشتیبانی عالیه ولی صبح‌ها سرعت خیلی پایینه."),
        ],
    },
}


class ChannelItem(NamedTuple):
    """Feedback that came another way than a survey (triage.verbatims.intake.ChannelFeedback)."""
    channel: str
    locale: str
    days_ago: int
    text: str
    score: int | None = None     # app-store stars, on the CSAT scale (1–5)
    customer: int | None = None  # the n-th customer of its language wrote it (None: someone we do not know)
    name: str | None = None


CHANNEL_FEEDBACK = [
    ChannelItem("support-email", "en", 30, "Hello, since this morning none of our boards load, we only see a white "
                                           "page. Can you check urgently? Thanks, Tom", customer=3),
    ChannelItem("support-email", "en", 12, "Hi, I'd like to move down to the Team plan but the billing page only "
                                           "offers to cancel. How do I do that?", customer=8),
    ChannelItem("app-store", "en", 25, "Crashes every time I open a card with a photo in it (iPhone 13). Please fix",
                score=2, name="kayla_r"),
    ChannelItem("app-store", "en", 9, "Finally a board app that is nice to use on a phone. Widgets would make "
                                      "it perfect!", score=5, name="ben.d"),
    ChannelItem("app-store", "en", 4, "Subscription renewed the day after I cancelled. Please refund that charge.",
                score=1, name="mo_builds"),
    ChannelItem("support-email", "ar", 20, "السلام عليكم، نحتاج فاتورة باسم الشركة مع الرقم الضريبي للشهرين "
                                           "الماضيين. شكرًا", customer=2),
    ChannelItem("support-email", "ar", 6, "مرحبا، ما عم نقدر نضيف أعضاء جدد للفريق، بتطلع رسالة خطأ بدون أي "
                                          "تفاصيل", customer=5),
    ChannelItem("app-store", "ar", 15, "تطبيق رائع وسريع، يستاهل الخمس نجوم", score=5, name="أبو فهد"),
    ChannelItem("app-store", "ar", 3, "كل ما أفتح التطبيق يطلب تحديث ولما أحدّث يرجع يطلب", score=2, name="Noura"),
    ChannelItem("support-email", "fa", 18, "سلام، برای پرداخت ارزی مشکل داریم. راه دیگه‌ای برای تمدید اشتراک "
                                           "هست؟", customer=4),
    ChannelItem("app-store", "fa", 11, "اپ خوبیه ولی نوتیفیکیشن‌ها روی اندروید نمیان", score=3, name="Sahar"),
    ChannelItem("app-store", "fa", 2, "خیلی کاربردی و ساده، مرسی", score=5, name="پویا"),
]


class DemoFix(NamedTuple):
    """A fix the team made of what customers wrote: the answers whose text holds one of `words` support it."""
    title: str
    cost: int
    type_key: str
    words: tuple[str, ...]
    step: str  # open, planned, shipped, or override (the team set its impact)
    public_title: dict[str, str] | None = None  # what customers read, per language: the fixes they are told of


FIXES = [
    DemoFix("Exports: CSV files come out empty and PDF cuts columns off", 2, "functionality",
            ("CSV", "PDF export", "تصدير اللوحة", "خروجی اکسل"), "shipped",
            {"en": "Exports that hold the whole board", "ar": "تصدير يضم اللوحة كاملة",
             "fa": "خروجی‌هایی که همه برد را در بر دارند"}),
    DemoFix("Large boards open slowly, worst in the morning", 4, "reliability",
            ("seconds to open", "slow slow", "بطيئة جداً", "البطء في الصباح", "کند باز", "صبح‌ها سرعت"), "planned",
            {"en": "Faster opening of large boards", "ar": "فتح أسرع للوحات الكبيرة", "fa": "باز شدن سریع‌تر بردهای بزرگ"}),
    DemoFix("Answer support tickets and chats within a day", 3, "service",
            ("still have no reply", "took two days", "ما أحد رد", "بعد يومين", "جواب تیکتم", "دو روز طول"), "open"),
    DemoFix("Arrows and dates reversed in the Arabic interface", 1, "usability", ("بالاتجاه الغلط",), "override"),
    DemoFix("Phone app signs people out every day", 1, "functionality",
            ("logs me out", "يطلعني من الحساب", "از حسابم خارج"), "open"),
    DemoFix("A plan for small teams", 5, "pricing",
            ("per seat", "Price went up", "غالي وايد", "تیم کوچیک خیلی گرونه", "یکم گرونه"), "open"),
    DemoFix("Dark mode", 2, "feature_request", ("dark mode", "الوضع الليلي", "حالت شب"), "open"),
    DemoFix("Two-way sync with Google Calendar", 3, "feature_request",
            ("Google Calendar", "تقويم جوجل", "تقویم گوگل"), "open"),
    DemoFix("Notification settings are hard to find", 1, "usability",
            ("email notifications", "إعدادات الإشعارات", "تنظیمات اعلان"), "open"),
]
RELEASE_NOTES = {
    "en": "Exports work again: CSV files hold every card of the board, and PDF exports fit all columns on the page.",
    "ar": "عاد التصدير يعمل: ملفات CSV تضم كل بطاقات اللوحة، وملفات PDF تعرض جميع الأعمدة في الصفحة.",
    "fa": "خروجی‌ها دوباره کار می‌کنند: فایل CSV همه کارت‌های برد را دارد و خروجی PDF همه ستون‌ها را در صفحه جا می‌دهد.",
}
OVERRIDE = (60.0, "Every Arabic-speaking customer sees the reversed arrows; few of them write to tell us.")

# The win-back campaign sent to customers who had left (retention.saving.win_back): its name (the team's) and the
# offer of each tier in each customer's language.
WIN_BACK_NAME = "Come back to Acme Board — autumn offer"
WIN_BACK_OFFERS = {
    "standard": {"en": "Come back this month and pay half price for your first two months.",
                 "ar": "عُد هذا الشهر وادفع نصف السعر في أول شهرين.",
                 "fa": "اگر این ماه برگردید، دو ماه اول را نصف قیمت می‌پردازید."},
    "premium": {"en": "Come back this month and your next three months on your plan are on us.",
                "ar": "عُد هذا الشهر وستكون الأشهر الثلاثة التالية على خطتك مجاناً.",
                "fa": "اگر این ماه برگردید، سه ماه بعدی طرح‌تان رایگان است."},
    "vip": {"en": "Three months free, and an hour with our product lead to set your boards up the way you work.",
            "ar": "ثلاثة أشهر مجاناً، وساعة مع مسؤول المنتج لإعداد لوحاتك بالطريقة التي تعمل بها.",
            "fa": "سه ماه رایگان، و یک ساعت با مدیر محصول ما تا بردهایتان را همان‌طور که کار می‌کنید بچینیم."},
}

# Last spring's NPS comments: every one about the broken exports (the fix shipped since, feedback_app.demo._fixes
# links them by its words), as (mood, text) per language.
SPRING_COMMENTS = {
    "en": [
        ("unhappy", "Our CSV export came out empty twice this week, right before the board meeting."),
        ("unhappy", "I needed the PDF export for a client and half the columns were missing. Embarrassing."),
        ("neutral", "Good tool overall, but the CSV file from the reports page has no rows in it."),
        ("neutral", "Planning works well. The PDF export cuts off our last two columns, so we take screenshots."),
    ],
    "ar": [
        ("unhappy", "حاولت تصدير اللوحة لمديري ثلاث مرات والملف يطلع فاضي."),
        ("neutral", "البرنامج مفيد، لكن تصدير اللوحة إلى ملف PDF يقص الأعمدة الأخيرة."),
        ("unhappy", "ما أقدر أعتمد على تصدير اللوحة، كل تقرير أسبوعي أضطر أعيده يدوياً."),
    ],
    "fa": [
        ("unhappy", "خروجی اکسل گزارش‌ها خالی است و هر هفته جدول را دستی درست می‌کنم."),
        ("neutral", "کار تیمی راحت‌تر شده، ولی خروجی اکسل نصف ستون‌ها را ندارد."),
        ("unhappy", "برای جلسه با مشتری به خروجی اکسل نیاز داشتم و فایل خالی بود."),
    ],
}

# Where the demo's promoters are asked to write a review (advocacy): a reserved domain, never a real site.
REVIEW_LINK = "https://reviews.example.com/acme-board"

# Where in the customer's journey each autumn survey asks (the dashboard's scores per touchpoint).
SURVEY_TOUCHPOINTS = {"csat": "support", "ces": "purchase"}

# The autumn NPS survey's thank-you page asks one more question; some of the customers who commented answer it.
THANKS_QUESTION = {"en": "What one change would make Acme Board a 10 for you?",
                   "ar": "ما التغيير الواحد الذي يجعل Acme Board يستحق 10 عندك؟",
                   "fa": "چه تغییری Acme Board را برای شما ۱۰ می‌کند؟"}
SECOND_ANSWERS = {
    "en": ["Boards that open instantly, even the big ones.", "A cheaper plan for our three-person team.",
           "Dark mode for the late planning sessions.", "Calendar sync that works both ways."],
    "ar": ["أن تفتح اللوحات الكبيرة بسرعة.", "باقة أرخص للفرق الصغيرة.", "وضع ليلي للعمل في المساء."],
    "fa": ["بردهای بزرگ سریع‌تر باز شوند.", "یک طرح ارزان‌تر برای تیم‌های کوچک.", "همگام‌سازی با تقویم گوگل."],
}

# The planned fix's beta: where its testers try it (a reserved domain, never a real site).
BETA_LINK = "https://beta.example.com/fast-boards"

