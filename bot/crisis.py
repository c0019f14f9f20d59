"""Words that make a message a crisis whatever else it says, per language.

The intent classifier decides most crises. This list decides only where a message could
also be something harmless: an answer to the bot's question ("nu meteen" when asked when we
may call) is read as that answer, unless it holds one of these. High precision on purpose:
each entry names violence, suicide or an acute emergency outright. Matched on normalised
text (bot.normalise), so spelling without Turkish letters or Arabic variants match too.
"""

from __future__ import annotations

import re

from bot.normalise import normalise

# The intents answered as a crisis in every state (stories/safety.yml).
CRISIS_INTENTS = frozenset({"emergency", "domestic_violence", "suicidal", "missing_person"})

_PHRASES = {
    "nl": ("slaat mij", "slaat me", "sloeg mij", "sloeg me", "slaat hij me", "slaat hij mij", "sloeg hij me",
           "hij slaat", "zij slaat", "slaat de kinderen", "slaat mijn", "mishandelt", "mishandeld", "zelfmoord",
           "wil dood", "wil niet meer leven", "mezelf iets aandoen", "van kant maken", "ademt niet",
           "bewusteloos", "brand", "verkracht", "wurgt", "mes op", "vermoorden", "vermoord", "vermist",
           "is weggelopen", "niet thuisgekomen", "niet thuis gekomen"),
    "tr": ("dovuyor", "dovdu", "vuruyor", "dayak", "olduremem", "oldurecek", "intihar",
           "yasamak istemiyorum", "kendimi oldur", "nefes almiyor", "bayildi", "yangin", "bicak",
           "kayboldu", "kayip", "eve gelmedi", "evden kacti"),
    "ar": ("يضربني", "ضربني", "كيضربني", "تيضربني", "انتحار", "اقتل نفسي", "نقتل راسي", "ننتحر",
           "ما بدي عيش", "بغيت نموت", "حريق", "لا يتنفس", "ما كيتنفسش", "مغمى عليه", "سكين",
           "kaydrebni", "kaydarbni", "kayadrebni", "nmout", "nentaher", "مفقود", "مفقودة", "ضاع ولدي",
           "ضاعت بنتي", "ما رجعش", "ما رجعتش", "هرب من الدار", "هربت من الدار"),
    "pap": ("ta dal mi", "a dal mi", "ta bati mi", "mata mi mes", "mata mi", "no ke biba mas",
            "suisidio", "suicidio", "kandela", "no ta hala rosea", "flauha", "kuchu", "ta perdi",
            "no a bini kas", "no a bolbe kas", "a hui for di kas"),
}
# English is no language of ours, but a crisis in English must still be heard and answered.
ENGLISH = {
    "suicidal": ("kill myself", "suicide", "want to die", "end my life", "hurt myself", "cut myself",
                 "overdose", "don t want to live", "dont want to live"),
    "domestic_violence": ("hits me", "beats me", "hit me", "beat me", "abuses me", "threatens to kill",
                          "rape", "locked me in", "afraid of my husband", "afraid of my partner"),
    "missing_person": ("is missing", "has been missing", "went missing", "ran away", "did not come home",
                       "didn t come home"),
    "emergency": ("not breathing", "unconscious", "collapsed", "fire", "knife"),
}
_PHRASES["en"] = tuple(p for phrases in ENGLISH.values() for p in phrases)


def _pattern(phrases, language: str) -> re.Pattern:
    return re.compile(r"(?:^| )(?:" + "|".join(re.escape(normalise(p, language)) for p in phrases) + r")(?: |$)")


_PATTERNS = {language: _pattern(phrases, language) for language, phrases in _PHRASES.items()}
_ENGLISH_PATTERNS = {intent: _pattern(phrases, "en") for intent, phrases in ENGLISH.items()}


def says_crisis(text: str, language: str | None) -> bool:
    """True when the text names a crisis outright, in its language or in Dutch."""
    for code in {language or "nl", "nl"}:
        if code in _PATTERNS and _PATTERNS[code].search(f" {normalise(text, code)} "):
            return True
    return False


def english_crisis(text: str) -> str | None:
    """The crisis an English message names outright (its intent), or None."""
    words = f" {normalise(text, 'en')} "
    return next((intent for intent, pattern in _ENGLISH_PATTERNS.items() if pattern.search(words)), None)
