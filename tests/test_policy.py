import itertools

import pytest

from haven.accounts import held, policy
from haven.cases import actions, selectors
from haven.cases.models import Case


@pytest.fixture
def cases(world, register):
    """A spread of cases: owners in both offices and agencies, some sensitive, one assigned."""
    made = {
        "alice_open": register(world["caseworker"]),
        "alice_sensitive": register(
            world["caseworker"], case={"sensitive": True, "programme": "gbv"}
        ),
        "bob_open": register(world["caseworker2"], person={"given_name": "Bob's"}),
        "dora_south": register(world["caseworker_south"], person={"given_name": "South"}),
        "eve_b": register(world["other_agency"], person={"given_name": "Bee"}),
        "carol_sensitive": register(world["supervisor"], case={"sensitive": True}),
    }
    actions.assign(world["supervisor"], made["bob_open"], assignees=[world["caseworker_south"]])
    return made


EXPECTED_VISIBLE = {
    "caseworker": {"alice_open", "alice_sensitive"},
    "caseworker2": {"bob_open"},
    "caseworker_south": {"dora_south", "bob_open"},
    "supervisor": {"alice_open", "bob_open", "carol_sensitive"},
    "protection": {"alice_open", "alice_sensitive", "bob_open", "dora_south", "carol_sensitive"},
    "analyst": set(),
    "dpo": set(),
    "agency_admin": set(),
    "system_admin": set(),
    "other_agency": {"eve_b"},
    "other_supervisor": {"eve_b"},
}


@pytest.mark.parametrize("persona", sorted(EXPECTED_VISIBLE))
def test_who_sees_which_case(world, cases, persona):
    names = {v.pk: k for k, v in cases.items()}
    seen = {
        names[pk] for pk in selectors.visible_cases(world[persona]).values_list("pk", flat=True)
    }
    assert seen == EXPECTED_VISIBLE[persona]


def test_queryset_rule_and_object_rule_agree(world, cases):
    """case_q (lists) and can_case (one object) must never disagree, for any user, case, perm."""
    perms = [
        "case.view",
        "case.update",
        "case.transition",
        "case.assign",
        "case.approve",
        "case.transfer",
    ]
    personas = [k for k in EXPECTED_VISIBLE]
    for persona, perm in itertools.product(personas, perms):
        user = world[persona]
        by_query = set(Case.objects.filter(policy.case_q(user, perm)).values_list("pk", flat=True))
        for case in Case.objects.all():
            assert (case.pk in by_query) == policy.can_case(user, perm, case), (persona, perm, case)


def test_team_scope_sees_teammates_cases(world, cases):
    from haven.accounts.models import Role, RoleGrant

    lead = world["caseworker2"]
    RoleGrant.objects.filter(user=lead).update(scope="team")
    held.forget(lead)
    seen = set(selectors.visible_cases(lead).values_list("pk", flat=True))
    assert cases["alice_open"].pk in seen and cases["bob_open"].pk in seen
    assert cases["dora_south"].pk not in seen
    assert cases["alice_sensitive"].pk not in seen, "team scope does not open sensitive cases"
    assert Role.objects.filter(code="caseworker").exists()


def test_get_case_out_of_scope_is_404(world, cases):
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.get_case(world["other_agency"], cases["alice_open"].pk)


def test_analyst_and_admins_have_no_identifying_access(world):
    for persona in ("analyst", "dpo", "agency_admin", "system_admin"):
        assert not policy.can_see_identity(world[persona])
    assert policy.can_see_identity(world["caseworker"])


def test_inactive_user_has_no_permissions(world):
    user = world["supervisor"]
    user.is_active = False
    held.forget(user)
    assert not policy.has_perm(user, "case.view")


def test_person_visibility_follows_cases(world, cases):
    from haven.people.selectors import visible_persons

    seen = set(visible_persons(world["other_agency"]).values_list("pk", flat=True))
    assert seen == {cases["eve_b"].person_id}
