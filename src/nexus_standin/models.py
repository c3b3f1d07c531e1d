"""The nexus-api-client (Nexus 3.97 OpenAPI) models used to parse requests and build responses."""

from nexus_api_client.models.anonymous_access_settings_xo import AnonymousAccessSettingsXO
from nexus_api_client.models.api_create_user import ApiCreateUser
from nexus_api_client.models.api_privilege_application_request import (
    ApiPrivilegeApplicationRequest,
)
from nexus_api_client.models.api_privilege_repository_admin_request import (
    ApiPrivilegeRepositoryAdminRequest,
)
from nexus_api_client.models.api_privilege_repository_view_request import (
    ApiPrivilegeRepositoryViewRequest,
)
from nexus_api_client.models.api_user import ApiUser
from nexus_api_client.models.api_user_source import ApiUserSource
from nexus_api_client.models.asset_xo import AssetXO
from nexus_api_client.models.cleanup_policy_attributes import CleanupPolicyAttributes
from nexus_api_client.models.cleanup_policy_resource_xo import CleanupPolicyResourceXO
from nexus_api_client.models.component_attributes import ComponentAttributes
from nexus_api_client.models.component_xo import ComponentXO
from nexus_api_client.models.create_ldap_server_xo import CreateLdapServerXo
from nexus_api_client.models.generic_blob_store_api_response import GenericBlobStoreApiResponse
from nexus_api_client.models.group_deploy_attributes import GroupDeployAttributes
from nexus_api_client.models.hosted_storage_attributes import HostedStorageAttributes
from nexus_api_client.models.http_client_attributes import HttpClientAttributes
from nexus_api_client.models.http_client_connection_attributes import (
    HttpClientConnectionAttributes,
)
from nexus_api_client.models.http_client_connection_authentication_attributes import (
    HttpClientConnectionAuthenticationAttributes,
)
from nexus_api_client.models.ldap_test_user_mapping_xo import LdapTestUserMappingXo
from nexus_api_client.models.ldap_verify_login_xo import LdapVerifyLoginXo
from nexus_api_client.models.negative_cache_attributes import NegativeCacheAttributes
from nexus_api_client.models.page_asset_xo import PageAssetXO
from nexus_api_client.models.page_component_xo import PageComponentXO
from nexus_api_client.models.page_task_xo import PageTaskXO
from nexus_api_client.models.proxy_attributes import ProxyAttributes
from nexus_api_client.models.py_pi_proxy_api_repository import PyPiProxyApiRepository
from nexus_api_client.models.py_pi_proxy_attributes import PyPiProxyAttributes
from nexus_api_client.models.pypi_group_repository_api_request import (
    PypiGroupRepositoryApiRequest,
)
from nexus_api_client.models.pypi_hosted_api_repository import PypiHostedApiRepository
from nexus_api_client.models.pypi_hosted_repository_api_request import (
    PypiHostedRepositoryApiRequest,
)
from nexus_api_client.models.pypi_proxy_repository_api_request import (
    PypiProxyRepositoryApiRequest,
)
from nexus_api_client.models.read_ldap_server_xo import ReadLdapServerXo
from nexus_api_client.models.realm_api_xo import RealmApiXO
from nexus_api_client.models.repository_xo import RepositoryXO
from nexus_api_client.models.role_xo_request import RoleXORequest
from nexus_api_client.models.role_xo_response import RoleXOResponse
from nexus_api_client.models.simple_api_group_deploy_repository import (
    SimpleApiGroupDeployRepository,
)
from nexus_api_client.models.storage_attributes import StorageAttributes
from nexus_api_client.models.task_xo import TaskXO
from nexus_api_client.models.update_ldap_server_xo import UpdateLdapServerXo

__all__ = [
    "AnonymousAccessSettingsXO",
    "ApiCreateUser",
    "ApiPrivilegeApplicationRequest",
    "ApiPrivilegeRepositoryAdminRequest",
    "ApiPrivilegeRepositoryViewRequest",
    "ApiUser",
    "ApiUserSource",
    "AssetXO",
    "CleanupPolicyAttributes",
    "CleanupPolicyResourceXO",
    "ComponentAttributes",
    "ComponentXO",
    "CreateLdapServerXo",
    "GenericBlobStoreApiResponse",
    "GroupDeployAttributes",
    "HostedStorageAttributes",
    "HttpClientAttributes",
    "HttpClientConnectionAttributes",
    "HttpClientConnectionAuthenticationAttributes",
    "LdapTestUserMappingXo",
    "LdapVerifyLoginXo",
    "NegativeCacheAttributes",
    "PageAssetXO",
    "PageComponentXO",
    "PageTaskXO",
    "ProxyAttributes",
    "PyPiProxyApiRepository",
    "PyPiProxyAttributes",
    "PypiGroupRepositoryApiRequest",
    "PypiHostedApiRepository",
    "PypiHostedRepositoryApiRequest",
    "PypiProxyRepositoryApiRequest",
    "ReadLdapServerXo",
    "RealmApiXO",
    "RepositoryXO",
    "RoleXORequest",
    "RoleXOResponse",
    "SimpleApiGroupDeployRepository",
    "StorageAttributes",
    "TaskXO",
    "UpdateLdapServerXo",
]
