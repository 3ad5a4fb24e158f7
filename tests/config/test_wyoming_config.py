"""A home speech server's address in the settings: accepted only inside the home, said plainly.

Pure parsing: no name is looked up and nothing is connected to (the addresses below are only
ever read, never dialled).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from voice_repair.config import describe, load_config, load_config_with_sources
from voice_repair.errors import ConfigError
from voice_repair.homenet.address import home_problem, is_home_ip, parse_uri


@pytest.fixture(autouse=True)
def xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path


def _file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(body, encoding="utf-8")
    return path


HOME = [
    "127.0.0.1", "127.8.9.10", "::1", "10.0.0.5", "172.16.0.1", "172.31.255.254",
    "192.168.1.20", "169.254.3.4", "fd12:3456::1", "fe80::1%eth0", "::ffff:192.168.1.2",
]  # fmt: skip
OUTSIDE = ["8.8.8.8", "172.32.0.1", "100.64.0.1", "192.169.0.1", "2001:db8::1", "1.1.1.1"]


@pytest.mark.parametrize("ip", HOME)
def test_home_addresses_are_accepted(ip):
    assert is_home_ip(ip) and home_problem(ip) is None


@pytest.mark.parametrize("ip", OUTSIDE)
def test_other_addresses_are_not_home(ip):
    assert not is_home_ip(ip)
    assert "internet" in (home_problem(ip) or "")


def test_only_home_names_pass_without_a_lookup():
    for name in ("localhost", "homeassistant.local", "nas.lan", "pi.home.arpa", "NAS.LOCAL."):
        assert home_problem(name) is None, name
    for name in ("nas", "example.com", "local.example.com", "lan.evil.org"):
        assert "may lead outside the home" in (home_problem(name) or ""), name


def test_uri_shape():
    assert str(parse_uri("tcp://192.168.1.20:10300")) == "192.168.1.20:10300"
    assert str(parse_uri("tcp://[fd00::2]:10300")) == "[fd00::2]:10300"
    for bad in ("192.168.1.20:10300", "http://nas.local:10300", "tcp://nas.local",
                "tcp://nas.local:99999", "tcp://nas.local:10300/x", "tcp://:10300"):  # fmt: skip
        with pytest.raises(ValueError, match="tcp://HOST:PORT"):
            parse_uri(bad)


def test_off_unless_configured_and_saying_so():
    config = load_config()
    assert config.recognition.engine == "auto" and config.recognition.uri is None
    assert "Nothing anyone says leaves this speaker" in describe(config)


def test_a_home_server_is_accepted_and_config_says_where_words_go(tmp_path):
    path = _file(tmp_path, '[recognition]\nengine = "wyoming"\nuri = "tcp://nas.local:10300"\n')
    config, sources = load_config_with_sources(path)
    assert config.recognition.uri == "tcp://nas.local:10300"
    shown = describe(config, sources)
    assert "travels over the home network" in shown and "tcp://nas.local:10300" in shown
    assert 'uri = "tcp://nas.local:10300"' in shown and f"{path}:3" in shown


def test_an_address_outside_the_home_is_refused_with_its_line(tmp_path):
    path = _file(tmp_path, '[recognition]\nengine = "wyoming"\n\nuri = "tcp://203.0.113.9:10300"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    text = str(caught.value)
    assert f"{path}:4: recognition.uri: 203.0.113.9 is an address on the internet" in text
    assert "allow_remote = true" in text and "leave the house" in text


def test_allow_remote_is_the_users_own_choice(tmp_path):
    body = '[recognition]\nengine = "wyoming"\nuri = "tcp://asr.example.com:10300"\n'
    with pytest.raises(ConfigError, match="may lead outside the home"):
        load_config(_file(tmp_path, body))
    config = load_config(_file(tmp_path, body + "allow_remote = true\n"))
    assert config.recognition.allow_remote
    assert "perhaps outside the home" in describe(config)


def test_wyoming_without_an_address_or_with_a_bad_one(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_config(_file(tmp_path, '[recognition]\nengine = "wyoming"\n'))
    assert f"{tmp_path / 'config.toml'}:2: recognition.engine" in str(caught.value)
    assert 'uri = "tcp://HOST:10300"' in str(caught.value)
    with pytest.raises(ConfigError, match=r"command line: recognition.uri: 'nas.local:10300'"):
        load_config(None, {"recognition.engine": "wyoming", "recognition.uri": "nas.local:10300"})


def test_the_voice_server_follows_the_same_rule(tmp_path):
    ok = load_config(_file(tmp_path, '[voice]\nvoice = "wyoming"\nuri = "tcp://[fd00::5]:10200"\n'))
    assert ok.voice.uri == "tcp://[fd00::5]:10200"
    with pytest.raises(ConfigError) as caught:
        load_config(None, {"voice.voice": "wyoming", "voice.uri": "tcp://198.51.100.7:10200"})
    assert "command line: voice.uri: 198.51.100.7 is an address on the internet" in str(
        caught.value
    )
    assert "What the assistant says would leave the house" in str(caught.value)
    with pytest.raises(ConfigError, match=r"voice.voice: \"wyoming\" needs .*10200"):
        load_config(None, {"voice.voice": "wyoming"})
