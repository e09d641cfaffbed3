"""Typed settings from HOTLINE_* environment variables or a .env file."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.services.hours import DEFAULT_HOURS, ServiceHours


class Settings(BaseSettings):
    """Everything has a default, so the embedded mode runs with nothing set."""

    model_config = SettingsConfigDict(
        env_prefix="HOTLINE_", env_file=".env", extra="ignore", frozen=True
    )

    var_dir: Path = Path("var")
    database_url: str = ""
    secret_keys: SecretStr = SecretStr("")
    default_locale: str = "vi"
    timezone: str = "Asia/Ho_Chi_Minh"
    service_hours: str = DEFAULT_HOURS
    """When caseworkers answer, e.g. "Mon-Fri 07:30-17:00" in `timezone`; outside, 111."""
    province_code: str = Field(default="HP", pattern=r"^[A-Z]{2,3}$")
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str | None = None
    """Where people reach this service's web server (e.g. https://hotline.example.vn), for
    links in caseworkers' alerts; unset, the host and port it listens on."""
    web_api_docs: bool = False
    """/openapi.json and /docs describe every route (the webhook too): off unless wanted."""

    telegram_token: SecretStr | None = None
    telegram_api_base: str = "https://api.telegram.org"
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    media_max_bytes: int = Field(default=10 * 1024**2, gt=0)
    """Voice notes, photos and files above this are neither fetched nor stored (Telegram
    lets a bot fetch up to 20 MB)."""

    zalo_app_id: str | None = None
    zalo_app_secret: SecretStr | None = None
    zalo_oa_secret_key: SecretStr | None = None
    zalo_access_token: SecretStr | None = None
    zalo_refresh_token: SecretStr | None = None
    zalo_api_base: str = "https://openapi.zalo.me"
    zalo_oauth_base: str = "https://oauth.zaloapp.com"

    redis_url: str | None = None

    console_https: bool = False
    """The console is reached over HTTPS through a proxy: its cookies are Secure even when the
    proxy speaks plain HTTP to us (direct HTTPS requests get Secure cookies anyway)."""
    console_session_hours: float = Field(default=12.0, gt=0, le=24 * 14)
    """How long a console login lasts."""
    console_wait_minutes: int = Field(default=15, ge=1)
    """Service level: a case waiting (or unanswered) longer than this is highlighted."""
    console_login_limit: str = "5/15minutes"
    """Login attempts allowed per account and, times six, per address (limits' notation)."""

    @field_validator("service_hours")
    @classmethod
    def _hours_readable(cls, value: str) -> str:
        """A mistake in the hours fails at start, not when someone asks for a person."""
        ServiceHours.parse(value)
        return value

    @cached_property
    def hours(self) -> ServiceHours:
        """The service hours, parsed, in the service's time zone."""
        return ServiceHours.parse(self.service_hours, self.timezone)

    @cached_property
    def db_url(self) -> str:
        """The configured database, or the embedded SQLite file under var/."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.var_dir / 'hotline.sqlite3').resolve()}"

    @property
    def console_base(self) -> str:
        """The start of every console link sent out of the console, without a trailing slash."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def secret_key_list(self) -> list[str]:
        """Keys in order; the first encrypts, all decrypt (rotation)."""
        raw = self.secret_keys.get_secret_value()
        return [k.strip() for k in raw.split(",") if k.strip()]
