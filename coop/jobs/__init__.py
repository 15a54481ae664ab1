"""Long work never runs in a web request: it runs as a job, in a Celery worker.

A page starts a job (`services.job_start`): one row (coop.models.Job) and a Celery task
enqueued after commit. The worker runs the job's kind (`registry`), which reports its
progress; the person who started it watches it on the job's page (`views`), then downloads
the file or reads the report. A job that fails says why and can be retried; a job left
running by a dead worker is found by the sweep (beat, every minute) and marked failed.
"""
