"""The audit trail (审计日志): hash-chained, append-only, written in the transaction it describes."""
