"""cbct-docs: letters, e-mails, reports and certificates from audit records.

The pipeline, as the folders show it:

- ``records``: read spreadsheets, CSV and JSON into records with their origin;
- ``domain``: frameworks, register, planning rules, score sheets and advice;
- ``render``: Word, HTML and text through one sandboxed, strict environment;
- ``deliver``: files (atomic, never overwritten by accident), ledger, SMTP, PDF.
"""

__version__ = "0.1.0"
