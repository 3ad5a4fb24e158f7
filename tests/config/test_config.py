"""Configuration: what a person writing config.toml sees, right and wrong."""

from __future__ import annotations

import tomllib
from dataclasses import fields, is_dataclass
from pathlib import Path

import pytest

from voice_repair.config import (
    Config,
    default_config_path,
    default_data_dir,
    describe,
    load_config,
    load_config_with_sources,
)
from voice_repair.errors import ConfigError

EXAMPLE = Path(__file__).resolve().parents[2] / "voice-repair.example.toml"


@pytest.fixture(autouse=True)
def xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Private XDG folders, so no test reads the real user's config."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path


def write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path | None = None, overrides: dict | None = None) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(path, overrides)
    return str(caught.value)


def test_no_file_at_the_default_place_gives_the_defaults(xdg: Path) -> None:
    config = load_config()
    assert config.pause.default_minutes == 20
    assert config.pause.nudges_at == (0.5,)
    assert config.reminders.evening_hour == 20
    assert config.recognition.wake_phrase is None
    assert config.debug_transcripts is False
    assert config.data_dir == xdg / "data" / "voice-repair"


def test_xdg_folders_follow_the_environment_and_ignore_relative_values(
    xdg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert default_config_path() == xdg / "config" / "voice-repair" / "config.toml"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/path")
    monkeypatch.setenv("HOME", str(xdg / "home"))
    assert default_data_dir() == xdg / "home" / ".local" / "share" / "voice-repair"


def test_the_file_at_the_default_place_is_read(xdg: Path) -> None:
    folder = xdg / "config" / "voice-repair"
    folder.mkdir(parents=True)
    write(folder, "[pause]\ndefault_minutes = 30\n")
    assert load_config().pause.default_minutes == 30


def test_settings_from_a_file_replace_only_what_they_name(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
language = "EN"
data_dir = "store"
[recognition]
engine = "pocketsphinx"
wake_phrase = "Hey   Compass"
[pause]
default_minutes = 30
nudges_at = [0.75, 0.25]
warning_minutes = 2
[contacts]
emergency_number = "112"
support_contact = ""
""",
    )
    config = load_config(path)
    assert config.pause.default_minutes == 30
    assert config.pause.nudges_at == (0.25, 0.75)
    assert config.pause.warning_minutes == 2.0
    assert isinstance(config.pause.warning_minutes, float)
    assert config.pause.repeat_count == 3  # untouched
    assert config.recognition.engine == "pocketsphinx"
    assert config.recognition.wake_phrase == "hey compass"
    assert config.language == "en"
    assert config.contacts.emergency_number == "112"
    assert config.contacts.support_contact is None
    assert config.data_dir == tmp_path / "store"  # relative to the file's folder


def test_command_line_overrides_win_over_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "[pause]\ndefault_minutes = 30\n")
    config, sources = load_config_with_sources(path, {"pause.default_minutes": 5})
    assert config.pause.default_minutes == 5
    assert sources["pause.default_minutes"] == "command line"


def test_a_pause_of_minus_five_minutes_names_key_line_and_range(tmp_path: Path) -> None:
    path = write(tmp_path, '# my settings\nlanguage = "en"\n\n[pause]\ndefault_minutes = -5\n')
    message = problems_of(path)
    assert f"{path}:5:" in message
    assert "pause.default_minutes" in message
    assert "-5" in message
    assert "1 to 180" in message


def test_unknown_key_suggests_the_closest_known_one(tmp_path: Path) -> None:
    path = write(tmp_path, "[pause]\nrepeat_cont = 2\n")
    message = problems_of(path)
    assert f"{path}:2:" in message
    assert "'pause.repeat_cont'" in message
    assert "did you mean 'repeat_count' in [pause]?" in message


def test_a_key_in_the_wrong_table_points_to_the_right_one(tmp_path: Path) -> None:
    path = write(tmp_path, "default_minutes = 10\n[voice]\nevening_hour = 21\n")
    message = problems_of(path)
    assert "did you mean 'default_minutes' in [pause]?" in message
    wanted = "unknown setting 'voice.evening_hour'; did you mean 'evening_hour' in [reminders]?"
    assert f"{path}:3: {wanted}" in message


def test_unknown_table_suggests_the_closest_table(tmp_path: Path) -> None:
    path = write(tmp_path, "[paus]\ndefault_minutes = 10\n")
    assert "did you mean the table [pause]?" in problems_of(path)


def test_wrong_types_are_named_with_what_is_allowed(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[voice]\nrate_wpm = "fast"\nvoice = "robot"\n[reminders]\nevening_hour = true\n'
        "[pause]\nrepeat_count = 2.5\nnudges_at = [0.5, 1.5]\n",
    )
    message = problems_of(path)
    assert message.startswith("5 problem(s)")
    assert (
        f'{path}:2: voice.rate_wpm: "fast" is not allowed; use a whole number from 80 to 400'
        in message
    )
    assert "without quotes" in message
    assert (
        f'{path}:3: voice.voice: "robot" is not allowed; use one of "auto", "espeak", "piper"'
        in message
    )
    assert f"{path}:5: reminders.evening_hour: true is not allowed" in message
    assert f"{path}:7: pause.repeat_count: 2.5" in message
    assert f"{path}:8: pause.nudges_at" in message


def test_a_table_written_as_a_value_is_explained(tmp_path: Path) -> None:
    path = write(tmp_path, "pause = 20\n")
    assert "'pause' must be a table: write [pause] on its own line" in problems_of(path)


def test_a_wake_phrase_must_be_a_few_words(tmp_path: Path) -> None:
    path = write(tmp_path, '[recognition]\nwake_phrase = "hey! compass"\n')
    message = problems_of(path)
    assert "recognition.wake_phrase" in message
    assert "one to four lower-case words" in message


def test_turn_names_are_two_names_or_none(tmp_path: Path) -> None:
    path = write(tmp_path, '[turns]\nnames = [" Sam ", "Alex  Lee"]\nturn_minutes = 5\n')
    turns = load_config(path).turns
    assert turns.names == ("Sam", "Alex Lee") and turns.turn_minutes == 5
    for bad in ('["Sam"]', '["Sam", 3]', '["Sam", ""]', '["Sam", "sam"]', '"Sam and Alex"'):
        message = problems_of(write(tmp_path, f"[turns]\nnames = {bad}\n"))
        assert "config.toml:2: turns.names" in message, bad
        assert 'two names in quotes, first speaker first, e.g. ["Sam", "Alex"]' in message
    assert "from 1 to 15" in problems_of(write(tmp_path, "[turns]\nturn_minutes = 20\n"))


def test_invalid_toml_reports_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "[pause]\ndefault_minutes = 20\nvoice = espeak\n")
    message = problems_of(path)
    assert f"{path}:3: not valid TOML" in message


def test_an_unfinished_file_points_at_its_end(tmp_path: Path) -> None:
    path = write(tmp_path, '[voice]\nvoice = "espeak\n')
    assert f"{path}:2: not valid TOML" in problems_of(path)


def test_a_missing_config_file_given_explicitly_is_an_error(tmp_path: Path) -> None:
    message = problems_of(tmp_path / "nope.toml")
    assert "nope.toml does not exist" in message
    assert "--config" in message


def test_bad_overrides_name_the_command_line() -> None:
    message = problems_of(None, {"pause.default_minutes": 0, "pause.lenght": 3})
    assert "command line: pause.default_minutes: 0 is not allowed" in message
    assert "command line: unknown setting 'pause.lenght'" in message


def test_describe_says_where_each_value_came_from_and_is_valid_toml(tmp_path: Path) -> None:
    path = write(tmp_path, "[pause]\n\ndefault_minutes = 25\n")
    config, sources = load_config_with_sources(path, {"voice.rate_wpm": 120})
    text = describe(config, sources)
    lines = {line.split("=")[0].strip(" #"): line for line in text.splitlines() if "=" in line}
    assert lines["default_minutes"].endswith(f"# from {path}:3")
    assert lines["rate_wpm"].endswith("# from command line")
    assert lines["evening_hour"].endswith("# from default")
    assert "(not set)" in lines["wake_phrase"]
    # The output is itself a config file that gives the same settings back.
    again = write(tmp_path, text, "again.toml")
    assert load_config(again) == config
    assert tomllib.loads(text)["pause"]["default_minutes"] == 25


def test_the_example_file_documents_every_setting_at_its_default(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert load_config(EXAMPLE) == Config()
    defaults = Config()
    for f in fields(defaults):
        value = getattr(defaults, f.name)
        names = [s.name for s in fields(value)] if is_dataclass(value) else [f.name]
        for name in names:
            assert f"{name} = " in text, f"{name} is missing from {EXAMPLE.name}"


def test_contacts_are_whole_spoken_phrases(tmp_path: Path) -> None:
    phrase = "the National Domestic Abuse Helpline on 0808 2000 247, free, day and night"
    path = write(tmp_path, f'[contacts]\ndv_hotline = "{phrase}"\ncrisis_line = ""\n')
    contacts = load_config(path).contacts
    assert contacts.dv_hotline == phrase
    assert contacts.crisis_line is None
    message = problems_of(None, {"contacts.dv_text": "x" * 201})
    assert "1 to 200 characters" in message
    assert "without quotes" not in message


def test_options_not_given_on_the_command_line_change_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, '[audio]\ninput_device = "USB"\n')
    config, sources = load_config_with_sources(path, {"audio.input_device": None})
    assert config.audio.input_device == "USB"
    assert sources["audio.input_device"] == f"{path}:2"


def test_an_unknown_country_is_named_with_its_line_and_the_known_ones(tmp_path: Path) -> None:
    path = write(tmp_path, '[contacts]\n\ncountry = "UK"\n')
    message = problems_of(path)
    assert (
        f'{path}:3: contacts.country: "UK" is not allowed; use one of "US", "GB", "IE"' in message
    )
    assert '"EU"' in message


def test_a_country_may_be_written_in_lower_case(tmp_path: Path) -> None:
    path = write(tmp_path, '[contacts]\ncountry = "gb"\n')
    assert load_config(path).contacts.country == "GB"
