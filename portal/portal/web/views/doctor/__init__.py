"""Doctors' pages: their day, coming appointments, weekly hours, time off, booking rules, times.

Every page is for doctors only (anyone else gets the 404 page) and shows times
in the doctor's own profile time zone, the zone their weekly hours are set in.
"""
