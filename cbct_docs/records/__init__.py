"""Read records: spreadsheets, CSV and JSON into :class:`Record` objects."""

from . import jsonfile as _jsonfile  # noqa: F401  (registers the .json reader)
from .dates import parse_date
from .model import Origin, Record
from .readers import READERS, read_records, read_sheets, structured_fields

__all__ = ["READERS", "Origin", "Record", "parse_date", "read_records", "read_sheets",
           "structured_fields"]
