from rest_framework import serializers

from haven.core.models import Location


class LocationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Location
        fields = ["id", "code", "name", "level", "parent", "country_code"]
