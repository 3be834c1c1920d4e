"""What an assistant turn does, by exact rules (regular expressions over the reply): the scripted user's
emotion changes are computed from these features.

Features: reflects_feeling (names or acknowledges the user's feeling), open_question (asks an open
question or invites more), advice (suggests, recommends, instructs, lists steps), minimises (plays the
problem down), dismisses (refuses, deflects, "as an AI", "calm down"), fits_intention (does what the hidden
intention wants, one rule set per kind), repeats (the same as an earlier assistant turn), empty.

Rules, not a probe: each feature is a short list of phrasings, which a test checks with a positive and a
negative example each. They read surface cues, so they reward phrasing, not understanding: that is why the
scripted user is a stand-in for tests, demos and CPU training, labelled as such wherever its numbers appear.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass

_F = re.IGNORECASE

_FEEL = (
    r"(sad|hurt|angry|upset|anxious|stressed|overwhelmed|lonely|alone|frustrated|scared|afraid|worried|"
    r"exhausted|heartbroken|disappointed|ashamed|guilty|lost|stuck|drained|furious|betrayed|devastated|"
    r"numb|helpless|confused|torn|invisible|unheard|fed up|grieving|proud|relieved)"
)
_HARD = (
    r"(hard|tough|difficult|painful|frustrating|exhausting|overwhelming|stressful|lonely|scary|upsetting|"
    r"awful|heavy|draining|confusing|unfair|infuriating|heartbreaking|devastating|horrible|terrible|"
    r"isolating|rough|maddening)"
)

REFLECTS = [
    rf"\bsounds (really |so |very |incredibly |pretty |truly |genuinely )?{_HARD}",
    rf"\b(that|this|it) (must|would) (be|have been|feel|have felt) (so |really |very |deeply )?{_HARD}",
    r"\b(i'm|i am) (so |really |truly |very |deeply )?sorry\b",
    r"\b(it|that) makes (complete |total |a lot of |so much |perfect )?sense (that )?(you|to feel)",
    r"\bno wonder\b",
    r"\byou (must|might|may) (be |have been )?(feel|feeling|felt)\b",
    rf"\byou('re| are| feel| seem| sound)( so| really| very| quite| understandably)? {_FEEL}\b",
    r"\bi can (hear|see|imagine|understand|tell|sense) (how|that|why|what)\b",
    r"\b(understandable|of course you('d| would)? feel)\b",
    rf"\bhow {_HARD} (that|this|it)\b",
    r"\bwhat you('re| are) (going through|carrying|dealing with|feeling)\b",
]

_OPEN_START = r"^(and |so |but |then |also )?(what|how|why|which|where|when|who)\b"
OPEN_INVITES = [
    r"\btell me (more|about|what|how|everything)\b",
    r"\b(say|share) (a bit |a little )?more\b",
    r"\bwalk me through\b",
    r"\bcan you (tell|share|describe|say)\b",
    r"\bwould you like to (talk|tell|share|say)\b",
    r"\bi'?d (love|like) to hear\b",
]

ADVICE = [
    r"\byou (should|could|might want to|may want to|need to|have to|ought to)\b"
    r"(?! be (so |really |very )?proud)",
    r"\b(i'?d |i would )?(suggest|recommend|advise)\b",
    r"\bhave you (tried|considered|thought about)\b",
    r"\b(it|this|that) (might|may|could|can|would|will) help (to|if)\b",
    r"\b(here are|some|a few|these) (tips|steps|strategies|ideas|options|suggestions)\b",
    r"\b(one|another) (thing|option|idea|way|step|strategy) (you|is|would|that)\b",
    r"(^|\n)\s*(\d+[.)]|[-*•])\s+\w",
]
# Sentence-initial imperatives (checked per sentence); "take your time", "tell me ..." are invitations.
_IMPERATIVE = re.compile(
    r"^(please )?(try|consider|make sure|remember to|don't forget|start|set|write|talk|reach out|speak|"
    r"look into|keep|take a|take some|ask|plan|schedule|call|stop|avoid|focus|practi[cs]e|use|get|give|"
    r"limit|create|find|contact|book|eat|drink|sleep|exercise|breathe|list|prioriti[sz]e|block|document|"
    r"check|report|email|negotiate|join|sign up)\b",
    _F,
)

MINIMISES = [
    r"\b(it's|that's|this is|it is|that is) (not|no) (that |such a |a )?big( deal)?\b",
    r"\bno big deal\b",
    r"\bcould (be|have been) worse\b",
    r"\bat least\b",
    r"\bdon'?t (worry|stress|be (sad|upset))\b",
    r"\b(everyone|everybody) (goes through|feels|has|deals with)\b",
    r"\bhappens to (everyone|everybody|all of us|the best of us)\b",
    r"\b(you'll|you will) (be (fine|ok|okay|alright)|get over it)\b",
    r"\beverything (will|is going to|'ll) (be|work out) ?(fine|ok|okay|alright)?\b",
    r"\b(just|simply) (relax|calm down|move on|get over it|let it go|ignore it|stop (worrying|thinking))\b",
    r"\b(look on the bright side|cheer up|silver lining|stay positive|think positive|it's only)\b",
]

DISMISSES = [
    r"\b(i can't|i cannot|i'm not able to|i am not able to|i'm unable to|i am unable to) "
    r"(help|assist|provide|discuss|talk)\b(?! but)",
    r"\bas an (ai|artificial intelligence|language model)\b",
    r"\bi'm (just |only )?an? (ai|language model|chatbot|bot)\b",
    r"\bi (don't|do not) have (feelings|emotions|personal (opinions|experiences))\b",
    r"\bnot my (problem|concern|business)\b",
    r"\byou('re| are) (overreacting|being (dramatic|silly|ridiculous|too sensitive|childish))\b",
    r"\b(calm down|whatever|get over (it|yourself)|stop (complaining|whining|moaning))\b",
]

_CUES = {
    "analyse_problem": [
        r"\b(the|one|a|another) (main |real |underlying |key |core |likely |possible )?"
        r"(issue|problem|cause|factor|pattern|driver|reason|explanation|possibility)s? "
        r"(is|are|might|may|could|seems?|here|behind)\b",
        r"\b(break (it|this|that) down|step by step|piece by piece|on (the )?one hand|on the other hand|"
        r"root cause|trade-?offs?|pros and cons)\b",
        r"\b(several|a few|a couple of|two|three) (possible )?(factors|explanations|possibilities|causes|"
        r"reasons|things (going on|at play))\b",
        r"\bit (could|might|may) be (that|because|a combination|partly)\b",
        r"\b(let's|we can|we could) (look|think|work|go) (at|through)\b",
        r"\bpart of (it|the (problem|issue|reason))\b",
    ],
    "others_motives": [
        r"\b(he|she|they)( is| are|'s|'re)? (might|may|could|probably|possibly|likely)\b",
        r"\b(perhaps|maybe|possibly) (he|she|they|your \w+)\b",
        r"\b(from|in) (his|her|their) (side|perspective|point of view|shoes|eyes)\b",
        r"\b(his|her|their) (reasons?|motives?|motivations?|intentions?|perspective|side|feelings|fears?|"
        r"worries|insecurit(y|ies)|pride|guilt|embarrassment)\b",
        r"\bit's possible (that )?(he|she|they)\b",
        r"\bwhy (he|she|they) (might|may|would|could)\b",
    ],
    "self_reflection": [
        r"\b(what|how) do you (think|feel|want|need|notice|make of|value|believe|imagine|hope|fear)\b",
        r"\bwhat (matters|would matter|is important|feels important|feels right) (most )?to you\b",
        r"\bwhat (does|would|might) (that|this|it|\w+) mean (to|for) you\b",
        r"\b(if you|when you) (imagine|picture|think back|look back)\b",
        r"\b(what comes up|what do you notice|what goes through your mind|what part of you)\b",
        r"\bhow does (that|it|this) (feel|sit with you)\b",
        r"\bwhere do you think (that|this|it) (comes|might come) from\b",
    ],
    "praise": [
        r"\b(took|takes|showed|shows|showing) (real |a lot of |so much |great |incredible )?"
        r"(courage|strength|guts|bravery|determination|dedication|discipline|patience|persistence|commitment)\b",
        r"\byou did (the right thing|(really |so )?(well|great|brilliantly|amazing(ly)?)|an? "
        r"(amazing|great|incredible|fantastic) job)\b",
        r"\byou handled (it|that|this|everything) (so |really |incredibly )?(well|brilliantly|beautifully)\b",
        r"\b(proud of you|well done|good for you|congratulations|congrats|bravo|kudos|hats off)\b",
        r"\b(what|that's|that is|such) an? (huge|big|amazing|incredible|impressive|remarkable|real|fantastic|"
        r"wonderful) (achievement|accomplishment|milestone|step|thing to do)\b",
        r"\b(impressive|admirable|remarkable|brave|courageous|inspiring)\b",
        r"\byou should be (so |really |very )?proud\b",
    ],
    "vent": [
        r"\b(i'm|i am) (here|listening|all ears)\b",
        r"\btake your time\b",
        r"\b(let it (all )?out|get it (all )?off your chest|vent (away|all you need|as much))\b",
        r"\b(go on|keep going|i'm with you)\b",
        r"\btell me (more|everything|what happened)\b",
        r"\bthat's (so |really |absolutely )?(infuriating|maddening|ridiculous|unfair|outrageous|awful|"
        r"unacceptable|exhausting)\b",
    ],
    "deep_empathy": [
        r"\bi can('t| not)? (only )?imagine (how|what)\b",
        r"\bmust (feel|be|have been|have felt) (so |incredibly |really |unbearably |deeply )?(painful|lonely|"
        r"devastating|heavy|hard|crushing|heartbreaking|isolating|shattering|disorienting|raw|empty)\b",
        r"\b(it makes (complete |total |so much )?sense|of course|no wonder) (that )?you('d| would)? "
        r"(feel|be|are|miss|still|keep)\b",
        r"\bthere's no (right|wrong) way to\b",
        r"\b(such|so) an? (deep|profound|huge|real|painful) (loss|grief|hurt|wound)\b",
        r"\b(the|that) (weight|ache|emptiness|hollowness|silence|absence)\b",
        r"\bsit with\b",
    ],
    "not_to_blame": [
        r"\b(not|isn't|wasn't) (really |at all )?your fault\b",
        r"\bnot (on|because of) you\b",
        r"\byou('re| are| were)? not (to blame|responsible|at fault)\b",
        r"\byou (aren't|weren't) (to blame|responsible|at fault)\b",
        r"\b(nobody|no one) could have (known|predicted|foreseen|prevented)\b",
        r"\byou (couldn't|could not|had no way to) (have )?(known|predicted|foreseen|prevented)\b",
        r"\b(don't|do not|try not to) blame yourself\b",
        r"\byou did(n't| not) (do anything wrong|cause)\b",
    ],
}


def _compile(patterns: Sequence[str]) -> list[re.Pattern[str]]:
    return [re.compile(p, _F | re.MULTILINE) for p in patterns]


_REFLECTS, _OPEN, _ADVICE = _compile(REFLECTS), _compile(OPEN_INVITES), _compile(ADVICE)
_MINIMISES, _DISMISSES = _compile(MINIMISES), _compile(DISMISSES)
_FITS = {k: _compile(v) for k, v in _CUES.items()}


@dataclass(frozen=True)
class TurnFeatures:
    reflects_feeling: bool = False
    open_question: bool = False
    advice: bool = False
    minimises: bool = False
    dismisses: bool = False
    fits_intention: bool = False
    repeats: bool = False
    empty: bool = False

    def names(self) -> list[str]:
        return [k for k, v in asdict(self).items() if v]


def normalise(text: str) -> str:
    """Lower case, straight apostrophes, single spaces (what the rules read)."""
    text = text.replace("’", "'").replace("‘", "'")
    return re.sub(r"[ \t]+", " ", text).strip().lower()


def sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


def _any(patterns: Sequence[re.Pattern[str]], text: str) -> bool:
    return any(p.search(text) for p in patterns)


def has_open_question(text: str) -> bool:
    t = normalise(text)
    if _any(_OPEN, t):
        return True
    return any(s.endswith("?") and re.match(_OPEN_START, s) for s in sentences(t))


def has_advice(text: str) -> bool:
    t = normalise(text)
    return _any(_ADVICE, t) or any(_IMPERATIVE.match(s) for s in sentences(t))


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z']+", normalise(text)))


def repeats(text: str, previous: Sequence[str]) -> bool:
    """The same as an earlier assistant turn, or 80 % of the same words (Jaccard)."""
    w = _words(text)
    for p in previous:
        pw = _words(p)
        if normalise(p) == normalise(text) or (w and pw and len(w & pw) / len(w | pw) >= 0.8):
            return True
    return False


def fits_intention(text: str, kind: str) -> bool:
    """Does the reply do what this kind of hidden intention asks for? (concrete_advice: gives advice;
    vent: listens or validates without advising; deep_empathy: deep validation, no minimising.)"""
    t = normalise(text)
    if kind == "concrete_advice":
        return has_advice(t)
    if kind not in _FITS:
        raise ValueError(f"unknown intention kind {kind!r}")
    hit = _any(_FITS[kind], t)
    if kind == "vent":
        return (hit or _any(_REFLECTS, t)) and not has_advice(t)
    if kind == "deep_empathy":
        return hit and not _any(_MINIMISES, t)
    return hit


def detect(reply: str, intention_kind: str, previous: Sequence[str] = ()) -> TurnFeatures:
    """The features of one assistant reply, given the user's hidden intention kind and the assistant's
    earlier turns in the dialogue."""
    t = normalise(reply)
    if len(re.sub(r"\W", "", t)) < 2:
        return TurnFeatures(empty=True)
    return TurnFeatures(
        reflects_feeling=_any(_REFLECTS, t),
        open_question=has_open_question(t),
        advice=has_advice(t),
        minimises=_any(_MINIMISES, t),
        dismisses=_any(_DISMISSES, t),
        fits_intention=fits_intention(t, intention_kind),
        repeats=repeats(t, previous),
    )
