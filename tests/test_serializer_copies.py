"""Serializer fields are copied cheaply per instance; no two instances share a bound field."""

from haven.cases.serializers import CaseCreateSerializer, CaseSerializer


def _all_fields(serializer):
    for name, field in serializer.fields.items():
        yield name, field
        child = getattr(field, "child", None)
        if child is not None:
            yield f"{name}[]", child
        if hasattr(field, "fields"):
            yield from ((f"{name}.{n}", f) for n, f in _all_fields(field))


def test_each_instance_has_its_own_fields_bound_to_it():
    for cls in (CaseSerializer, CaseCreateSerializer):
        one, two = dict(_all_fields(cls())), dict(_all_fields(cls()))
        assert one.keys() == two.keys() and one
        for name in one:
            assert one[name] is not two[name], name
        assert all(f.parent is not None for f in one.values())
        assert {id(f.parent) for f in one.values()}.isdisjoint({id(f.parent) for f in two.values()})


def test_copies_validate_independently():
    good = {
        "person": {"given_name": "Amina", "sex": "female", "nationalities": ["NE"]},
        "programme": "vulnerable_migrants",
        "vulnerabilities": ["stranded"],
        "risk_level": "medium",
    }
    bad = {**good, "risk_level": "apocalyptic", "person": {"sex": "robot"}}
    first, second = CaseCreateSerializer(data=bad), CaseCreateSerializer(data=good)
    assert not first.is_valid() and second.is_valid(), second.errors
    assert set(first.errors) == {"risk_level", "person"}
    assert second.validated_data["risk_level"] == "medium"
