"""/v1/repositories, /v1/repositorySettings and /v1/repositories/pypi/{hosted,proxy,group}."""

from __future__ import annotations

from dataclasses import replace

from starlette.responses import Response
from starlette.routing import Route

from ..errors import NexusError, ValidationFailed
from ..store.repos import GROUP, PROXY, Repository
from .repo_config import (
    REQUEST_MODELS,
    api_view,
    check_new,
    check_update,
    parse_request,
    repository_xo,
)
from .support import Call, json_response, no_content, rest

LOG_SOURCE = "org.sonatype.nexus.repository.manager.RepositoryManagerImpl"


def _existing(call: Call, name: str) -> Repository:
    repo = call.runtime.repos.get(name)
    if repo is None:
        raise NexusError(404)
    return repo


def _pypi_type(call: Call) -> str:
    repo_type = call.param("type")
    if repo_type not in REQUEST_MODELS:
        raise NexusError(404)
    return repo_type


def list_repositories(call: Call) -> Response:
    runtime = call.runtime
    visible = [
        repo for repo in runtime.repos.all() if call.subject.permits_repository(repo, "browse")
    ]
    return json_response(
        [
            repository_xo(repo, call.base_url, runtime.content.repository_size(repo.name))
            for repo in visible
        ]
    )


def get_repository(call: Call) -> Response:
    repo = _existing(call, call.param("name"))
    call.subject.demand_repository(repo, "browse")
    size = call.runtime.content.repository_size(repo.name)
    return json_response(repository_xo(repo, call.base_url, size))


def delete_repository(call: Call) -> Response:
    call.subject.demand_admin()
    runtime = call.runtime
    repo = _existing(call, call.param("name"))
    with runtime.db.write() as conn:
        for group in runtime.repos.all():
            if group.type == GROUP and repo.name in group.members:
                members = [name for name in group.members if name != repo.name]
                config = {
                    **group.config,
                    "group": {**group.section("group"), "memberNames": members},
                }
                runtime.repos.update(conn, replace(group, config=config))
        refs = runtime.content.delete_repository(conn, repo.name)
        runtime.repos.delete(conn, repo.name)
    runtime.blobs.delete(refs)
    runtime.pypi.proxy.forget(repo.name)
    runtime.app_log.info(LOG_SOURCE, f"Deleted repository: {repo.name}", call.subject.user_id)
    return no_content()


def repository_settings(call: Call) -> Response:
    if not call.subject.permits("nx-all"):
        return json_response([])
    return json_response([api_view(repo, call.base_url) for repo in call.runtime.repos.all()])


def create_pypi(call: Call) -> Response:
    call.subject.demand_admin()
    runtime = call.runtime
    repo = parse_request(_pypi_type(call), call.json())
    check_new(repo, runtime.repos, runtime.blobs)
    runtime.repos.create(repo)
    runtime.app_log.info(
        LOG_SOURCE, f"Created repository: {repo.name} (pypi-{repo.type})", call.subject.user_id
    )
    return Response(status_code=201)


def update_pypi(call: Call) -> Response:
    call.subject.demand_admin()
    runtime = call.runtime
    repo = parse_request(_pypi_type(call), call.json())
    existing = _existing(call, call.param("name"))
    if repo.name != existing.name:
        raise ValidationFailed([("*", "Renaming a repository is not supported")])
    if existing.type != repo.type:
        raise ValidationFailed(
            [("*", f"Repository {existing.name} is not a pypi-{repo.type} repository")]
        )
    check_update(repo, runtime.repos, runtime.blobs)
    with runtime.db.write() as conn:
        runtime.repos.update(conn, repo)
    if repo.type == PROXY:
        runtime.pypi.proxy.forget(repo.name)
    runtime.app_log.info(LOG_SOURCE, f"Updated repository: {repo.name}", call.subject.user_id)
    return no_content()


def get_pypi(call: Call) -> Response:
    call.subject.demand_admin()
    repo_type = _pypi_type(call)
    repo = _existing(call, call.param("name"))
    if repo.type != repo_type:
        raise NexusError(404)
    return json_response(api_view(repo, call.base_url))


def invalidate_cache(call: Call) -> Response:
    call.subject.demand_admin()
    repo = _existing(call, call.param("name"))
    if repo.type not in (PROXY, GROUP):
        raise NexusError(400, "Repository is not of proxy or group type")
    if repo.type == PROXY:
        call.runtime.pypi.proxy.invalidate(repo)
    call.runtime.app_log.info(
        LOG_SOURCE, f"Invalidated cache of repository: {repo.name}", call.subject.user_id
    )
    return no_content()


def rebuild_index(call: Call) -> Response:
    call.subject.demand_admin()
    _existing(call, call.param("name"))
    return no_content()


PYPI = "/v1/repositories/pypi/{type:str}"

routes = [
    Route("/v1/repositories", rest(list_repositories), methods=["GET"]),
    Route("/v1/repositorySettings", rest(repository_settings), methods=["GET"]),
    Route(PYPI, rest(create_pypi), methods=["POST"]),
    Route(PYPI + "/{name:str}", rest(update_pypi), methods=["PUT"]),
    Route(PYPI + "/{name:str}", rest(get_pypi), methods=["GET"]),
    Route("/v1/repositories/{name:str}", rest(get_repository), methods=["GET"]),
    Route("/v1/repositories/{name:str}", rest(delete_repository), methods=["DELETE"]),
    Route("/v1/repositories/{name:str}/invalidate-cache", rest(invalidate_cache), methods=["POST"]),
    Route("/v1/repositories/{name:str}/rebuild-index", rest(rebuild_index), methods=["POST"]),
]
