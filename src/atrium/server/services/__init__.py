"""Use cases: authorization, quotas, audit and transactions. No HTTP here."""
