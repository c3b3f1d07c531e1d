"""/v1/repositories, /v1/repositorySettings and /v1/repositories/pypi/{hosted,proxy,group}."""

from __future__ import annotations

from dataclasses import replace

from starlette.responses import Response
from starlette.routing import Route

from .errors import NexusError, ValidationFailed
from .repo_config import (
    REQUEST_MODELS,
    api_view,
    check_new,
    check_update,
    parse_request,
    repository_xo,
)
from .repos import GROUP, PROXY, Repository
from .rest_support import Call, json_response, no_content, rest

LOG_SOURCE = "org.sonatype.nexus.repository.manager.RepositoryManagerImpl"


def _existing(call: Call, name: str) -> Repository:
    repo = call.services.repos.get(name)
    if repo is None:
        raise NexusError(404)
    return repo


def _pypi_type(call: Call) -> str:
    repo_type = call.param("type")
    if repo_type not in REQUEST_MODELS:
        raise NexusError(404)
    return repo_type


def list_repositories(call: Call) -> Response:
    services = call.services
    visible = [
        repo for repo in services.repos.all() if call.subject.permits_repository(repo, "browse")
    ]
    return json_response(
        [
            repository_xo(repo, call.base_url, services.content.repository_size(repo.name))
            for repo in visible
        ]
    )


def get_repository(call: Call) -> Response:
    repo = _existing(call, call.param("name"))
    call.subject.demand_repository(repo, "browse")
    size = call.services.content.repository_size(repo.name)
    return json_response(repository_xo(repo, call.base_url, size))


def delete_repository(call: Call) -> Response:
    call.subject.demand_admin()
    services = call.services
    repo = _existing(call, call.param("name"))
    with services.db.write() as conn:
        for group in services.repos.all():
            if group.type == GROUP and repo.name in group.members:
                members = [name for name in group.members if name != repo.name]
                config = {
                    **group.config,
                    "group": {**group.section("group"), "memberNames": members},
                }
                services.repos.update(conn, replace(group, config=config))
        refs = services.content.delete_repository(conn, repo.name)
        services.repos.delete(conn, repo.name)
    services.blobs.delete(refs)
    services.pypi.proxy.forget(repo.name)
    services.app_log.info(LOG_SOURCE, f"Deleted repository: {repo.name}", call.subject.user_id)
    return no_content()


def repository_settings(call: Call) -> Response:
    if not call.subject.permits("nx-all"):
        return json_response([])
    return json_response([api_view(repo, call.base_url) for repo in call.services.repos.all()])


def create_pypi(call: Call) -> Response:
    call.subject.demand_admin()
    services = call.services
    repo = parse_request(_pypi_type(call), call.json())
    check_new(repo, services.repos, services.blobs)
    services.repos.create(repo)
    services.app_log.info(
        LOG_SOURCE, f"Created repository: {repo.name} (pypi-{repo.type})", call.subject.user_id
    )
    return Response(status_code=201)


def update_pypi(call: Call) -> Response:
    call.subject.demand_admin()
    services = call.services
    repo = parse_request(_pypi_type(call), call.json())
    existing = _existing(call, call.param("name"))
    if repo.name != existing.name:
        raise ValidationFailed([("*", "Renaming a repository is not supported")])
    if existing.type != repo.type:
        raise ValidationFailed(
            [("*", f"Repository {existing.name} is not a pypi-{repo.type} repository")]
        )
    check_update(repo, services.repos, services.blobs)
    with services.db.write() as conn:
        services.repos.update(conn, repo)
    if repo.type == PROXY:
        services.pypi.proxy.forget(repo.name)
    services.app_log.info(LOG_SOURCE, f"Updated repository: {repo.name}", call.subject.user_id)
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
        call.services.pypi.proxy.invalidate(repo)
    call.services.app_log.info(
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
