"""Typed answers to the handoff questions, in all four languages.

Buttons send exact values; residents who type get the same result from these keywords.
Matching runs on normalised words (bot.normalise: lower case the Turkish way, Arabic
variants unified, diacritics folded), so "aksam", "akşam" and "AKŞAM" are the same.
"""

from __future__ import annotations

import re

import phonenumbers

from bot.normalise import normalise

# Most specific first: "morgenavond" must win over "morgen" and "avond".
WINDOW_WORDS: list[tuple[str, tuple[str, ...]]] = [
    ("tomorrow_evening", (
        "morgenavond", "morgen avond", "morgen s avonds", "yarin aksam", "yarin aksami",
        "غدا مساء", "غدا في المساء", "غدوة فالليل", "غدا بالليل", "ghedda f lil", "ghda f lil",
        "غدا فالعشية", "غدوة فالعشية", "غدا العشية", "ghda f l3chiya", "ghedda f l3chiya", "bukra bil lail",
        "بكرة بالليل", "بكرة المسا", "باجر بالليل",
        "manan anochi", "mañan anochi", "mañan atardi", "manan atardi",
    )),
    ("tomorrow", (
        "morgen", "morgenochtend", "morgenmiddag", "yarin", "غدا", "غدوة", "ghedda", "ghda",
        "bukra", "بكرة", "manan", "mañan", "mainta",
    )),
    ("tonight", (
        "na het werk", "na mijn werk", "na zessen", "na zevenen", "na 6", "na 7", "na 18 00", "na 19 00",
        "is cikisi", "isten sonra", "mesaiden sonra", "aksam 6", "aksam 7", "aksam 8", "aksam 9",
        "بعد الخدمة", "بعد الشغل", "بعد العمل", "mn b3d lkhedma", "despues di trabou", "despues di trabao",
        "despues di 6", "despues di 7", "djaweps anochi",
        "vanavond", "avond", "s avonds", "bu aksam", "aksam", "aksamleyin", "bu gece",
        "الليلة", "هاد الليلة", "في المساء", "مساء", "فالليل", "lil", "lyoum f lil",
        "العشية", "فالعشية", "l3chiya", "3chiya", "المسا", "بالليل", "هالليلة",
        "awe anochi", "anochi", "awe atardi", "atardi",
    )),
    ("daytime", (
        "overdag", "ochtend", "s ochtends", "morgens", "in de ochtend", "middag", "s middags", "tussen 10",
        "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "door de week",
        "gunduz", "sabah", "sabahlari", "ogleden once", "ogle", "hafta ici", "pazartesi", "sali", "carsamba",
        "persembe", "cuma",
        "الصباح", "في الصباح", "صباحا", "فالصباح", "الصبح", "الظهر", "النهار", "فالنهار", "بالنهار",
        "sbah", "f sbah", "fsbah", "nhar", "f nhar",
        "mainta", "merdia", "atardi temprano", "djaluna", "djamars", "djarason", "djaweps", "djabierne",
        "durante di dia",
    )),
    ("today", (
        "vandaag", "vandaag nog", "bugun", "bugün", "اليوم", "النهار دا", "lyoum", "lyouma", "l yum",
        "awe", "awendia", "awe mes",
    )),
    ("now", (
        "هسه", "هسة", "هلق", "هلأ", "tur ora", "kualke ora", "altijd", "elk moment", "wanneer u wilt",
        "her zaman", "ne zaman isterseniz", "ne zaman olursa", "اي وقت", "أي وقت", "فاي وقت", "any time", "anytime",
        "nu", "direct", "meteen", "zsm", "zo snel mogelijk", "simdi", "hemen", "acil",
        "الآن", "الان", "دابا", "حالا", "daba", "daba daba", "awor", "aworaki", "awo",
        "mesora", "djis awor",
    )),
    ("weekend", (
        "weekend", "zaterdag", "zondag", "hafta sonu", "haftasonu", "cumartesi", "pazar",
        "نهاية الأسبوع", "عطلة", "السبت", "الأحد", "الويكاند", "sabt", "weekend",
        "fin di siman", "sabra", "djasabra", "diadomingo", "djadumingu",
    )),
]

CHANNEL_WORDS: list[tuple[str, tuple[str, ...]]] = [
    ("phone", (
        "bel", "bellen", "bel mij", "telefoon", "telefonisch", "tel", "ara", "arayin",
        "arayabilir", "telefon", "telefonla", "اتصل", "اتصلوا", "الهاتف", "التلفون",
        "تيليفون", "تلفون", "telefon", "tilifon", "yama", "yama mi", "telefòn",
        "تليفون", "التليفون", "التيليفون", "التلفون", "عالتلفون", "عالتليفون", "عالتيليفون", "فالتليفون",
        "عيطو", "عيط", "عيطي", "عيطوا", "فالتيليفون", "بالتيليفون", "فالتلفون", "بالتلفون", "بالهاتف",
        "3ayet", "3ayto", "3aytou", "3ayeto", "ttaslo", "ittasil", "اتصلو", "دقولي", "احكوني",
    )),
    ("chat", (
        "chat", "hier", "app", "appen", "berichtje", "sohbet", "mesaj", "buradan", "yazin",
        "دردشة", "شات", "هنا", "رسالة", "رسائل", "mensahe", "aki", "akinan", "skibi",
        "chatten", "appje", "whatsapp", "typen", "schrijven", "burdan", "burada", "yazisalim", "yazalim",
        "yazisiriz", "yazin bana", "mesajla", "yazarak", "كتابة", "نكتب", "نكتبو", "بالكتابة", "هون", "هنايا",
        "ktbo", "nktbo", "hna", "skirbi", "skibimi", "chat aki", "الشات", "بالشات", "فالشات", "عالشات",
    )),
]

PREFERENCE_WORDS: list[tuple[str, tuple[str, ...]]] = [
    ("volunteer", (
        # "Either is fine" goes the usual way: a volunteer first; when none can, the team's own
        # contact gets it (escalation), so nobody waits for a kind of person they did not ask for.
        "maakt niet uit", "maakt me niet uit", "maakt mij niet uit", "allebei", "om het even",
        "fark etmez", "farketmez", "fark etmiyor", "farketmiyor", "ikisi de olur", "hangisi olursa",
        "ما يهم", "لا يهم", "مش مهم", "ماشي مشكل", "كيف كيف", "بحال بحال", "kifkif", "ma yhemch",
        "no ta importa", "ta igual", "tur dos", "kualke un",
        "vrijwilliger", "gemeenschap", "eigen mensen", "sleutelpersoon", "moskee", "kerk",
        "gonullu", "cemaat", "dernek", "متطوع", "متطوعة", "جمعية", "جالية", "المسجد",
        "boluntario", "boluntaria", "komunidat", "hende di mi mes",
    )),
    ("professional", (
        "wijkteam", "hulpverlener", "professional", "maatschappelijk werker", "uzman", "gemeente", "buurtteam",
        "ويكتيم", "الويكتيم", "الفيكتيم", "البلدية", "الغمينتة", "wiektiem", "belediye", "mahalle ekibi",
        "profesyonel", "sosyal hizmet", "مختص", "مساعد اجتماعي", "الفريق", "profesional",
        "trahado sosial", "trahadó sosial",
    )),
]


def _match(text: str, table: list[tuple[str, tuple[str, ...]]], language: str | None) -> str | None:
    words = f" {normalise(text, language)} "
    for value, keywords in table:
        for keyword in keywords:
            if f" {normalise(keyword, language)} " in words:
                return value
    return None


def window_from_text(text: str, language: str | None = None) -> str | None:
    return _match(text, WINDOW_WORDS, language)


def channel_from_text(text: str, language: str | None = None) -> str | None:
    """The way named first wins: "chat, ik kan niet bellen" is a chat."""
    words = f" {normalise(text, language)} "
    found = []
    for value, keywords in CHANNEL_WORDS:
        for keyword in keywords:
            at = words.find(f" {normalise(keyword, language)} ")
            if at >= 0:
                found.append((at, value))
    return min(found)[1] if found else None


def preference_from_text(text: str, language: str | None = None) -> str | None:
    """Whoever they describe ("a Moroccan woman who speaks Dutch", "someone Syrian") is a
    volunteer who speaks their language unless they name the team: asked once, never thrice."""
    found = _match(text, PREFERENCE_WORDS, language)
    if found:
        return found
    return "volunteer" if normalise(text, language).strip() else None


def phone_number(text: str) -> str | None:
    """A valid Dutch (or international) phone number, written the Dutch way; else None."""
    digits = re.sub(r"[^\d+]", "", text or "")
    if len(digits) < 9:
        return None
    try:
        parsed = phonenumbers.parse(digits, "NL")
    except phonenumbers.NumberParseException:
        return None
    # Possible, not necessarily "valid": libphonenumber's list of assigned ranges lags behind
    # (06-9 numbers are refused), and a resident stuck at this question reaches nobody.
    if not phonenumbers.is_possible_number(parsed):
        return None
    if parsed.country_code == 31:
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
