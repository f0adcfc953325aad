"""Read records: spreadsheets, CSV and JSON into :class:`Record` objects."""

from .dates import parse_date
from .model import Origin, Record
from .readers import READERS, read_records, read_sheets

__all__ = ["READERS", "Origin", "Record", "parse_date", "read_records", "read_sheets"]
