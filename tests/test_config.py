"""One typed config: defaults, file, environment, clear errors (newsmon.config)."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from newsmon.cli import main
from newsmon.config import describe_settings, load_config
from newsmon.errors import ConfigError


def test_defaults_need_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = load_config(None, env={}).config
    assert config.store_url == "sqlite:///var/newsmon.db"
    assert config.timezone == "Europe/Berlin"


def test_home_from_environment(tmp_path: Path) -> None:
    config = load_config(None, env={"NEWSMON_HOME": str(tmp_path / "data")}).config
    assert config.store_url == f"sqlite:///{tmp_path / 'data' / 'newsmon.db'}"


def test_file_then_environment_override(tmp_path: Path) -> None:
    file = tmp_path / "newsmon.toml"
    file.write_text('database_url = "sqlite:///from-file.db"\n[smtp]\nhost = "mail.example"\nport = 2525\n')
    env = {
        "NEWSMON_CONFIG": str(file),
        "NEWSMON_SMTP__HOST": "127.0.0.1",
        "NEWSMON_DEDUP__NEAR_JACCARD": "0.75",
    }
    loaded = load_config(None, env=env)
    assert loaded.file == file
    assert loaded.config.database_url == "sqlite:///from-file.db"
    assert loaded.config.smtp.host == "127.0.0.1"
    assert loaded.config.smtp.port == 2525
    assert loaded.config.dedup.near_jaccard == 0.75
    assert (
        load_config(None, env={**env, "NEWSMON_DATABASE_URL": "sqlite:///env.db"}).config.database_url
        == "sqlite:///env.db"
    )


def test_unknown_key_names_key_and_file(tmp_path: Path) -> None:
    file = tmp_path / "newsmon.toml"
    file.write_text("[smtp]\nhots = 'x'\n")
    with pytest.raises(ConfigError) as error:
        load_config(file, env={})
    assert "smtp.hots" in str(error.value)
    assert str(file) in str(error.value)


def test_wrong_value_names_key_and_file(tmp_path: Path) -> None:
    file = tmp_path / "newsmon.toml"
    file.write_text("[smtp]\nport = 'twenty-five'\n")
    with pytest.raises(ConfigError, match=r"smtp\.port = 'twenty-five' in .*newsmon\.toml"):
        load_config(file, env={})


def test_wrong_environment_value_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="smtp.port.*NEWSMON_SMTP__PORT"):
        load_config(None, env={"NEWSMON_SMTP__PORT": "abc"})
    with pytest.raises(ConfigError, match="NEWSMON_SMTPHOST"):
        load_config(None, env={"NEWSMON_SMTPHOST": "x"})


def test_password_only_from_environment(tmp_path: Path) -> None:
    file = tmp_path / "newsmon.toml"
    file.write_text("[smtp]\npassword = 'hunter2'\n")
    with pytest.raises(ConfigError, match="environment"):
        load_config(file, env={})
    config = load_config(None, env={"NEWSMON_SMTP__PASSWORD": "hunter2"}).config
    assert config.smtp.password is not None
    assert config.smtp.password.get_secret_value() == "hunter2"
    assert "hunter2" not in repr(config)


def test_bad_toml_and_missing_file(tmp_path: Path) -> None:
    broken = tmp_path / "newsmon.toml"
    broken.write_text("[smtp\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(broken, env={})
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml", env={})


def test_every_setting_is_documented() -> None:
    rows = describe_settings()
    assert {"database_url", "smtp.host", "smtp.password", "dedup.near_jaccard", "import.max_bytes"} <= {
        r[0] for r in rows
    }
    assert all(description.strip() for *_, description in rows)


def test_cli_reports_config_error_in_one_line(tmp_path: Path) -> None:
    file = tmp_path / "newsmon.toml"
    file.write_text("[dedup]\nbands = 'many'\n")
    result = CliRunner().invoke(main, ["--config", str(file), "stats"], env={"NEWSMON_CONFIG": None})
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "dedup.bands" in result.output
    assert str(file) in result.output


def test_config_command_hides_the_password(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["config", "--json"], env={"NEWSMON_SMTP__PASSWORD": "hunter2", "NEWSMON_CONFIG": ""}
    )
    assert result.exit_code == 0, result.output
    assert "hunter2" not in result.output
    assert "NEWSMON_SMTP__PASSWORD" in result.output
