"""/v1/repositories, /v1/repositorySettings and /v1/repositories/pypi/{hosted,proxy,group}.

Permissions as 3.77 has them:
- listing `v1/repositories` shows the repositories the caller may browse (repository-view
  browse; `RepositoryManagerRESTAdapterImpl.getRepositories`); one repository by name needs
  view read or browse on it or on a group holding it, else 403 (`getReadableRepository`);
- the configuration endpoints need a logged-in user (`@RequiresAuthentication`, else 401) and
  the repository-admin action on the repository (`AuthorizingRepositoryManagerImpl`):
  `v1/repositorySettings` lists only the repositories with admin read, and a configuration GET
  of a repository the caller may not read, or of another format or type, is 404
  `"Repository not found"` rather than 403 (`getRepositoryWithAdmin`,
  `AbstractRepositoriesApiResource.getRepository`); create needs admin add, update and
  invalidate-cache/rebuild-index admin edit, delete admin delete (403 otherwise).
"""

from __future__ import annotations

from dataclasses import replace

from starlette.responses import Response
from starlette.routing import Route

from ..auth import Subject
from ..errors import Forbidden, JsonMessageError, NexusError, ValidationFailed
from ..store.repos import GROUP, HOSTED, PROXY, Repository
from .repo_config import (
    FORMAT,
    REQUEST_MODELS,
    api_view,
    check_new,
    check_update,
    parse_request,
    repository_xo,
)
from .routing_rules import assign_from_request, assigned_name
from .support import Call, json_response, no_content, rest

LOG_SOURCE = "org.sonatype.nexus.repository.manager.RepositoryManagerImpl"
NOT_FOUND = "Repository not found"


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


def _demand_logged_in(subject: Subject) -> None:
    subject.demand(subject.authenticated)


def _readable(call: Call, repo: Repository) -> bool:
    """View read or browse on the repository or on a group that contains it, directly or
    through nested groups (`userCanReadOrBrowseOrGroupPermissions`)."""
    repos = {r.name: r for r in call.runtime.repos.all()}
    holders = [repo] + [g for g in repos.values() if _contains(g, repo.name, repos, set())]
    return any(call.subject.permits_view(holder, "read", "browse") for holder in holders)


def _contains(group: Repository, name: str, repos: dict[str, Repository], seen: set[str]) -> bool:
    if group.type != GROUP or group.name in seen:
        return False
    seen.add(group.name)
    return any(
        member == name or (member in repos and _contains(repos[member], name, repos, seen))
        for member in group.members
    )


def list_repositories(call: Call) -> Response:
    runtime = call.runtime
    visible = [repo for repo in runtime.repos.all() if call.subject.permits_view(repo, "browse")]
    return json_response(
        [
            repository_xo(repo, call.base_url, runtime.content.repository_size(repo.name))
            for repo in visible
        ]
    )


def get_repository(call: Call) -> Response:
    name = call.param("name")
    repo = call.runtime.repos.get(name)
    if repo is None:
        raise NexusError(404, f"Unable to locate repository with id {name}")
    if not _readable(call, repo):
        raise Forbidden()
    size = call.runtime.content.repository_size(repo.name)
    return json_response(repository_xo(repo, call.base_url, size))


def delete_repository(call: Call) -> Response:
    _demand_logged_in(call.subject)
    runtime = call.runtime
    repo = _existing(call, call.param("name"))
    call.subject.require(f"nexus:repository-admin:{repo.format}:{repo.name}:delete")
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
    _demand_logged_in(call.subject)
    visible = [r for r in call.runtime.repos.all() if call.subject.permits_admin(r, "read")]
    return json_response([_view(call, repo) for repo in visible])


def _view(call: Call, repo: Repository) -> dict[str, object]:
    return api_view(repo, call.base_url, assigned_name(repo, call.runtime.routing))


def create_pypi(call: Call) -> Response:
    _demand_logged_in(call.subject)
    runtime = call.runtime
    body = call.json()
    repo = assign_from_request(parse_request(_pypi_type(call), body), body, runtime.routing)
    call.subject.require(f"nexus:repository-admin:{FORMAT}:{repo.name}:add")
    check_new(repo, runtime.repos, runtime.blobs)
    runtime.repos.create(repo)
    runtime.app_log.info(
        LOG_SOURCE, f"Created repository: {repo.name} (pypi-{repo.type})", call.subject.user_id
    )
    return Response(status_code=201)


def update_pypi(call: Call) -> Response:
    _demand_logged_in(call.subject)
    runtime = call.runtime
    body = call.json()
    repo = assign_from_request(parse_request(_pypi_type(call), body), body, runtime.routing)
    if repo.name != call.param("name"):
        raise ValidationFailed([("*", "Renaming a repository is not supported")])
    existing = _existing(call, call.param("name"))
    call.subject.require(f"nexus:repository-admin:{existing.format}:{existing.name}:edit")
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
    _demand_logged_in(call.subject)
    repo_type = _pypi_type(call)
    repo = call.runtime.repos.get(call.param("name"))
    if (
        repo is None
        or not call.subject.permits_admin(repo, "read")
        or (repo.format, repo.type) != (FORMAT, repo_type)
    ):
        raise JsonMessageError(404, NOT_FOUND)
    return json_response(_view(call, repo))


def _editable(call: Call) -> Repository:
    """`getEditableRepositoryOrThrow`: 404 `"Repository not found"`, then admin edit."""
    _demand_logged_in(call.subject)
    repo = call.runtime.repos.get(call.param("name"))
    if repo is None:
        raise JsonMessageError(404, NOT_FOUND)
    call.subject.require(f"nexus:repository-admin:{repo.format}:{repo.name}:edit")
    return repo


def invalidate_cache(call: Call) -> Response:
    repo = _editable(call)
    if repo.type not in (PROXY, GROUP):
        raise JsonMessageError(400, "You can invalidate cache of proxy or group repository only")
    call.runtime.pypi.invalidate(repo)
    call.runtime.app_log.info(
        LOG_SOURCE, f"Invalidated cache of repository: {repo.name}", call.subject.user_id
    )
    return no_content()


def rebuild_index(call: Call) -> Response:
    repo = _editable(call)
    if repo.type not in (HOSTED, PROXY):
        raise JsonMessageError(
            400, "You can rebuild search index of hosted or proxy repository only"
        )
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
