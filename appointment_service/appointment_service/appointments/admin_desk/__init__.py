"""The front desk in the admin: book for a patient, reschedule, cancel, mark; the clinic's day.

Every change goes through ``booking``, ``changes`` and ``idempotency`` with
the signed-in staff member as the actor (``common.admin_sso.staff_id``), so
the slot holds in schedule_service stay in line and the history says who did
it. Names come from ``common.people``; free times from schedule_service's
internal listing. Server-rendered pages, no JavaScript.
"""

from appointment_service.appointments.admin_desk.base import DeskPages
from appointment_service.appointments.admin_desk.book_pages import BookPages
from appointment_service.appointments.admin_desk.change_pages import ChangePages
from appointment_service.appointments.admin_desk.day_page import DayPage


class FrontDeskAdminMixin(BookPages, ChangePages, DayPage, DeskPages):
    """The front desk's pages on the Appointment admin (its changelist and change page link
    to them); every one checks its own permission (a 403 without it)."""


__all__ = ["FrontDeskAdminMixin"]
