"""The theme curation log (storage/curation.py) on SQLite and PostgreSQL: edits come back in the
order they were made, with who and when, per tenant and round; round deletion and a person's
erasure reach them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hyte.curation import CurationAction, CurationEdit
from storage.curation import SqlCurationRepository
from storage.personal_data import SqlPersonalData, delete_round

AT = datetime(2024, 5, 20, 9, 0, tzinfo=UTC)


async def test_edits_in_order_with_who_and_when_per_round(database):
    repository = SqlCurationRepository(database)
    first = CurationEdit("q1", CurationAction.MERGE, "tapahtuma", "tilaisuus", label="tilaisuudet",
                         by_name="Sanna Laine", by_aad="aad-1", at=AT)
    second = CurationEdit("q1", CurationAction.RENAME, "tilaisuus", label="Yhteiset tapahtumat",
                          by_name="Sanna Laine", by_aad="aad-1", at=AT + timedelta(minutes=1))
    other = CurationEdit("q1", CurationAction.HIDE, "tila", by_name="Muu", by_aad="aad-2", at=AT)
    await repository.add("tenant-a", "round-1", first)
    await repository.add("tenant-b", "round-1", other)  # another county's, same round id
    await repository.add("tenant-a", "round-1", second)
    await repository.add("tenant-a", "round-2", CurationEdit("q2", CurationAction.QUOTE, "x", organisation_id="kuopio",
                                                             at=AT))
    assert await repository.edits("tenant-a", "round-1") == [first, second]
    assert await repository.edits("tenant-b", "round-1") == [other]

    erased = await SqlPersonalData(database).erase("tenant-a", "AAD-1")
    assert erased["theme_curations"] == 2
    kept = await repository.edits("tenant-a", "round-1")
    assert [(e.action, e.by_name, e.by_aad) for e in kept] == [(CurationAction.MERGE, None, None),
                                                                (CurationAction.RENAME, None, None)]

    counts = await delete_round(database, "tenant-a", "round-2", older_than=AT + timedelta(days=1),
                                now=AT + timedelta(days=400))
    assert counts["theme_curations"] == 1
    assert await repository.edits("tenant-a", "round-2") == []
    assert await repository.edits("tenant-a", "round-1") == kept
