"""The command line (``hoso``) and the supervisor of the embedded default stack."""
