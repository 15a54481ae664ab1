"""English dates and times: Django's dates ("Jan. 6, 2027"), times on the 24-hour clock.

The cooperative is French and its meetings, letters and the French pages give times as
"18 h 00"; the English pages give the same clock, "18:00", as coop.formatting.clock does. It
also keeps a sentence that ends on a date-time from ending in "p.m.." (Django's "P" ends with
a full stop, and "Printed on {{ when }}." adds one).
"""

TIME_FORMAT = "H:i"  # 18:00
DATETIME_FORMAT = f"N j, Y, {TIME_FORMAT}"  # Jan. 6, 2027, 18:00
SHORT_DATETIME_FORMAT = f"m/d/Y {TIME_FORMAT}"  # 01/06/2027 18:00
