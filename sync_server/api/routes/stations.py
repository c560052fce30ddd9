from __future__ import annotations

from fastapi import APIRouter, Path
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from sync_server.api.deps import Ctx, JsonBody
from sync_server.api.routes.schemas import ERRORS, EnrollmentIn, StationOut, body_doc
from sync_server.services import enrollment_codes, stations

router = APIRouter(prefix="/api/v1/stations", tags=["estaciones"])


@router.post(
    "/enroll",
    status_code=202,
    response_model=StationOut,
    responses=ERRORS,
    openapi_extra=body_doc(EnrollmentIn),
)
async def enroll(ctx: Ctx, body: JsonBody) -> JSONResponse:
    """Enroll with a one-time code issued in the console (403 ``bad_enrollment_code``
    without a valid one); the station is approved at once, with the code's role and scope."""
    info = await run_in_threadpool(enrollment_codes.enroll, ctx, body)
    return JSONResponse(info, status_code=202 if info["status"] == "pending" else 200)


@router.get("/{station_id}", response_model=StationOut, responses=ERRORS)
def get_station(ctx: Ctx, station_id: str = Path(max_length=64)) -> dict[str, object]:
    """Status and chain head, so a station knows where to resume."""
    return stations.get_station(ctx, station_id)
