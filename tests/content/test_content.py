"""The spoken content follows the rules of ../shared/CONTENT.md, and the checker catches breakage.

The first half reads the real data under intents/en/responses/ as a listener would hear it; the
second half writes broken copies into tmp_path and asserts the exact ``file:line`` problems.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from voice_repair.content.loader import check_content, load_content
from voice_repair.content.rules import FAMILY_MINIMUMS, MAX_WORDS, REPLY_RULES
from voice_repair.errors import ConfigError, IntentDataError
from voice_repair.speech.markup import Silence, parse, spoken_words

REPO = Path(__file__).resolve().parents[2]
ROOT = REPO / "intents" / "en"
SOURCE = REPO.parent / "shared" / "source"

BOTH = re.compile(r"\b(both|each of you|one of you|either of you|together|each other)\b", re.I)


@pytest.fixture(scope="module")
def content():
    return load_content(ROOT)


def sample_values(key: str) -> dict[str, str]:
    """A plausible value for every placeholder the key may use."""
    samples = {"minutes": "twenty minutes", "remaining": "about seven minutes", "count": "2"}
    samples |= {"time": "eight o'clock", "n": "two", "m": "ten", "duration": "seven minutes"}
    samples |= {"hour": "eight", "minute": "thirty", "support_contact_sentence": ""}
    samples |= {"support_contact": "Riverside Counseling", "offer": "eight tomorrow evening"}
    samples |= {"when": "eight o'clock this evening"}
    if key.endswith("out_of_range"):
        samples["minutes"] = "500"  # the refusals get the bare number that was asked for
    return {name: samples.get(name, "") for name in REPLY_RULES[key].allowed}


# --- the real data -------------------------------------------------------------------------------


def test_real_data_has_no_problems():
    assert [str(p) for p in check_content(ROOT)] == []


def test_every_reply_variant_renders_and_is_speakable(content):
    for key in REPLY_RULES:
        for pick in range(content.variants(key)):
            text = content.line(key, pick, **sample_values(key))
            assert "{" not in text and "}" not in text, (key, text)
            words = len(spoken_words(text))
            # The safety line carries four full phone routes (about 34 words on their own), so
            # it may run a little longer once they are filled in; every other line stays short.
            limit = MAX_WORDS + 15 if key == "safety" else MAX_WORDS
            assert 0 < words <= limit, (key, pick, words)


def test_line_rotates_through_the_variants(content):
    n = content.variants("pause.nudge")
    assert n >= 3
    heard = [content.line("pause.nudge", pick) for pick in range(n)]
    assert len(set(heard)) == n
    assert content.line("pause.nudge", n) == heard[0]  # wraps around


def test_pause_started_reads_back_the_length_and_how_to_get_more(content):
    for pick in range(content.variants("pause.started")):
        text = content.line("pause.started", pick, minutes="twenty minutes")
        assert "twenty minutes" in text
        assert "five more minutes" in text
        assert "back" in text  # the promise to call them back


def test_every_family_has_enough_items_for_several_in_a_row(content):
    assert set(content.families()) == set(FAMILY_MINIMUMS)
    for family, minimum in FAMILY_MINIMUMS.items():
        items = content.script(family)
        assert len(items) >= minimum, family
        assert len(set(items)) == len(items), f"{family} repeats an item"


def test_validation_examples_never_say_but(content):
    for item in content.script("repair.validate"):
        assert "but" not in spoken_words(item), item


def test_script_steps_stay_short(content):
    for family in content.families():
        for item in content.script(family):
            # Each step (between the one-second joins) is one breath of reading.
            for step in item.split(" [1s] "):
                assert len(spoken_words(step)) <= MAX_WORDS, (family, step)


def test_grounding_sequences_carry_real_silences(content):
    for item in content.script("ground"):
        silences = [s.seconds for s in parse(item) if isinstance(s, Silence)]
        # More than the one-second joins between steps: real breathing-length pauses.
        assert sum(silences) >= 15, item
        assert max(silences) >= 4, item


def test_multi_step_items_are_joined_with_a_short_silence(content):
    first = content.script("ground")[0]
    assert " [1s] " in first
    assert first.startswith("Let's slow down together.")


def test_invitations_back_speak_to_both_partners(content):
    for item in content.script("reentry") + content.script("repair.learn"):
        assert BOTH.search(item), item
    for key in ("reminder.due", "pause.started", "pause.reminder", "pause.status_ringing"):
        for pick in range(content.variants(key)):
            assert BOTH.search(content.line(key, pick, **sample_values(key))), (key, pick)


def test_reentry_suggests_a_first_sentence(content):
    for item in content.script("reentry"):
        assert re.search(r"(say|with|example|like): [A-Z]", item), item


SAFETY_KEYS = [k for k in REPLY_RULES if k.startswith("safety.")]


def test_safety_sentences_carry_no_digits_and_no_pause(content):
    for key in SAFETY_KEYS:
        for pick in range(content.variants(key)):
            text = content.line(key, pick)
            assert not re.search(r"\d", text)  # numbers are words, read digit by digit
            assert "pause" not in text.lower() and "breathe" not in text.lower()


def test_every_country_has_lines_and_the_settings_accept_exactly_those():
    from voice_repair.config.settings import COUNTRIES

    content = load_content(ROOT)
    assert content.table is not None
    assert tuple(content.table.countries) == COUNTRIES
    assert content.chosen is not None and content.chosen.country == "US"
    us = content.contacts
    assert us["emergency_number"] == "nine one one" and "nine eight eight" in us["crisis_line"]
    assert "seven nine nine, seven two three three" in us["dv_hotline"]
    assert us["dv_text"] == "text START to eight eight seven eight eight"


def test_a_country_picks_all_its_lines_at_once():
    gb = load_content(ROOT, country="GB")
    assert gb.contacts["emergency_number"] == "nine nine nine"
    assert "Samaritans" in gb.contacts["crisis_line"] and gb.contacts["dv_text"] == ""
    assert gb.chosen is not None and gb.chosen.sources["crisis_line"] == "GB lines in contacts.yaml"
    one = load_content(ROOT, {"crisis_line": "Shout, text 85258"}, country="GB")
    assert one.contacts["crisis_line"] == "Shout, text eight five two five eight"
    assert one.contacts["emergency_number"] == "nine nine nine"


def test_an_override_without_a_country_is_said_alone():
    content = load_content(ROOT, {"emergency_number": "112", "crisis_line": "Samaritans, 116 123"})
    assert content.line("safety.emergency") == "If anyone is in danger right now, call one one two."
    assert content.contacts["crisis_line"] == "Samaritans, one one six, one two three"
    assert content.contacts["dv_hotline"] == content.contacts["dv_text"] == ""
    assert content.chosen is not None and content.chosen.country is None


def test_an_unknown_country_is_refused_naming_the_known_ones():
    with pytest.raises(ConfigError, match=r"'XX' has no contact lines; use one of US, GB, IE"):
        load_content(ROOT, country="XX", contact_sources={"contacts.country": "c.toml:3"})


def test_support_mentions_a_local_contact_only_when_configured():
    plain = load_content(ROOT).line("support")
    assert "therap" in plain and "  " not in plain and not plain.endswith(" ")
    local = load_content(ROOT, {"support_contact": "Riverside Counseling at 555-0134"})
    text = local.line("support")
    assert "Riverside Counseling at five five five, zero one three four" in text
    assert text.startswith(plain.split(".")[0])


@pytest.mark.parametrize(
    ("overrides", "says"),
    [
        ({"ambulance": "112"}, "unknown contact 'ambulance'"),
        ({"emergency_number": " "}, "cannot be empty"),
        ({"crisis_line": 988}, "must be text"),
    ],
)
def test_bad_contact_overrides_are_refused_clearly(overrides, says):
    with pytest.raises(ConfigError, match=says):
        load_content(ROOT, overrides)


def _eight_word_runs(text: str) -> set[tuple[str, ...]]:
    words = [w.strip("'") for w in re.findall(r"[a-z0-9']+", text.lower().replace("’", "'"))]
    words = [w for w in words if w]
    return {tuple(words[i : i + 8]) for i in range(len(words) - 7)}


def _copied(responses: Path) -> dict[str, list[str]]:
    """Runs of 8+ words each data file shares with the source article (comments ignored)."""
    if not SOURCE.is_dir():
        pytest.skip(f"source article folder {SOURCE} is absent (CI has ../shared beside the clone)")
    source: set[tuple[str, ...]] = set()
    for path in SOURCE.glob("*.txt"):
        source |= _eight_word_runs(path.read_text(encoding="utf-8"))
    assert source, "no source text found"
    found = {}
    for path in sorted(responses.glob("*.yaml")):
        lines = path.read_text(encoding="utf-8").splitlines()
        spoken = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
        found[path.name] = [" ".join(run) for run in _eight_word_runs(spoken) & source]
    return found


def test_no_sentence_is_copied_from_the_source_article():
    copied = _copied(ROOT / "responses")
    assert set(copied) == {"replies.yaml", "scripts.yaml", "contacts.yaml"}
    assert copied == {name: [] for name in copied}


def test_the_copy_check_finds_a_copied_example(tmp_path):
    (tmp_path / "scripts.yaml").write_text(
        'repair.validate:\n  - "Try: I can understand why you felt hurt, and I see why that was '
        'hard for you."\n',
        encoding="utf-8",
    )
    assert _copied(tmp_path)["scripts.yaml"]  # the article's own example, word for word


# --- broken copies: the checker names file and line ----------------------------------------------


@pytest.fixture
def broken(tmp_path):
    """A copy of the real data to break, and a helper that edits one file and returns its path."""
    shutil.copytree(ROOT / "responses", tmp_path / "responses")

    def edit(name: str, old: str, new: str) -> Path:
        path = tmp_path / "responses" / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"fixture text not found in {name}: {old!r}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return path

    return tmp_path, edit


def named(path: Path) -> str:
    """A data file as problems name it: from the intents folder on (``intents/en/responses/x``)."""
    return str(path.relative_to(path.parents[3]))


def line_with(path: Path, needle: str) -> int:
    """1-based number of the line holding ``needle``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def problems(root: Path) -> list[str]:
    return [str(p) for p in check_content(root)]


def test_but_in_a_validation_line_is_caught(broken):
    root, edit = broken
    path = edit("scripts.yaml", "of course you were angry.", "of course you were angry, but still.")
    line = line_with(path, "angry, but still")
    assert any(p.startswith(f"{named(path)}:{line}: ") and '"but"' in p for p in problems(root))


def test_a_seventy_word_item_is_caught(broken):
    root, edit = broken
    long = " ".join(["Hold hands for a while."] * 14)  # 70 words
    old = '"One idea: send a kind message later today. A single warm line is enough."'
    path = edit("scripts.yaml", old, f'"{long}"')
    line = line_with(path, "Hold hands for")
    assert f"{named(path)}:{line}: 70 spoken words" in "\n".join(problems(root))


def test_an_unknown_placeholder_is_caught(broken):
    root, edit = broken
    path = edit("replies.yaml", "left in your pause.", "left in your {pauze}.")
    line = line_with(path, "{pauze}")
    found = problems(root)
    assert any(p.startswith(f"{named(path)}:{line}: unknown placeholder {{pauze}}") for p in found)
    assert any("{remaining}" in p for p in found if "{pauze}" in p)  # says what is allowed


def test_bad_yaml_is_reported_with_its_line(broken):
    root, edit = broken
    path = edit("replies.yaml", 'pause.none:\n  - "', 'pause.none:\n  - "broken\n   - "')
    found = problems(root)
    assert len(found) == 1 and found[0].startswith(f"{named(path)}:")
    assert "not valid YAML" in found[0]
    line = int(found[0].split(":")[1])
    assert line_with(path, "pause.none:") <= line <= line_with(path, "pause.none:") + 4


def test_a_missing_key_is_named(broken):
    root, edit = broken
    path = edit("replies.yaml", "pause.warning:", "pause.warnign:")
    found = problems(root)
    line = line_with(path, "pause.warnign:")
    assert any(p.startswith(f"{named(path)}:{line}: unknown key 'pause.warnign'") for p in found)
    assert f"{named(path)}:0: missing key 'pause.warning'" in "\n".join(found)


def test_a_malformed_silence_is_caught(broken):
    root, edit = broken
    path = edit(
        "scripts.yaml", "Listen for three sounds. [6s]", "Listen for three sounds. [6 secs]"
    )
    line = line_with(path, "[6 secs]")
    assert any(p.startswith(f"{named(path)}:{line}: malformed silence") for p in problems(root))


def test_too_few_items_and_a_missing_route_are_caught(broken):
    root, edit = broken
    path = edit("scripts.yaml", "repair.learn:", "repair.learn: []\nunused_learn:")
    replies = edit("replies.yaml", "at home, call {dv_hotline}.", "at home, call them.")
    found = "\n".join(problems(root))
    learn, route = line_with(path, "repair.learn:"), line_with(replies, "at home, call them.")
    assert f"{named(path)}:{learn}: repair.learn: expected a list" in found
    assert f"{named(replies)}:{route}: missing placeholder {{dv_hotline}}" in found


def test_digits_in_a_default_route_are_caught(broken):
    root, edit = broken
    path = edit("contacts.yaml", 'emergency_number: "nine one one"', 'emergency_number: "911"')
    line = line_with(path, 'emergency_number: "911"')
    expected = f"{named(path)}:{line}: US.emergency_number: write numbers"
    assert any(p.startswith(expected) for p in problems(root))


def test_missing_files_are_problems_not_crashes(tmp_path):
    found = problems(tmp_path)
    assert len(found) == 3
    assert all("cannot read file" in p for p in found)


def test_load_content_refuses_broken_data_listing_every_problem(broken):
    root, edit = broken
    edit("scripts.yaml", "of course you were angry.", "of course you were angry, but still.")
    edit("replies.yaml", "left in your pause.", "left in your {pauze}.")
    edit("replies.yaml", "pause.warning:", "pause.warnign:")
    with pytest.raises(IntentDataError) as caught:
        load_content(root)
    listed = str(caught.value)
    assert len(caught.value.problems) >= 4
    for what in ('"but"', "{pauze}", "unknown key 'pause.warnign'", "missing key 'pause.warning'"):
        assert what in listed
    assert "voice-repair check" in listed


@pytest.mark.parametrize(
    ("minutes", "said"),
    [
        (1, "one minute"),
        (20, "twenty minutes"),
        (30, "half an hour"),
        (60, "an hour"),
        (70, "an hour and ten minutes"),
        (90, "an hour and a half"),
        (135, "two hours and fifteen minutes"),
        (180, "three hours"),
    ],
)
def test_lengths_are_said_the_way_people_say_them(content, minutes, said):
    from voice_repair.skill.spoken import duration

    assert duration(content, minutes) == said


def test_a_handler_forgetting_a_value_gets_a_clear_error(content):
    with pytest.raises(KeyError, match=r"'pause.started' needs a value for \{minutes\}"):
        content.line("pause.started")
    with pytest.raises(KeyError, match=r"no reply 'pause\.startd'"):
        content.line("pause.startd")
    with pytest.raises(KeyError, match=r"no script family 'repair\.hug'"):
        content.script("repair.hug")
