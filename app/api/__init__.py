"""HTTP: errors, logs, auth, docs, fast path; routes/ and schemas/ below."""
