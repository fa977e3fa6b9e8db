"""The collection pipeline (归集): one path for uploaded files, the CLI, the JSON batch API and a single
record (a batch of one). A batch is processed chunk by chunk (``chunk.process_chunk``), each in one
transaction with one audit entry, so a process killed half way leaves whole chunks and a matching
checkpoint (``rows_done``); submitting the same file again, or ``service.resume_batch``, carries on.

Decisions (see docs/ingest.md):

- same file (sha256) from the same department for the same item, already done: a new batch with
  status ``duplicate`` that points at the first one; nothing is stored twice;
- duplicates of stored or earlier rows: ``duplicates``;
- a valid USCC of no registered subject: the subject is registered from the row's name (and type
  from the code's entity-type digits), with a warning on the row, so the source sees it;
- a subject name that differs from the registered one (after kit.names normalisation): a warning.
"""
