"""Deliverables are uploaded as raw bytes under their own media types (SPEC §8); schemathesis
sends them the way it sends application/octet-stream."""

import schemathesis

schemathesis.serializer.alias(
    [
        "application/pdf",
        "application/zip",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ],
    "application/octet-stream",
)
