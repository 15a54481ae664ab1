"""French dates and times as French administrative letters write them.

"le 6 janvier 2027 à 18 h 00": the time is joined to the day by "à" and written in hours and
minutes with "h" between them, set off by no-break spaces so that a line never breaks inside
it (as Babel does before "€" and "%"). The same convention everywhere: pages, e-mails, PDFs and
the services' messages, which format through these (django.utils.formats) or through
coop.formatting.clock. Machine formats (ISO attributes, CSV) do not come here.

In Django's date format "h" is the 12-hour hour: "\\h" writes the letter itself.
"""

NBSP = "\u00a0"

TIME_FORMAT = f"H{NBSP}\\h{NBSP}i"  # 18 h 00
DATETIME_FORMAT = f"j F Y à {TIME_FORMAT}"  # 6 janvier 2027 à 18 h 00
SHORT_DATETIME_FORMAT = f"d/m/Y à {TIME_FORMAT}"  # 06/01/2027 à 18 h 00
