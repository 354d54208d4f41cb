"""Schema-driven fuzzing: requests generated from the OpenAPI document, for every operation, as each
role, never make a server error."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings

from accounts.roles import Role
from accounts.tokens import rotate_token
from tests.web.test_access import site  # noqa: F401 (a fixture: one of everything a URL can name)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Resumable uploads take their chunks as raw bytes, as application/octet-stream bodies are sent.
schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")

EXAMPLES = 8  # per operation and role; derandomized, so CI sees the same requests every run
ROLES = [None, Role.READER, Role.LIBRARIAN, Role.CURATOR]  # the API gives admins nothing more


def fuzz(operation, headers: dict[str, str], who: str, failures: list[str]) -> None:
    """Send ``EXAMPLES`` requests generated for one operation; note every server error."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def call(case) -> None:
        response = case.call(headers=headers)
        if response.status_code >= 500:
            failures.append(
                f"{who}: {case.method} {case.formatted_path} {case.query} -> {response.status_code}"
            )

    call()


def test_no_generated_request_makes_a_server_error(site):  # noqa: F811
    users, _ = site
    headers = {role: {"Authorization": f"Token {rotate_token(users[role])}"} for role in ROLES if role}
    headers[None] = {}
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/", get_wsgi_application(), headers=headers[Role.CURATOR]
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30
    failures: list[str] = []
    for operation in operations:
        for role in ROLES:
            fuzz(operation, headers[role], role.group if role else "anonymous", failures)
    assert not failures, "\n".join(sorted(set(failures)))
