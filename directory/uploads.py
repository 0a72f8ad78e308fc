"""Evidence files: the one check for what providers and claimants upload, and
the one way to hand a stored file back.

Shared by listing claims and vetting evidence. The type is decided from the
file's first bytes, never its name or the browser's Content-Type, and only
PDF, JPEG and PNG are kept. Files go under MEDIA_ROOT, which is outside the
web root and has no served URL: they are read back only through views that
check permission first.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse

from carehub.errors import DomainError

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
# Magic numbers: what the first bytes of each accepted format are.
_SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)


def evidence_file_type(upload: UploadedFile, *, field: str = "evidence") -> tuple[str, str]:
    """(content type, extension) of an uploaded evidence file, sniffed from its content.

    Raises DomainError (on `field`) for an empty, too large or unaccepted file."""
    if upload.size is None or upload.size == 0:
        raise DomainError("The file you uploaded is empty.", field=field)
    if upload.size > EVIDENCE_MAX_BYTES:
        raise DomainError("The evidence must be smaller than 10 MB.", field=field)
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for magic, content_type, extension in _SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    raise DomainError("The evidence must be a PDF, JPG or PNG file.", field=field)


def evidence_file_response(file: FieldFile, *, download_name: str = "") -> FileResponse:
    """A stored evidence file as an attachment (never rendered inline by the browser)."""
    name = download_name or Path(file.name).name
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(file.open("rb"), as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
