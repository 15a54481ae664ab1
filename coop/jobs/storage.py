"""Where jobs keep the files they are given and produce: a private folder, never /media/.

The files of jobs hold personal data (the register of members, an imported register), so
they are not kept in the default storage, whose folder the web server publishes under
/media/. They are served only by the job's download view, to the person who started the job
or an administrator. Web processes and workers must share this folder (JOBS_ROOT, by
default var/jobs/).
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.signals import setting_changed
from django.utils.functional import cached_property


class JobFileStorage(FileSystemStorage):
    """The folder JOBS_ROOT, read when first used (and again when a test changes it)."""

    def __init__(self) -> None:
        super().__init__()
        setting_changed.connect(self._forget_root)

    def _forget_root(self, *, setting: str, **_kwargs: object) -> None:
        if setting == "JOBS_ROOT":
            for name in ("base_location", "location"):
                self.__dict__.pop(name, None)

    @cached_property
    def base_location(self) -> str:
        return str(settings.JOBS_ROOT)

    @cached_property
    def location(self) -> str:
        return os.path.abspath(self.base_location)


_storage = JobFileStorage()


def job_storage() -> JobFileStorage:
    return _storage
