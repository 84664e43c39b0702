"""The one page block: the total of the whole listing, and the slice in the given order."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from qa_service.features.pagination import paginate
from qa_service.store.calls import Call


@pytest.mark.parametrize(("limit", "offset"), [(2, 0), (2, 2), (2, 4), (10, 0), (3, 5)])
def test_page_is_a_slice_of_the_ordered_listing(db, add_call, limit, offset):
    ids = [add_call(team="A" if k % 2 else "B") for k in range(5)]
    with db.session(write=False) as session:
        page = paginate(session, select(Call), (Call.id.desc(),), limit, offset)
        only_a = paginate(session, select(Call).where(Call.team == "A"), (Call.id,), 1, 0)
    newest_first = sorted(ids, reverse=True)
    assert [c.id for c in page["items"]] == newest_first[offset : offset + limit]
    assert (page["total"], page["limit"], page["offset"]) == (5, limit, offset)
    assert only_a["total"] == 2
    assert [c.id for c in only_a["items"]] == [ids[1]]
