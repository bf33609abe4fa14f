"""The per-process memory of API tokens: short-lived, bounded, and forgetful on revocation."""

from __future__ import annotations

from c2m.domains.platform.actor import Actor
from c2m.domains.platform.security import token_digest
from c2m.domains.platform.token_cache import TokenCache


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def actor(name: str) -> Actor:
    return Actor(user_id=name, email=f"{name}@example.com", name=name)


def test_a_token_is_remembered_for_ttl_seconds_then_looked_up_again() -> None:
    clock = Clock()
    cache = TokenCache(ttl=2.0, clock=clock)
    assert cache.get("c2m_secret") is None
    cache.put("c2m_secret", actor("alice"))
    clock.now += 1.9
    assert cache.get("c2m_secret") == actor("alice")
    assert cache.get("c2m_other") is None
    clock.now += 0.2
    assert cache.get("c2m_secret") is None


def test_a_revoked_token_is_forgotten_at_once() -> None:
    cache = TokenCache(ttl=60.0)
    cache.put("c2m_secret", actor("alice"))
    cache.forget(token_digest("c2m_secret"))
    assert cache.get("c2m_secret") is None


def test_zero_ttl_remembers_nothing_and_a_full_cache_drops_expired_entries_first() -> None:
    assert TokenCache(ttl=0).get("c2m_x") is None
    disabled = TokenCache(ttl=0)
    disabled.put("c2m_x", actor("x"))
    assert disabled.get("c2m_x") is None
    clock = Clock()
    cache = TokenCache(ttl=10.0, capacity=3, clock=clock)
    cache.put("old", actor("old"))
    clock.now += 5
    cache.put("a", actor("a"))
    cache.put("b", actor("b"))
    clock.now += 6  # "old" has expired, "a" and "b" have not
    cache.put("c", actor("c"))
    assert [cache.get(s) for s in ("a", "b", "c")] == [actor("a"), actor("b"), actor("c")]
    cache.put("d", actor("d"))  # full of live entries: start over rather than grow
    assert cache.get("a") is None
    assert cache.get("d") == actor("d")
