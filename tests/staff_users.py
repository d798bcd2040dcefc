"""Staff accounts in each role, with their scope (fixtures, imported by conftest)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from planportal.permissions import sync_role_groups
from policies.models import StaffScope


@pytest.fixture
def make_staff(db):
    """``make_staff("name", role, bureau=…, division=…, ward=…)``: an active staff user."""
    sync_role_groups()

    def build(username, role, **scope):
        user = get_user_model().objects.create_user(username, password=None, is_staff=True)
        user.groups.add(Group.objects.get(name=role))
        if scope:
            StaffScope.objects.create(user=user, **scope)
        return user

    return build


@pytest.fixture
def client_for(db):
    """``client_for(user)``: a test client signed in as ``user`` (a fresh one each call)."""

    def signed_in(user):
        staff_client = Client()
        staff_client.force_login(user)
        return staff_client

    return signed_in
