"""/v1/cleanup-policies, /v1/tasks and /v1/blobstores, shaped as Nexus shapes them."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from ..errors import NexusError, ValidationFailed
from ..models import CleanupPolicyResourceXO, GenericBlobStoreApiResponse, PageTaskXO, TaskXO
from ..store.blobs import BlobStore
from .support import Call, dump, json_response, no_content, parse_model, rest

TASK_NULLABLE = frozenset({"continuationToken", "message", "lastRun", "lastRunResult", "nextRun"})


# -- cleanup policies --------------------------------------------------------------------------


def list_policies(call: Call) -> Response:
    call.subject.require("nexus:settings:read")
    return json_response(call.runtime.cleanup_policies.all())


def get_policy(call: Call) -> Response:
    call.subject.require("nexus:*")
    policy = call.runtime.cleanup_policies.get(call.param("name"))
    if policy is None:
        raise NexusError(404)
    return json_response(policy)


def _policy(call: Call) -> dict[str, object]:
    return dump(parse_model(CleanupPolicyResourceXO, call.json()))


def create_policy(call: Call) -> Response:
    call.subject.require("nexus:*")
    policy = _policy(call)
    name = str(policy["name"])
    if call.runtime.cleanup_policies.get(name) is not None:
        raise NexusError(409, f"A cleanup policy named {name} already exists")
    call.runtime.cleanup_policies.put(name, policy)
    return json_response(policy, 201)


def update_policy(call: Call) -> Response:
    call.subject.require("nexus:*")
    name = call.param("name")
    if call.runtime.cleanup_policies.get(name) is None:
        raise NexusError(404)
    policy = _policy(call)
    if policy["name"] != name:
        raise ValidationFailed([("PARAMETER name", "Renaming a cleanup policy is not supported")])
    call.runtime.cleanup_policies.put(name, policy)
    return no_content()


def delete_policy(call: Call) -> Response:
    call.subject.require("nexus:*")
    if not call.runtime.cleanup_policies.delete(call.param("name")):
        raise NexusError(404)
    return no_content()


# -- tasks -------------------------------------------------------------------------------------


def list_tasks(call: Call) -> Response:
    call.subject.require("nexus:tasks:read")
    wanted = call.query("type")
    tasks = [
        TaskXO.model_validate(task)
        for task in call.runtime.tasks.all()
        if wanted is None or task["type"] == wanted
    ]
    return json_response(dump(PageTaskXO(items=tasks, continuationToken=None), TASK_NULLABLE))


def get_task(call: Call) -> Response:
    call.subject.require("nexus:tasks:read")
    task = call.runtime.tasks.get(call.param("id"))
    if task is None:
        raise NexusError(404)
    return json_response(dump(TaskXO.model_validate(task), TASK_NULLABLE))


def run_task(call: Call) -> Response:
    call.subject.require("nexus:tasks:start")
    if call.runtime.tasks.get(call.param("id")) is None:
        raise NexusError(404)
    call.runtime.tasks.record_run(call.param("id"))
    return no_content()


def stop_task(call: Call) -> Response:
    call.subject.require("nexus:tasks:stop")
    if call.runtime.tasks.get(call.param("id")) is None:
        raise NexusError(404)
    raise NexusError(409, "Task is not currently running")


# -- blob stores -------------------------------------------------------------------------------


def list_blobstores(call: Call) -> Response:
    call.subject.require("nexus:blobstores:read")
    blobs = call.runtime.blobs
    count, size = blobs.usage()
    store = GenericBlobStoreApiResponse(
        name=BlobStore.name,
        type="File",
        unavailable=False,
        blobCount=count,
        totalSizeInBytes=size,
        availableSpaceInBytes=blobs.available_bytes(),
    )
    return json_response([dump(store, frozenset({"softQuota"}))])


routes = [
    Route("/v1/cleanup-policies", rest(list_policies), methods=["GET"]),
    Route("/v1/cleanup-policies", rest(create_policy), methods=["POST"]),
    Route("/v1/cleanup-policies/{name:str}", rest(get_policy), methods=["GET"]),
    Route("/v1/cleanup-policies/{name:str}", rest(update_policy), methods=["PUT"]),
    Route("/v1/cleanup-policies/{name:str}", rest(delete_policy), methods=["DELETE"]),
    Route("/v1/tasks", rest(list_tasks), methods=["GET"]),
    Route("/v1/tasks/{id:str}", rest(get_task), methods=["GET"]),
    Route("/v1/tasks/{id:str}/run", rest(run_task), methods=["POST"]),
    Route("/v1/tasks/{id:str}/stop", rest(stop_task), methods=["POST"]),
    Route("/v1/blobstores", rest(list_blobstores), methods=["GET"]),
]
