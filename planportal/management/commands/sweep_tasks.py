"""``python manage.py sweep_tasks [--every SECONDS]``: requeue the jobs of dead workers."""

import time

from django.core.management.base import BaseCommand

from planportal import task_queue


class Command(BaseCommand):
    help = (
        "Put jobs whose worker died (killed, out of memory, its host gone) back in the "
        "task queue, or fail them after TASK_MAX_ATTEMPTS attempts so that staff see why. "
        "Without this a PDF build or an import left 'running' by a dead worker would block "
        "its PDF (and its client's quota) for good. Run it from cron every few minutes, or "
        "beside the worker with --every (make run does)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=float,
            default=0,
            help="sweep again every SECONDS, until stopped (default: once)",
        )

    def handle(self, *args, every, **options):
        while True:
            requeued = task_queue.requeue_orphaned()
            if requeued or not every:
                self.stdout.write(f"{requeued} orphaned job(s) requeued.")
            if not every:
                return
            time.sleep(every)
