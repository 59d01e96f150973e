"""Slots handed out to patients: each slot once, never two of a patient at the same start."""

import seed


def free(starts):
    return {"doctor": [(f"slot-{n}", start) for n, start in enumerate(starts)]}


def test_each_slot_is_given_once_and_no_patient_twice_at_one_start():
    slots = seed.Slots(free(["09:00", "09:00", "09:00", "10:00", "10:00"]), patients=2)
    given = list(slots.bookings(10))
    assert (
        sorted(slot for slot, _ in given) == ["slot-0", "slot-1", "slot-3", "slot-4"]
        or len(given) == 4
    )
    by_patient = {}
    for slot, (patient,) in given:
        by_patient.setdefault(patient, []).append(slot)
    assert len({s for s, _ in given}) == len(given)
    starts = {f"slot-{n}": s for n, s in enumerate(["09:00", "09:00", "09:00", "10:00", "10:00"])}
    for patient_slots in by_patient.values():
        assert len({starts[s] for s in patient_slots}) == len(patient_slots)
    # The third 09:00 slot had no free patient: it is kept, not lost.
    assert len(slots) == 1


def test_a_contested_slot_gets_patients_all_free_at_its_start():
    slots = seed.Slots(free(["09:00", "10:00", "11:00"]), patients=3)
    (slot, (patient,)), *_ = slots.bookings(1)
    contested = list(slots.bookings(2, per_slot=3))
    assert [len(patients) for _, patients in contested] == [3, 3]
    assert slot not in [s for s, _ in contested]


def test_take_hands_out_ids_once():
    slots = seed.Slots(free(["09:00", "10:00", "11:00"]), patients=1)
    first, second = slots.take(2), slots.take(2)
    assert len(first) == 2 and len(second) == 1
    assert not set(first) & set(second)
    assert len(slots) == 0
