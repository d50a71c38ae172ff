from rest_framework import serializers

from haven.core.models import Location


class LocationSerializer(serializers.ModelSerializer):
    level = serializers.IntegerField(
        min_value=0, max_value=5, help_text="0 = country, 1 = admin1, …"
    )

    class Meta:
        model = Location
        fields = ["id", "code", "name", "level", "parent", "country_code"]
