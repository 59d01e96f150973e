"""Repair what failed bookings, moves and cancellations left behind (safe to run at any time)."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from appointment_service.appointments import reconciliation
from common.errors import ServiceUnavailable


class Command(BaseCommand):
    help = (
        "Bring appointments and schedule_service's slot holds back in line: delete abandoned "
        "pending appointments (releasing their slot), release holds of missing, cancelled or "
        "moved appointments, reserve again the slot of booked appointments that lost it (or "
        "cancel them when it cannot be had), purge old idempotency keys. Prints counts. Run it "
        "on a schedule, e.g. every 5 minutes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--grace",
            type=int,
            default=int(reconciliation.PENDING_GRACE.total_seconds()),
            help="Seconds a booking or move may be in flight before it is repaired (default 60).",
        )

    def handle(self, *args, grace, **options):
        if grace < 0:
            raise CommandError("--grace cannot be negative.")
        report = reconciliation.ReconcileReport()
        try:
            reconciliation.appointments_reconcile(grace=timedelta(seconds=grace), report=report)
        except ServiceUnavailable as exc:
            self._write(report)
            raise CommandError(
                f"schedule_service could not be asked: {exc.detail} Every repair counted "
                "above was finished; nothing is left half-done. Run the command again later."
            ) from exc
        self._write(report)
        self.stdout.write(self.style.SUCCESS("Appointments and slot holds are in line."))

    def _write(self, report: reconciliation.ReconcileReport) -> None:
        self.stdout.write(", ".join(f"{name}: {count}" for name, count in report.counts().items()))
        for appointment_id, slot_id, code in report.cancelled:
            self.stdout.write(
                f"cancelled appointment {appointment_id}: its slot {slot_id} could not be "
                f"held again ({code})"
            )
