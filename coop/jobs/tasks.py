"""The Celery tasks of jobs: thin, they call coop.jobs.services.

`job_run_task` is acknowledged late: if the worker dies, the broker delivers the message
again later, and `job_run` leaves a job that is no longer queued alone (it runs once).
"""

from celery import shared_task
from django.conf import settings

from coop.jobs import services


@shared_task(
    name="coop.jobs.run",
    acks_late=True,
    soft_time_limit=settings.JOBS_TIME_LIMIT_SECONDS,
    time_limit=settings.JOBS_TIME_LIMIT_SECONDS + 60,
)
def job_run_task(job_id: str) -> str:
    return services.job_run(job_id=job_id)


@shared_task(name="coop.jobs.sweep", acks_late=True)
def jobs_sweep_task() -> dict[str, int]:
    return services.jobs_sweep()
