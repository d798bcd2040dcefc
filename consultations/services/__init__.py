"""Use cases of public comment, one module per job: submission, export, shredding."""
