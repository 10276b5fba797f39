from rest_framework import filters, pagination, serializers, viewsets

from catalog.models import Movie


class MovieSerializer(serializers.ModelSerializer):
    class Meta:
        model = Movie
        fields = ["id", "name", "description", "active", "created"]


class NewestFirst(pagination.CursorPagination):
    page_size = 20
    ordering = "-created"


class MovieViewSet(viewsets.ReadOnlyModelViewSet):
    """GET /movies (?search=, ?cursor=) and GET /movies/<id>: active movies, newest first."""

    queryset = Movie.objects.filter(active=True)
    serializer_class = MovieSerializer
    pagination_class = NewestFirst
    filter_backends = [filters.SearchFilter]
    search_fields = ["name", "description"]
