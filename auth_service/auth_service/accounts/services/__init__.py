"""Every write of the accounts app, one module per job.

``registration`` (accounts and their profiles), ``sign_in`` (user token pairs),
``passwords`` (changing and renewing them), ``staff`` (staff accounts and their
groups), ``account_actions`` (what clinic-admins do to accounts) and
``service_accounts`` (the client-credentials grant).
"""
