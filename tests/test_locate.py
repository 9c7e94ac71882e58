"""Tests for sovbook.locate: matching, page locators (ciliga), section/paragraph locators (el-
emary)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sovbook import sources
from sovbook.locate import Locator, QuoteNotFound, locate, locate_all, normalise

ROOT = Path(os.environ.get("SOVBOOK_ROOT") or Path(__file__).resolve().parents[1]).resolve()


def loc(source_id: str, quote: str) -> Locator:
    return locate(source_id, quote, base=ROOT)


def raw(source_id: str) -> str:
    return sources.get(source_id, ROOT).text


def covered(lo: Locator) -> str:
    return raw(lo.source_id)[lo.start : lo.end]


# --------------------------------------------------------------------------
# normalise


def test_normalise_rules():
    assert normalise("  **Bold**\n\n*it*  text ") == "Bold it text"
    assert normalise("**\\*\\*\\*\\*\\***") == ""
    assert (
        normalise("### **Bureaucratic mode of production:**") == "Bureaucratic mode of production:"
    )
    assert normalise("Marxists <sup>(1)</sup>. Thus") == "Marxists. Thus"
    assert normalise("circles (122) had") == "circles had"
    assert (
        normalise("\u201cq\u201d \u2018a\u2019 \u201eb\u2033 x\u2013y\u2014z \u2026")
        == '"q" \'a\' "b" x-y-z ...'
    )
    assert normalise("formula : the land") == "formula : the land"  # punctuation kept
    assert normalise("Case KEPT") == "Case KEPT"


# --------------------------------------------------------------------------
# eyewitness: printed pages

PAGE_CASES = [
    # start -> (122): the excerpt starts on its stated first page
    (
        "With us, there are no more classes, but only different categories of citizens.",
        (121, 121),
        "p. 121",
    ),
    # (122) -> (124): the (123) marker is missing, so the markers allow pp. 122-123 and no more
    ("the land is ours and the wheat is theirs", (122, 123), "pp. 122\u2013123"),
    (
        "Let's try to penetrate a little further into the psychology of the Soviet worker.",
        (122, 123),
        "pp. 122\u2013123",
    ),
    (
        "What does the struggle lead to? What would be the point of a new revolution?",
        (122, 123),
        "pp. 122\u2013123",
    ),
    # (124) -> (125)
    ("He loved his job, was well paid and earned a lot of money", (124, 124), "p. 124"),
    # (125) -> (126): the translator's note 2 printed here is not a page end
    ("He could tell you for hours how the factory manager behaved", (125, 125), "p. 125"),
    ("His great originality, and what made him exceptional in my opinion", (125, 125), "p. 125"),
    # (126) -> (127)
    ("A new revolution needs a new program.", (126, 126), "p. 126"),
    # after (127): the last stated page, whatever the note printed there
    ("Russian workers want to go forward, not backward.", (127, 127), "p. 127"),
    ('France in the 19th century was "the country of revolutions".', (127, 127), "p. 127"),
    ("the masses in the social sphere...", (127, 127), "p. 127"),
]


@pytest.mark.parametrize("quote,pages,label", PAGE_CASES)
def test_page_intervals(quote, pages, label):
    lo = loc("ciliga", quote)
    assert lo.pages == pages
    assert lo.label == label
    assert lo.note is None and lo.section is None and lo.paragraph is None
    assert normalise(covered(lo)) == normalise(quote)


def test_quote_across_page_marker():
    lo = loc(
        "ciliga", "the working class circles had already during the Nep found the following formula"
    )
    assert lo.pages == (121, 123)
    assert lo.label == "pp. 121\u2013123"
    assert "(122)" in covered(lo)
    # the marker may also be quoted
    assert loc("ciliga", "the working class circles (122) had already").pages == (121, 123)


def test_quote_across_marker_union_of_intervals():
    lo = loc("ciliga", "for his followers. Now, Stalin was indeed one of his followers")
    assert lo.pages == (125, 126)
    assert "(126)" in covered(lo)


def test_quote_across_note_block():
    quote = (
        "But he himself did not know what should be put in the place of the present bureaucratic "
        "machine."
    )
    lo = loc("ciliga", quote)
    text = covered(lo)
    assert text.startswith("But he himself") and text.endswith("bureaucratic machine.")
    assert "Nickname given to Bielinsky" in text  # the note block lies inside the raw span
    assert lo.note is None
    assert lo.pages == (125, 125)


@pytest.mark.parametrize(
    "quote,note,pages,label",
    [
        (
            'The Central, that is to say the "central prison".',
            1,
            (122, 123),
            "pp. 122\u2013123, translator's note 1",
        ),
        (
            "Nickname given to Bielinsky by his friends",
            2,
            (125, 125),
            "p. 125, translator's note 2",
        ),
        (
            "It is known that the U.S.S.R. does not recognize the right to strike",
            3,
            (127, 127),
            "p. 127, translator's note 3",
        ),
        # note 3 is called on p. 126 but printed after the (127) marker: it is located where it
        # is printed
        # note 3 runs over two lines
        (
            "the right to strike to the worker. The Soviet state being by definition",
            3,
            (127, 127),
            None,
        ),
    ],
)
def test_eyewitness_notes(quote, note, pages, label):
    lo = loc("ciliga", quote)
    assert lo.note == note
    assert lo.pages == pages
    if label:
        assert lo.label == label


def test_body_searched_before_notes():
    lo = loc("ciliga", "central prison")  # in the body (p. 122) and in note 1
    assert lo.note is None and lo.pages == (122, 123)
    assert lo.start == raw("ciliga").index("central prison")


def test_no_match_from_note_into_body():
    with pytest.raises(QuoteNotFound):
        loc("ciliga", "(Translator's note.) What does the struggle lead to?")
    with pytest.raises(QuoteNotFound):
        loc("ciliga", "psychology of the Soviet worker. The Central, that is to say")


def test_first_occurrence():
    lo = loc("ciliga", "Krasnoyarsk")
    assert lo.start == raw("ciliga").index("Krasnoyarsk")


# --------------------------------------------------------------------------
# matching rules


def test_whitespace_and_line_breaks():
    lo = loc("ciliga", "The lower strata of\n   Soviet  society are\tvery clearly aware ")
    assert covered(lo).startswith("The lower strata") and covered(lo).endswith("aware")
    assert "\n" in covered(lo)
    assert loc("ciliga", "the  Nep found the").pages == (122, 123)  # the text has two spaces
    assert loc("ciliga", "during the Nep found").pages == (122, 123)


@pytest.mark.parametrize(
    "source_id,variant,canonical",
    [
        (
            "ciliga",
            "\u2014 Now we are no longer workers but bosses.",
            "- Now we are no longer workers but bosses.",
        ),
        (
            "ciliga",
            "\u2013 Now we are no longer workers but bosses.",
            "- Now we are no longer workers but bosses.",
        ),
        (
            "ciliga",
            "similar to the \u201cfrenetic Vissarion\u201d, who so ardently",
            'similar to the "frenetic Vissarion", who so ardently',
        ),
        ("ciliga", "Let\u2019s try to penetrate", "Let's try to penetrate"),
        (
            "el-emary",
            "\u201cwages\u201d, bonuses, percentages of \u201cprofits\u201d",
            '"wages", bonuses, percentages of "profits"',
        ),
        (
            "el-emary",
            "the revolution will be proletarian \u2014 peasant at the same time",
            "the revolution will be proletarian - peasant at the same time",
        ),
        (
            "el-emary",
            "Russia was experiencing a very strong workers\u2019 movement",
            "Russia was experiencing a very strong workers' movement",
        ),
    ],
)
def test_typographic_variants(source_id, variant, canonical):
    """A typographic quote or dash matches the same place as its plain form, and the raw span
    found reads, once normalised, as the plain form (the text itself may use either)."""
    lo, plain = loc(source_id, variant), loc(source_id, canonical)
    assert (lo.start, lo.end, lo.label) == (plain.start, plain.end, plain.label)
    assert normalise(covered(lo)) == normalise(canonical)
    with pytest.raises(QuoteNotFound):  # and a variant that changes a letter still fails
        loc(source_id, variant.replace("o", "0", 1))


def test_punctuation_is_not_normalised_away():
    assert loc("ciliga", "following formula : the land is ours").pages == (122, 123)
    with pytest.raises(QuoteNotFound):
        loc("ciliga", "following formula: the land is ours")


def test_case_is_kept():
    with pytest.raises(QuoteNotFound):
        loc("ciliga", "russian workers want to go forward")


def test_no_match_inside_a_word():
    with pytest.raises(QuoteNotFound):
        loc("ciliga", "orkers want to go forward")


def test_plain_dots_are_literal():
    lo = loc(
        "ciliga", "Molotov, Ovchinikov (the dictator of Krasnoyarsk) .... The Krasnoyarsk railway"
    )
    assert "...." in covered(lo)
    with pytest.raises(QuoteNotFound):  # "..." is not an omission mark
        loc("ciliga", "Now we are no longer workers but bosses ... The Krasnoyarsk railway")


def test_one_word_changed_reports_nearest_passage():
    quote = "He made and saw no essential difference between the old and the young masters."
    with pytest.raises(QuoteNotFound) as info:
        loc("ciliga", quote)
    msg = str(info.value)
    assert "ciliga" in msg and "ciliga-russian-enigma-pp121-127.txt" in msg
    assert "the old and the young masters" in msg  # the quote
    assert "He made and saw no essential difference between the old and the new masters." in msg
    assert "p. 125" in msg


def test_not_found_in_note_reports_note():
    with pytest.raises(QuoteNotFound) as info:
        loc("el-emary", "Tony Cliff, State Capitalism in China")
    msg = str(info.value)
    assert "el-emary-failure-of-state-socialism-2020.md" in msg
    assert "Tony Cliff, State Capitalism in Russia" in msg
    assert "note 11" in msg


@pytest.mark.parametrize("quote", ["", "   ", "ab", "a b", "\u2026", "We will \u2026 ab"])
def test_too_short(quote):
    with pytest.raises(ValueError):
        loc("ciliga", quote)


def test_unknown_source():
    with pytest.raises(KeyError):
        loc("nobody", "some quote")


# --------------------------------------------------------------------------
# ellipsis


@pytest.mark.parametrize("mark", ["\u2026", "[...]", "[\u2026]", " [ ... ] "])
def test_ellipsis_in_order(mark):
    quote = f"Now we are no longer workers but bosses.{mark}The Krasnoyarsk railway workers"
    lo = loc("ciliga", quote)
    text = covered(lo)
    assert text.startswith("Now we are") and text.endswith("workers")
    assert lo.pages == (122, 123)


def test_ellipsis_across_pages_and_sections():
    lo = loc("ciliga", "In Siberia, I heard workers saying bluntly [...] Once is enough.")
    assert lo.pages == (122, 124) and lo.label == "pp. 122\u2013124"
    lo = loc(
        "el-emary",
        "The mode of production is [...] Despite the development of rapid means of production",
    )
    assert lo.section == "Bureaucratic mode of production"
    assert lo.label.startswith("\u00a7 Bureaucratic mode, \u00b6 1 to \u00a7 Disintegration")


@pytest.mark.parametrize("mark", ["\u2026", "[...]"])
def test_ellipsis_out_of_order(mark):
    quote = f"the present bureaucratic machine {mark} But he himself did not know"
    with pytest.raises(QuoteNotFound) as info:
        loc("ciliga", quote)
    msg = str(info.value)
    assert "part 2 of 2" in msg
    assert "But he himself did not know" in msg


def test_ellipsis_parts_must_not_overlap():
    with pytest.raises(QuoteNotFound):
        loc(
            "ciliga",
            "no longer workers but bosses [...] workers but bosses. The workers are Stalin",
        )


def test_ellipsis_part_missing():
    with pytest.raises(QuoteNotFound) as info:
        loc("el-emary", "The mode of production is [...] the social form of the social deficit")
    assert "part 2 of 2" in str(info.value)


# --------------------------------------------------------------------------
# El-Emary: sections and paragraphs

OPENING = "Failure of state socialism to achieve the goals of the revolution"
BUREAU = "Bureaucratic mode of production"
DISINT = "The disintegration and disintegration of the bureaucratic system"

PARA_CASES = [
    # paragraph 1 of the opening is the first paragraph after the byline and the author's note
    ("We will present this issue considering the Soviet Union as a model.", OPENING, 1),
    # split across a blank line: one paragraph
    (
        "That required the spreading of education to form sufficient administrative and "
        "technical cadres "
        "with a high degree of efficiency",
        OPENING,
        8,
    ),
    (
        "These are, in short, the social-political conditions of Russia before revolution",
        OPENING,
        10,
    ),
    ("This uneven and combined development of Russian economics and culture", OPENING, 11),
    (
        "Russia was experiencing a very strong workers' movement, having a well-organized "
        "political party",
        OPENING,
        11,
    ),
    # split across a blank line and a note block
    (
        "the revolution will be proletarian - peasant at the same time, in terms of its "
        "political content; "
        "bourgeois with socialist aspirations.",
        OPENING,
        13,
    ),
    (
        "confiscation of all the land), as well as the Bolshevik slogan: peace and an "
        "immediate ending of the war.",
        OPENING,
        15,
    ),
    ("At last, the workers could establish their authority in the cities.", OPENING, 16),
    (
        "Rather than making Russia a mere base of the international revolution as Lenin and "
        "Trotsky wanted",
        OPENING,
        31,
    ),
    (
        "At the end, the party structure reformed to match the regime of one party rule.",
        OPENING,
        32,
    ),
    ("The mode of production is - in broad terms", BUREAU, 1),
    (
        "As for the surplus, it was being distributed through mechanisms determined by the "
        "ruling elite",
        BUREAU,
        2,
    ),
    ('Everyone in the bureaucratic system received "wages"', BUREAU, 3),
    ("estimated to be 8-15 million people in 1942.", BUREAU, 6),
    ("Under this system, the working class can not be considered proletariat", BUREAU, 9),
    ("We call this the Modern Bureaucratic Mode of Production", BUREAU, 13),
    (
        "especially for machinery and equipment, arm industry in particular, was very "
        "concerned by the bureaucracy.",
        BUREAU,
        17,
    ),
    ("Despite the development of rapid means of production in the Soviet Union", DISINT, 1),
    ("under the effect of the communication revolution and the public access", DISINT, 2),
    ("The summary of this analysis is that", DISINT, 3),
    ("How can we imagine that this party state will be dissolved autonomously?", DISINT, 5),
    (
        "Would the bourgeoisie have achieved greater freedom, welfare, and development for "
        "those peoples? Maybe'",
        DISINT,
        8,
    ),
]


@pytest.mark.parametrize(
    "quote,name",
    [
        ("Adel El-Emary", "byline"),
        ("This is a chapter of my book: The Ongoing Revolution (in Arabic)", "author's note"),
    ],
)
def test_front_matter_is_not_numbered(quote, name):
    lo = loc("el-emary", quote)
    assert lo.section == OPENING and lo.paragraph is None
    assert lo.label == f"\u00a7 Opening, {name}"


@pytest.mark.parametrize("quote,section,paragraph", PARA_CASES)
def test_sections_and_paragraphs(quote, section, paragraph):
    lo = loc("el-emary", quote)
    assert lo.section == section
    assert lo.paragraph == paragraph
    assert lo.pages is None and lo.note is None
    assert lo.label.endswith(f", \u00b6 {paragraph}")
    assert lo.label.startswith("\u00a7 ")


def test_section_labels():
    assert (
        loc("el-emary", "The mode of production is").label == "\u00a7 Bureaucratic mode, \u00b6 1"
    )
    assert (
        loc("el-emary", "Despite the development of rapid means").label
        == "\u00a7 Disintegration, \u00b6 1"
    )
    assert loc("el-emary", "We will present this issue").label == "\u00a7 Opening, \u00b6 1"


def test_paragraph_range_label():
    lo = loc("el-emary", "one party rule. [...] The mode of production is")
    assert lo.paragraph == 32 and lo.section == OPENING
    assert lo.label == "\u00a7 Opening, \u00b6 32 to \u00a7 Bureaucratic mode, \u00b6 1"
    lo = loc(
        "el-emary",
        "This system, therefore, consisted of two classes [...] was not receiving a wage",
    )
    assert lo.label == "\u00a7 Bureaucratic mode, \u00b6 7\u20138" and lo.paragraph == 7


def test_paragraph_counts_per_section():
    """Each section's paragraphs, counted from 1 without the byline and the author's note (32,
    17, 8)."""
    from sovbook.locate import paragraphs

    counts: dict[str, int] = {}
    for para in paragraphs("el-emary", base=ROOT):
        if para.kind == "paragraph":
            counts[para.section] = max(counts.get(para.section, 0), para.number)
    assert counts == {OPENING: 32, BUREAU: 17, DISINT: 8}
    fronts = [p.name for p in paragraphs("el-emary", base=ROOT) if p.kind == "front matter"]
    assert fronts == ["byline", "author's note"]


def test_el_emary_notes():
    lo = loc("el-emary", "Tony Cliff")
    assert lo.note == 11
    assert lo.paragraph is None and lo.pages is None
    assert lo.section == BUREAU
    assert lo.label == "\u00a7 Bureaucratic mode, note 11"
    assert covered(lo) == "Tony Cliff"
    lo = loc("el-emary", "Letter from Marx to Editor of the Otecestvenniye Zapisky")
    assert lo.note == 1 and lo.section == OPENING
    assert loc("el-emary", "Ibid.").note == 12


def test_footnote_markers_removed():
    lo = loc(
        "el-emary", "which was taken for granted by Russian Marxists. Thus the role of peasants"
    )
    assert "<sup>(1)</sup>" in covered(lo)
    assert lo.paragraph == 12


def test_separator_is_not_a_paragraph():
    # the ***** line between these two paragraphs is not a paragraph, and it ends paragraph 19
    # although ¶ 19 and ¶ 20 are both bold
    assert (
        loc("el-emary", "the social structure of the Soviet Union began to being formed.").paragraph
        == 19
    )
    assert loc("el-emary", "The social transformations achieved by the revolution").paragraph == 20
    # markup vanishes in normalisation, so a quote may run over it (into the next paragraph)
    lo = loc("el-emary", "began to being formed. The social transformations")
    assert lo.paragraph == 19
    assert lo.label.endswith("\u00b6 19\u201320")
    assert "\\*\\*" in covered(lo)


# --------------------------------------------------------------------------
# offsets and the convenience API


@pytest.mark.parametrize(
    "source_id,quote",
    [(s, q) for q, _, _ in PAGE_CASES for s in ["ciliga"]]
    + [("el-emary", q) for q, _, _ in PARA_CASES],
)
def test_offsets_cover_the_quote(source_id, quote):
    lo = loc(source_id, quote)
    words = normalise(quote).split()
    text = covered(lo)
    assert text.startswith(words[0].strip('"')) or text.startswith(words[0])
    assert text.endswith(words[-1]) or normalise(text).endswith(words[-1])
    if "---" not in text and "Translator's note" not in text:  # no note block cut out of the span
        assert normalise(text) == normalise(quote)
    else:
        assert len(normalise(text)) > len(normalise(quote))


def test_locate_all():
    locs = locate_all(
        "ciliga",
        ["What does the struggle lead to?", "A new revolution needs a new program."],
        base=ROOT,
    )
    assert [lo.pages for lo in locs] == [(122, 123), (126, 126)]


def test_locator_is_frozen():
    lo = loc("ciliga", "What does the struggle lead to?")
    from dataclasses import FrozenInstanceError

    with pytest.raises(FrozenInstanceError):
        lo.label = "x"  # type: ignore[misc]


def test_default_base_is_the_project_root(monkeypatch):
    monkeypatch.setenv("SOVBOOK_ROOT", str(ROOT))
    assert locate("ciliga", "What does the struggle lead to?").pages == (122, 123)


# --------------------------------------------------------------------------
# locator schemes as data: paragraphs, page stretches, malformed schemes


def test_excerpt_paragraphs_follow_the_line_rule():
    """The excerpt's paragraphs are reconstructed from its line breaks (a short line ending a
    sentence closes one; a dash opens one; a note ends one only after a finished sentence)."""
    from sovbook.locate import paragraphs

    paras = [p for p in paragraphs("ciliga", base=ROOT) if p.kind == "paragraph"]
    assert len(paras) == 30
    assert [p.number for p in paras] == list(range(1, 31))
    starts = {p.number: p.text[:40] for p in paras}
    assert starts[5] == "In Siberia, I heard workers saying bluntl"[:40]
    assert starts[16].startswith("What does the struggle lead to?")  # a new paragraph after note 1
    assert starts[21].startswith(
        "In fact, he was ready to sacrifice"
    )  # runs on across note 2, mid-sentence
    assert "the present bureaucratic machine" in paras[20].text
    assert paras[0].label == "p. 121, \u00b6 1" and paras[-1].label == "p. 127, \u00b6 30"
    notes = [p for p in paragraphs("ciliga", base=ROOT) if p.kind == "note"]
    assert [(n.note, n.pages, n.name) for n in notes] == [
        (1, (122, 123), "translator's note"),
        (2, (125, 125), "translator's note"),
        (3, (127, 127), "translator's note"),
    ]


def test_no_locator_runs_past_the_stated_pages():
    from sovbook.locate import page_segments, paragraphs

    for para in paragraphs("ciliga", base=ROOT):
        assert 121 <= para.pages[0] <= para.pages[1] <= 127, para
    stretches = page_segments("ciliga", base=ROOT)
    assert [s["label"] for s in stretches] == [
        "p. 121",
        "pp. 122\u2013123",
        "p. 124",
        "p. 125",
        "p. 126",
        "p. 127",
    ]
    assert [s["notes"] for s in stretches] == [[], [1], [], [2], [], [3]]


def test_printed_pages_counts_first_and_last():
    from sovbook import sources
    from sovbook.schemes import PageScheme

    assert PageScheme(first_page=121, last_page=127).printed_pages == 7
    assert PageScheme(first_page=5, last_page=5).printed_pages == 1
    assert sources.get("ciliga", base=ROOT).scheme.printed_pages == 7


def test_a_malformed_scheme_is_refused_naming_the_source(tmp_path):
    import json
    import shutil

    from sovbook.schemes import SchemeError

    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    meta = json.loads((tmp_path / "seeds" / "sources.json").read_text(encoding="utf-8"))
    meta["ciliga"]["locator"]["page_markers"] = meta["ciliga"]["locator"].pop(
        "page_marker"
    )  # a typo in a key
    (tmp_path / "seeds" / "sources.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(SchemeError, match=r"source 'ciliga'.*unknown key\(s\) \['page_markers'\]"):
        sources.load(tmp_path)
    meta["ciliga"]["locator"]["page_marker"] = meta["ciliga"]["locator"].pop("page_markers")
    meta["ciliga"]["locator"]["scheme"] = "chapters"
    (tmp_path / "seeds" / "sources.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(SchemeError, match="unknown scheme 'chapters'"):
        sources.load(tmp_path)
