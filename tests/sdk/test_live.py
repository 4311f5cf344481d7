"""The SDK against a real server over HTTP: data round-trips and typed errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from atrium.sdk import (
    Client,
    Conflict,
    CreatedToken,
    Forbidden,
    NotFound,
    Unauthenticated,
    ValidationError,
)

Unique = Callable[[str], str]
PASSWORD = "user-pass-123"


@pytest.fixture
def new_user(admin_client: Client, unique: Unique, live_server: Any) -> Callable[[], Client]:
    """Create a user and return a client signed in as them."""

    def make() -> Client:
        username = unique("u")
        admin_client.users.create(username, PASSWORD, email=f"{username}@example.org")
        client = Client(live_server.url)
        client.auth.login(username, PASSWORD)
        return client

    return make


def test_health(admin_client: Client) -> None:
    health = admin_client.health()
    assert health.status == "ok"
    assert health.version


def test_wrong_password_is_unauthenticated_with_request_id(live_server: Any) -> None:
    with pytest.raises(Unauthenticated) as caught:
        Client(live_server.url).auth.login("admin", "wrong-password")
    assert caught.value.status == 401
    assert caught.value.message
    assert caught.value.request_id


def test_missing_group_is_not_found_with_server_message(admin_client: Client) -> None:
    with pytest.raises(NotFound) as caught:
        admin_client.groups.get("no-such-group")
    assert "no-such-group" in caught.value.message
    assert caught.value.code == "not_found"
    assert caught.value.request_id


def test_user_lifecycle(admin_client: Client, unique: Unique, live_server: Any) -> None:
    username = unique("life")
    created = admin_client.users.create(username, PASSWORD, display_name="Life Cycle")
    assert (created.username, created.display_name, created.enabled) == (
        username,
        "Life Cycle",
        True,
    )
    assert created.created_at is not None
    assert [u.username for u in admin_client.users.iter_all(q=username)] == [username]
    updated = admin_client.users.update(username, email=f"{username}@example.org", is_admin=True)
    assert (updated.email, updated.is_admin) == (f"{username}@example.org", True)

    admin_client.users.reset_password(username, "new-pass-456")
    as_user = Client(live_server.url)
    assert as_user.auth.login(username, "new-pass-456").user.username == username
    assert as_user.me().username == username

    admin_client.users.delete(username)
    with pytest.raises(NotFound):
        admin_client.users.get(username)


def test_change_own_password_and_logout(new_user: Callable[[], Client]) -> None:
    user = new_user()
    username = user.me().username
    user.me.change_password(PASSWORD, "changed-pass-789")
    user.auth.login(username, "changed-pass-789")
    session = user.token
    user.auth.logout()
    assert user.token is None
    with pytest.raises(Unauthenticated):
        Client(user.url, session).me()


def test_group_and_members(
    admin_client: Client, unique: Unique, new_user: Callable[[], Client]
) -> None:
    name = unique("grp")
    group = admin_client.groups.create(name, display_name="Group", description="for tests")
    assert (group.name, group.display_name, group.member_count) == (name, "Group", 0)
    assert admin_client.groups.update(name, description="changed").description == "changed"

    member = new_user()
    username = member.me().username
    with pytest.raises(NotFound):
        member.groups.get(name)  # invisible to non-members

    added = admin_client.members.add(name, username)
    assert (added.username, added.role) == (username, "member")
    assert member.groups.get(name).my_role == "member"
    assert [m.username for m in admin_client.members.iter_all(name)] == [username]
    assert admin_client.members.update(name, username, "admin").role == "admin"
    assert [g.name for g in member.me().groups] == [name]
    admin_client.members.remove(name, username)
    with pytest.raises(NotFound):
        admin_client.members.get(name, username)


def test_group_delete_preview_then_delete(admin_client: Client, unique: Unique) -> None:
    name = unique("gone")
    admin_client.groups.create(name)
    admin_client.invitations.create(name)
    preview = admin_client.groups.delete(name, preview=True)
    assert (preview.group, preview.deleted) == (name, False)
    assert preview.resources["invitations"] == 1
    admin_client.groups.get(name)  # still there
    assert admin_client.groups.delete(name).deleted is True
    with pytest.raises(NotFound):
        admin_client.groups.get(name)


def test_conflict_validation_and_forbidden(
    admin_client: Client, unique: Unique, new_user: Callable[[], Client]
) -> None:
    name = unique("dup")
    admin_client.groups.create(name)
    with pytest.raises(Conflict):
        admin_client.groups.create(name)
    with pytest.raises(ValidationError) as caught:
        admin_client.groups.create("Not A Valid Name")
    assert caught.value.status == 422
    assert caught.value.details
    with pytest.raises(Forbidden):
        new_user().users.create(unique("x"), PASSWORD)


def test_quota_round_trips_units_and_unlimited(
    admin_client: Client, unique: Unique, new_user: Callable[[], Client]
) -> None:
    name = unique("q")
    admin_client.groups.create(name)
    quota = admin_client.quotas.update(name, cpu=8, memory="16Gi", gpu=2, storage_bytes="10Gi")
    assert (quota.cpu, quota.memory, quota.gpu) == (8, 17179869184, 2)
    assert quota.storage_bytes == 10 * 2**30
    assert admin_client.quotas.update(name, gpu=None).gpu is None
    assert admin_client.quotas.get(name).memory == 17179869184

    member = new_user()
    username = member.me().username
    admin_client.members.add(name, username)
    member_quota = admin_client.quotas.update_member(name, username, memory="4Gi")
    assert member_quota.memory == 4 * 2**30
    assert member.quotas.get_member(name, username).memory == 4 * 2**30

    usage = member.quotas.usage(name)
    assert usage.group == name
    assert usage.resources["memory"].limit == 17179869184
    assert usage.resources["memory"].used == 0


def test_instance_types(admin_client: Client, unique: Unique) -> None:
    name = unique("it")
    group = unique("itg")
    admin_client.groups.create(group)
    created = admin_client.instance_types.create(
        name, cpu=4, memory="16Gi", gpu=1, is_global=False, groups=[group]
    )
    assert (created.cpu, created.memory, created.gpu) == (4, 16 * 2**30, 1)
    assert (created.is_global, created.groups) == (False, [group])
    assert name in [i.name for i in admin_client.instance_types.iter_all(group)]
    updated = admin_client.instance_types.update(name, cpu=8, description="bigger")
    assert (updated.cpu, updated.description) == (8, "bigger")
    assert admin_client.instance_types.get(name).cpu == 8
    admin_client.instance_types.delete(name)
    with pytest.raises(NotFound):
        admin_client.instance_types.get(name)


def test_api_tokens(new_user: Callable[[], Client]) -> None:
    user = new_user()
    created = user.tokens.create("ci", expires_in_days=7)
    assert isinstance(created, CreatedToken)
    assert created.token and created.expires_at is not None
    via_token = Client(user.url, created.token)
    assert via_token.me().username == user.me().username
    assert created.id in [t.id for t in user.tokens.iter_all()]
    assert user.tokens.get(created.id).name == "ci"
    user.tokens.revoke(created.id)
    with pytest.raises(Unauthenticated):
        via_token.me()


def test_invitation_signup(admin_client: Client, unique: Unique, live_server: Any) -> None:
    group = unique("inv")
    admin_client.groups.create(group)
    invitation = admin_client.invitations.create(group, role="admin", expires_in_hours=2)
    assert invitation.token
    anonymous = Client(live_server.url)
    preview = anonymous.invitations.preview(invitation.token)
    assert (preview.group, preview.role) == (group, "admin")

    username = unique("joiner")
    accepted = anonymous.invitations.accept(invitation.token, username=username, password=PASSWORD)
    assert (accepted.group, accepted.role, accepted.user.username) == (group, "admin", username)
    assert accepted.token is not None
    assert anonymous.token is None  # accepting never changes who the client acts as
    assert Client(live_server.url, accepted.token).groups.get(group).my_role == "admin"

    listed = admin_client.invitations.list(group).items
    assert [(i.id, i.used_by) for i in listed] == [(invitation.id, username)]
    with pytest.raises(NotFound, match="used"):
        anonymous.invitations.accept(invitation.token, username=unique("late"), password=PASSWORD)


def test_invitation_revoke(admin_client: Client, unique: Unique) -> None:
    group = unique("rev")
    admin_client.groups.create(group)
    invitation = admin_client.invitations.create(group)
    admin_client.invitations.revoke(invitation.id)
    with pytest.raises(NotFound):
        admin_client.invitations.preview(invitation.token)


def test_audit_pages_and_filters(admin_client: Client, unique: Unique) -> None:
    names = [unique("aud") for _ in range(3)]
    for name in names:
        admin_client.groups.create(name)
    first = admin_client.audit.list(action="group.create", limit=1)
    assert len(first.items) == 1
    assert first.next_cursor is not None
    second = admin_client.audit.list(action="group.create", limit=1, cursor=first.next_cursor)
    assert second.items[0].id != first.items[0].id

    events = list(admin_client.audit.iter_all(group=names[1]))
    assert [(e.action, e.resource_id, e.actor) for e in events] == [
        ("group.create", names[1], "admin")
    ]
    assert events[0].time is not None
