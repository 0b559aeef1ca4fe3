"""Graph answers in the documented v1.0 shapes (docs/entra.md §2), for the test stand-in and the
screenshots: a healthy job, one in quarantine, a paused one, a provision-on-demand answer.
Nothing here is sent anywhere; the ids are made up."""

from __future__ import annotations

import json
from typing import Any

JOB_ID = "scim.6a5f3d2c8b7e4f1a9d0c3b2a1e4f5d6c.7b8c9d0e-1f2a-3b4c-5d6e-7f8a9b0c1d2e"
RULE_ID = "03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8"
STATES = ("healthy", "quarantine", "paused", "errors", "notrun", "notconfigured", "unsteady")
NEVER = "0001-01-01T00:00:00Z"  # Graph's time for "never" (Microsoft support's Cloud Sync overview)


def execution(state: str, began: str, ended: str, *, escrowed: int = 0, error: dict | None = None) -> dict[str, Any]:
    return {"activityIdentifier": "1a2b3c4d-0000-4000-8000-000000000001", "countEntitled": 120,
            "countEntitledForProvisioning": 120, "countEscrowed": escrowed, "countEscrowedRaw": escrowed,
            "countExported": 3, "countExports": 3, "countImported": 120, "countImportedDeltas": 2,
            "countImportedReferenceDeltas": 0, "error": error, "state": state,
            "timeBegan": began, "timeEnded": ended}


def job(state: str = "healthy", job_id: str = JOB_ID) -> dict[str, Any]:
    """A synchronizationJob: healthy | quarantine | paused | errors | notrun | notconfigured |
    unsteady (active, cycles succeed, steady state never reached: its times are 0001-01-01)."""
    ok = execution("Succeeded", "2026-12-06T01:40:00Z", "2026-12-06T01:40:41Z")
    status: dict[str, Any] = {
        "code": "Active", "countSuccessiveCompleteFailures": 0, "escrowsPruned": False,
        "lastExecution": ok, "lastSuccessfulExecution": ok, "lastSuccessfulExecutionWithExports": ok,
        "progress": [], "quarantine": None, "steadyStateFirstAchievedTime": "2026-11-20T08:12:00Z",
        "steadyStateLastAchievedTime": "2026-12-06T01:40:41Z", "synchronizedEntryCountByType": [],
        "troubleshootingUrl": None}
    if state == "quarantine":
        failure = {"code": "SystemForCrossDomainIdentityManagementCredentialValidationUnavailable",
                   "message": "An error occurred while sending the request. The remote certificate is "
                              "invalid according to the validation procedure.", "tenantActionable": True}
        earlier = execution("Succeeded", "2026-12-05T21:20:00Z", "2026-12-05T21:20:37Z")
        status.update(code="Quarantine", countSuccessiveCompleteFailures=4, lastSuccessfulExecution=earlier,
                      steadyStateLastAchievedTime="2026-12-05T21:20:37Z",
                      lastSuccessfulExecutionWithExports=earlier,
                      lastExecution=execution("Failed", "2026-12-06T01:10:00Z", "2026-12-06T01:10:02Z",
                                              error=failure),
                      quarantine={"currentBegan": "2026-12-06T01:10:02Z", "nextAttempt": "2026-12-06T13:10:02Z",
                                  "reason": "EncounteredQuarantineException",
                                  "seriesBegan": "2026-12-05T22:40:02Z", "seriesCount": 4, "error": failure})
    elif state == "paused":
        status.update(code="Paused")
    elif state == "errors":
        status["lastExecution"] = execution("EntryLevelErrors", "2026-12-06T01:40:00Z", "2026-12-06T01:41:10Z",
                                            escrowed=7)
    elif state == "notrun":
        status.update(code="NotRun", lastExecution=None, lastSuccessfulExecution=None,
                      steadyStateFirstAchievedTime=None)
    elif state == "notconfigured":
        status.update(code="NotConfigured", lastExecution=None, lastSuccessfulExecution=None,
                      lastSuccessfulExecutionWithExports=None, steadyStateFirstAchievedTime=NEVER,
                      steadyStateLastAchievedTime=NEVER)
    elif state == "unsteady":
        first = execution("Succeeded", NEVER, "2026-12-06T01:40:41Z")
        status.update(lastSuccessfulExecution=first, steadyStateFirstAchievedTime=NEVER,
                      steadyStateLastAchievedTime=NEVER)
    return {"id": job_id, "templateId": "scim", "schedule": {"expiration": None, "interval": "PT40M",
                                                             "state": "Active"},
            "status": status, "synchronizationJobSettings": []}


def jobs(state: str = "healthy") -> dict[str, Any]:
    return {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals('x')/"
                              "synchronization/jobs", "value": [job(state)]}


def schema() -> dict[str, Any]:
    return {"synchronizationRules": [{"id": RULE_ID, "name": "USER_INBOUND_USER", "sourceDirectoryName":
                                      "Azure Active Directory", "targetDirectoryName": "customappsso"}]}


def provision_answer(user: str = "BillBob@contoso.com", *, fail: bool = False) -> dict[str, Any]:
    """The stringKeyStringValuePair provisionOnDemand returns: JSON text in key and value."""
    stamp = "2026-12-06T01:58:24.{}Z"
    steps = [
        {"name": "EntryImport", "type": "Import", "status": "Success", "timestamp": stamp.format(549),
         "description": f"Retrieved User '{user}' from Azure Active Directory", "details": {}},
        {"name": "EntrySynchronizationScoping", "type": "Scoping", "status": "Success",
         "timestamp": stamp.format(752), "description": "Determine if User in scope by evaluating against "
                                                        "each scoping filter", "details": {"Assigned": "True"}},
        {"name": "EntryImport", "type": "Matching", "status": "Success", "timestamp": stamp.format(721),
         "description": f"Retrieved '{user}' from the ECMA host (matched on userName)", "details": {}},
        {"name": "EntrySynchronizationAdd", "type": "Action", "status": "Success", "timestamp": stamp.format(760),
         "description": "Determined the User should be updated in the ECMA host", "details": {}},
        {"name": "EntryExportUpdate", "type": "Export", "status": "Failure" if fail else "Success",
         "timestamp": stamp.format(768),
         "description": ("The ECMA host refused the export: ERROR [23000] Cannot insert the value NULL into "
                         "column 'Department'" if fail else f"User '{user}' was updated in the ECMA host"),
         "details": {}}]
    head = {"result": "Failure" if fail else "Success",
            "details": {"errorCode": "ExportFailed", "errorMessage": "The export failed."} if fail else {}}
    return {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.stringKeyStringValuePair",
            "key": json.dumps(head), "value": json.dumps({"provisioningSteps": steps,
                                                          "startTime": stamp.format(549),
                                                          "endTime": stamp.format(768)})}


def graph_error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message,
                      "innerError": {"date": "2026-12-06T02:00:00", "request-id": "00000000-0000-4000-8000-0000000000aa"}}}
