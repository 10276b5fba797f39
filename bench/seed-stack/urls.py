from django.urls import include, path
from rest_framework.routers import SimpleRouter

from catalog.views import MovieViewSet

router = SimpleRouter(trailing_slash=False)
router.register("movies", MovieViewSet)
urlpatterns = [path("", include(router.urls))]
