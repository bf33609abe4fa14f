"""The order state machine's shape: progress only grows along the main line."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from c2m.domains.orders.states import (
    FORWARD,
    LABELS,
    MAIN_LINE,
    PRODUCTION,
    OrderState,
    legal_moves,
    next_moves,
    progress,
)


def test_progress_grows_along_the_main_line_from_0_to_100() -> None:
    values = [progress(state) for state in MAIN_LINE]
    assert values[0] == 0
    assert values[-1] == 100
    assert all(a is not None and b is not None and a < b for a, b in pairwise(values))


def test_side_states_have_no_progress_of_their_own() -> None:
    for state in (OrderState.ON_HOLD, OrderState.CANCELLED, OrderState.REFUNDED):
        assert progress(state) is None


def test_every_state_has_a_label_and_forward_moves_stay_on_the_line() -> None:
    assert set(LABELS) == set(OrderState)
    for source, targets in FORWARD.items():
        assert source in MAIN_LINE
        assert targets <= set(MAIN_LINE)


@given(st.sampled_from(list(OrderState)), st.none() | st.sampled_from(sorted(PRODUCTION)))
def test_the_maker_s_moves_are_legal_and_never_take_payment(
    state: OrderState, held_from: OrderState | None
) -> None:
    """Forward, the maker never records a payment; from hold, only back to where it was."""
    moves = next_moves(state, held_from)
    assert set(moves) <= legal_moves(state, held_from)
    if state is OrderState.ON_HOLD:
        assert moves == ([held_from] if held_from is not None else [])
    else:
        assert OrderState.PAID not in moves
        assert (OrderState.ON_HOLD in moves) == (state in PRODUCTION)
