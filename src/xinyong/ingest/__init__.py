"""Collection (归集): submission of catalog items' records by departments, validation, bulk loading,
quality feedback and timeliness. Entry points: ``service`` (submit, resume, resubmit), ``reports``
(outcomes, row-level reports, timeliness), ``cli`` (``xinyong ingest``). See docs/ingest.md."""
