"""The portal's forms: every message is ours, rendered by the server (no browser validation).

``base`` (what every form shares), ``account`` (sign in, register, passwords, time
zone), ``booking`` (finding a doctor, booking, changing and cancelling) and
``doctor`` (doctors' hours, time off, booking rules and outcomes).
"""
