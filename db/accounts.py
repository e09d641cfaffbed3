"""Console accounts and teams: caseworkers with argon2 password hashes, teams of communes."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import ROLES, Caseworker, KeyringEntry, Team, TeamCommune

SESSION_KEY_NAME = "console_session"
USERNAME_LENGTH = 64
MIN_PASSWORD = 10
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
"""Verified against when the account does not exist, so a login takes as long either way."""


class AccountError(ValueError):
    """A request the accounts refuse; the message says why in one sentence."""


@dataclass(frozen=True)
class Login:
    """A checked login: the account, or None, and whether its hash should be renewed."""

    account: Caseworker | None
    rehash: bool = False


def hash_password(password: str) -> str:
    """An argon2id hash with the library's current parameters."""
    return _hasher.hash(password)


class Accounts:
    """Caseworkers, teams and team communes; the caller owns the transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_caseworker(
        self, username: str, password: str, role: str, team: str, locale: str, now: datetime
    ) -> Caseworker:
        """Create an account; refused for a taken name, an unknown role or team, a weak password."""
        username = username.strip()
        if not username or len(username) > USERNAME_LENGTH or not username.isprintable():
            raise AccountError(f"the username must be 1 to {USERNAME_LENGTH} printable characters")
        if role not in ROLES:
            raise AccountError(f"the role must be one of {', '.join(ROLES)}")
        if locale not in ("vi", "en"):
            raise AccountError("the locale must be vi or en")
        if len(password) < MIN_PASSWORD:
            raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
        if await self._session.get(Team, team) is None:
            raise AccountError(f"there is no team {team!r}; create it with `hotline team add`")
        if await self.by_username(username) is not None:
            raise AccountError(f"the username {username!r} is taken")
        account = Caseworker(
            username=username, password_hash=hash_password(password), role=role, team=team,
            locale=locale, active=True, created_at=now,
        )  # fmt: skip
        self._session.add(account)
        await self._session.flush()
        return account

    async def by_username(self, username: str) -> Caseworker | None:
        """The account with this exact name."""
        found = await self._session.scalars(
            select(Caseworker).where(Caseworker.username == username.strip())
        )
        return found.first()

    async def get(self, account_id: int) -> Caseworker | None:
        """The account with this id."""
        return await self._session.get(Caseworker, account_id)

    async def check_login(self, username: str, password: str) -> Login:
        """The active account whose password this is, else Login(None), in similar time."""
        account = await self.by_username(username[:USERNAME_LENGTH])
        stored = account.password_hash if account is not None else _DUMMY_HASH
        try:
            _hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return Login(None)
        if account is None or not account.active:
            return Login(None)
        return Login(account, _hasher.check_needs_rehash(stored))

    async def set_password(self, account: Caseworker, password: str) -> None:
        """Store a new hash (also used to renew an old one after a login)."""
        account.password_hash = hash_password(password)

    async def team_members(self, team: str) -> list[Caseworker]:
        """Active accounts of one team, by name."""
        found = await self._session.scalars(
            select(Caseworker)
            .where(Caseworker.team == team, Caseworker.active.is_(True))
            .order_by(Caseworker.username)
        )
        return list(found)

    async def active(self) -> list[Caseworker]:
        """Every active account, by team then name (for assigning and transferring)."""
        found = await self._session.scalars(
            select(Caseworker)
            .where(Caseworker.active.is_(True))
            .order_by(Caseworker.team, Caseworker.username)
        )
        return list(found)

    async def teams(self) -> list[Team]:
        """Every team, by code."""
        return list(await self._session.scalars(select(Team).order_by(Team.code)))

    async def add_team(self, code: str, name: str, wards: list[str]) -> Team:
        """Create or rename a team; it answers for these communes (taken from other teams)."""
        code = code.strip().lower()
        if not code or len(code) > 32 or not code.replace("-", "").replace("_", "").isalnum():
            raise AccountError("the team code must be 1 to 32 letters, digits, - or _")
        if not name.strip() or len(name) > 120:
            raise AccountError("the team name must be 1 to 120 characters")
        team = await self._session.get(Team, code)
        if team is None:
            team = Team(code=code, name=name.strip())
            self._session.add(team)
        else:
            team.name = name.strip()
        await self._session.flush()
        for ward in wards:
            row = await self._session.get(TeamCommune, ward)
            if row is None:
                self._session.add(TeamCommune(ward_code=ward, team_code=code))
            else:
                row.team_code = code
        await self._session.flush()
        return team

    async def communes(self, team: str) -> list[str]:
        """The commune codes a team answers for."""
        found = await self._session.scalars(
            select(TeamCommune.ward_code)
            .where(TeamCommune.team_code == team)
            .order_by(TeamCommune.ward_code)
        )
        return list(found)


async def load_session_key(sessions: async_sessionmaker[AsyncSession], now: datetime) -> bytes:
    """The secret that signs console sessions: one per database, so every process agrees."""
    async with sessions() as session:
        entry = await session.get(KeyringEntry, SESSION_KEY_NAME)
    if entry is None:
        try:
            async with sessions() as session, session.begin():
                secret = secrets.token_urlsafe(32)
                session.add(KeyringEntry(name=SESSION_KEY_NAME, secret=secret, created_at=now))
        except IntegrityError:
            pass  # another process stored one first: use theirs
        async with sessions() as session:
            entry = await session.get(KeyringEntry, SESSION_KEY_NAME)
        if entry is None:
            raise RuntimeError("the console session key could not be stored")
    return entry.secret.encode("ascii")
