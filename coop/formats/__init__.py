"""The project's date and time formats, where they differ from Django's (FORMAT_MODULE_PATH).

Django reads a format here first, then in its own locale module: only the formats the project
changes are written here.
"""
