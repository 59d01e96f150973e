"""The portal's pages, one module per purpose, each a thin view over ``clients``.

``public`` (landing and help), ``account`` (register, sign in and out, passwords,
time zone), ``booking`` (finding a doctor and booking a time), ``appointments``
(a person's appointments and their changes), ``doctor`` (doctors' own pages) and
``errors`` (Django's error handlers). ``base`` and ``week`` hold what several
pages share.
"""
