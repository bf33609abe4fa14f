"""The files machines make parts from: a signed, expiring link plus the machine's own login.

Outside ``/api/v1`` because its caller is a machine with HTTP Basic credentials, not a person or
an API token; see "Job documents" in docs/machines.md.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse
from fastapi.security import HTTPBasic, HTTPBasicCredentials

from c2m.domains.factory import credentials
from c2m.domains.factory.credentials import FileLinks
from c2m.domains.factory.models import ArtifactStore
from c2m.kernel.clock import utcnow
from c2m.kernel.errors import NotFound
from c2m.web.auth import PlatformDep
from c2m.web.problems import problem_responses

router = APIRouter(tags=["machines"], responses=problem_responses(401, 403, 404, 410))
basic = HTTPBasic(realm="c2m machines", description="<factory code>/<machine code> and secret")


@router.get(credentials.path_of("{operation_id}"), response_class=FileResponse)
def download_machine_file(
    platform: PlatformDep,
    operation_id: str,
    login: Annotated[HTTPBasicCredentials, Depends(basic)],
    expires: Annotated[int, Query(ge=0, description="ms since 1970, as in the job document")],
    sig: Annotated[str, Query(max_length=128)],
) -> FileResponse:
    """The operation's file, streamed, for the machine it was commanded to."""
    settings = platform.settings
    with platform.db.read() as session:
        machine = credentials.authenticate(session, login.username, login.password)
        links = FileLinks(settings.secret_key, settings.base_url)
        links.check(operation_id, expires, sig, int(utcnow().timestamp() * 1000))
        artifact = credentials.artifact_for(session, machine, operation_id)
        path = ArtifactStore(artifact.store).under(settings.data_dir).part(artifact.name)
        filename, media_type = artifact.filename, artifact.media_type
    if not path.is_file():
        raise NotFound("The file of this operation is no longer stored.")
    return FileResponse(path, media_type=media_type, filename=filename)
